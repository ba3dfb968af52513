// esbuild options for dist/, shared by build.mjs and the bundle test (test/providers/bundle.test.ts).
// Code splitting keeps lazily imported modules (channels, providers, commands) in their own
// chunks, so a command loads only what it uses and an idle gateway stays small.
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

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
  external: ["bufferutil", "utf-8-validate"],
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  // CommonJS dependencies (ws) call require() for Node built-ins; give ESM chunks one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
  define: { __OPENCLAW_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
};
