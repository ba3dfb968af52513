/**
 * Vitest setup: tests run @slack/socket-mode on the same `undici` the build gives it
 * (src/channels/slack/undici-on-ws.ts, see scripts/slack-undici-shim.mjs), not on the npm
 * package. socket-mode is CommonJS loaded by Node's own require, outside Vite's aliases,
 * so the redirect is a Node module hook; the shim's TypeScript is compiled by esbuild.
 * `module.registerHooks` arrived in Node 22.15: on 22.12 (scripts/node-matrix.sh) the
 * tests run socket-mode on the npm undici, which it was written for.
 */
import { readFileSync } from "node:fs";
import module from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import { importedBySocketMode, slackUndiciShim } from "../../scripts/slack-undici-shim.mjs";

const shimUrl = pathToFileURL(slackUndiciShim).href;
/** Setup files run once per test file; a worker process needs the hooks once. */
const REGISTERED = Symbol.for("openclaw-lite.slack-undici-hook");
const state = globalThis as { [REGISTERED]?: boolean };

if (!state[REGISTERED])
  state[REGISTERED] = Boolean(
    module.registerHooks?.({
      resolve(specifier, context, nextResolve) {
        const parent = context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : "";
        if (specifier === "undici" && importedBySocketMode(parent))
          return { url: shimUrl, shortCircuit: true };
        return nextResolve(specifier, context);
      },
      load(url, context, nextLoad) {
        if (url !== shimUrl) return nextLoad(url, context);
        const ts = readFileSync(slackUndiciShim, "utf8");
        const { code } = transformSync(ts, { loader: "ts", format: "esm", sourcefile: slackUndiciShim });
        return { format: "module", source: code, shortCircuit: true };
      },
    }),
  );
