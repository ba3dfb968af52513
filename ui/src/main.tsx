import { render } from "preact";
import { App } from "./app.js";
import { initialLanguage, loadLanguage } from "./i18n/index.js";
import "./styles.css";
import { applyTheme, initialTheme } from "./theme.js";

applyTheme(initialTheme());

// A Chinese page waits for its catalogue (one small chunk) so it never renders English first.
await loadLanguage(initialLanguage());

const root = document.getElementById("app");
if (root) {
  render(<App />, root);
  // Marks the first render, for bench/ui.mjs and the browser tests.
  performance.mark("openclaw:first-render");
  root.dataset.rendered = "true";
}
