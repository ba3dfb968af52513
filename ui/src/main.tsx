import { render } from "preact";
import { App } from "./app.js";
import "./styles.css";
import { applyTheme, initialTheme } from "./theme.js";

applyTheme(initialTheme());

const root = document.getElementById("app");
if (root) {
  render(<App />, root);
  // Marks the first render, for bench/ui.mjs and the browser tests.
  performance.mark("openclaw:first-render");
  root.dataset.rendered = "true";
}
