// @slack/socket-mode requires the npm `undici` for its WebSocket: a second copy of the HTTP
// stack beside the one Node ships, +11 MB of RSS once loaded. Builds (and tests, see
// vitest.config.ts) resolve `undici` for socket-mode alone to src/channels/slack/undici-on-ws.ts,
// the same surface on `ws`. Other importers keep their own resolution.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const slackUndiciShim = fileURLToPath(
  new URL("../src/channels/slack/undici-on-ws.ts", import.meta.url),
);

/** True when `importer` (a path or file URL) is a file of @slack/socket-mode. */
export const importedBySocketMode = (importer) =>
  importer.split(path.sep).join("/").includes("/node_modules/@slack/socket-mode/");

export const slackUndiciOnWs = {
  name: "slack-undici-on-ws",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) =>
      importedBySocketMode(args.importer) ? { path: slackUndiciShim } : undefined,
    );
  },
};
