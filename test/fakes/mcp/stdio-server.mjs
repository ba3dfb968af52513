#!/usr/bin/env node
/**
 * A real stdio MCP server (the official SDK's StdioServerTransport) for tests:
 *   node stdio-server.mjs [--marker=<id>] [--many=<n>] [--resources] [--grandchild]
 * `--marker` only tags the process so a test can find it in the process table;
 * `--grandchild` starts a long sleep child, as `npx` starts node, to check that stopping
 * the server ends its whole process group.
 */
import { spawn } from "node:child_process";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createFakeMcpServer } from "./tools.mjs";

const flag = (name) => process.argv.find((a) => a.startsWith(`--${name}`))?.split("=")[1];
if (process.argv.includes("--grandchild")) {
  // Same marker in the child's command line, so the orphan check finds it too.
  spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "--", `--marker=${flag("marker") ?? ""}`], {
    stdio: "ignore",
  });
}

const server = createFakeMcpServer({
  many: Number(flag("many") ?? 0),
  resources: process.argv.includes("--resources"),
  // Half a JSON-RPC response for this request, then a line that is not JSON at all.
  onGarbage: (id) =>
    process.stdout.write(
      `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[\nnot json at all\n`,
    ),
});
await server.connect(new StdioServerTransport());
