/**
 * The tools both fake MCP servers offer (stdio and Streamable HTTP), written with the
 * official SDK's McpServer: real protocol, scripted behaviour.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

const textResult = (text) => ({ content: [{ type: "text", text }] });

/**
 * @param {{ name?: string, many?: number, resources?: boolean, onGarbage?: (requestId: string | number) => void }} opts
 *   `resources`: also offer one resource (the server then advertises the resources capability).
 *   `onGarbage`: how the `invalid_json` tool breaks the stream (stdio writes a bad line).
 */
export function createFakeMcpServer(opts = {}) {
  const server = new McpServer({ name: opts.name ?? "fake-mcp", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echo the given text back", inputSchema: { text: z.string() } },
    async ({ text }) => textResult(`echo: ${text}`),
  );
  server.registerTool(
    "add",
    { description: "Add two numbers", inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => textResult(String(a + b)),
  );
  server.registerTool(
    "sleep",
    { description: "Answer after the given milliseconds", inputSchema: { ms: z.number().int().min(0) } },
    async ({ ms }) => {
      await new Promise((r) => setTimeout(r, ms));
      return textResult(`slept ${ms}`);
    },
  );
  server.registerTool("hang", { description: "Never answers" }, () => new Promise(() => {}));
  server.registerTool("crash", { description: "Kills the server process mid-call" }, () => {
    process.exit(3);
  });
  server.registerTool("invalid_json", { description: "Writes a broken JSON-RPC reply" }, (extra) => {
    opts.onGarbage?.(extra.requestId);
    return new Promise(() => {});
  });
  server.registerTool("big", { description: "Returns 200,000 characters" }, async () =>
    textResult("x".repeat(200_000)),
  );
  server.registerTool("fails", { description: "Reports an error result" }, async () => ({
    content: [{ type: "text", text: "the thing failed" }],
    isError: true,
  }));
  server.registerTool("env", { description: "The server process environment's variable names" }, async () =>
    textResult(JSON.stringify(process.env)),
  );
  server.registerTool("pid", { description: "The server's process id" }, async () =>
    textResult(String(process.pid)),
  );
  for (let i = 0; i < (opts.many ?? 0); i++) {
    server.registerTool(
      `extra_${i}`,
      { description: `Extra tool number ${i} for catalog ${i % 2 ? "weather" : "calendar"} lookups` },
      async () => textResult(`extra ${i}`),
    );
  }
  if (opts.resources) {
    server.registerResource("readme", "fake://readme", { description: "A fixed text" }, async (uri) => ({
      contents: [{ uri: uri.href, text: "fake readme" }],
    }));
  }
  return server;
}
