// esbuild options for dist/, shared by build.mjs and the bundle test (test/providers/bundle.test.ts).
// Code splitting keeps lazily imported modules (channels, providers, commands) in their own
// chunks, so a command loads only what it uses and an idle gateway stays small.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { builtinsViaRequire } from "./builtins-via-require.mjs";
import { discordRestOnFetch } from "./discord-rest-web.mjs";
import { slackUndiciOnWs } from "./slack-undici-shim.mjs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/**
 * zod re-exports every one of its ~50 message locales (`z.locales`), which we never
 * use: keep English only. Halves zod in the bundle (~750 KB → ~390 KB), and with it
 * start time and idle memory.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    const en = createRequire(import.meta.url).resolve("zod/v4/locales/en.js");
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${"/"}node_modules/zod/`)
        ? { path: "zod-locales", namespace: "zod-en" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-en" }, () => ({
      contents: `export { default as en } from ${JSON.stringify(en)};`,
      resolveDir: ".",
    }));
  },
};

/** @type {import("esbuild").BuildOptions} */
export const buildOptions = {
  entryPoints: { index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // Dependencies are bundled too: one file set to ship, fewer module look-ups at start.
  // ws optionally uses these native add-ons when present; we never install them.
  // @ngrok/ngrok is a native add-on (a prebuilt binary per platform): it cannot be bundled,
  // is imported only when a voice-call tunnel uses ngrok, and the Docker image installs it.
  external: ["bufferutil", "utf-8-validate", "@ngrok/ngrok"],
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  // CommonJS dependencies (ws) call require() for Node built-ins; give ESM chunks one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
  define: { __OPENCLAW_VERSION__: JSON.stringify(pkg.version) },
  plugins: [zodEnglishOnly, discordRestOnFetch, slackUndiciOnWs, builtinsViaRequire],
  // Smaller chunks parse faster; names kept so stack traces stay readable.
  minify: process.env.OPENCLAW_BUILD_MINIFY !== "0",
  keepNames: true,
  logLevel: "warning",
};
