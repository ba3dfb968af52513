import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-expect-error: plain ESM beside this file (the stdio fake runs it with node directly).
import { createFakeMcpServer } from "./tools.mjs";

/** The stdio fake's path, for `mcp.servers.<name>.command: process.execPath, args: [STDIO_SERVER]`. */
export const STDIO_SERVER = path.join(import.meta.dirname, "stdio-server.mjs");

export interface FakeMcpHttp {
  url: string;
  /** Headers of every request received (to check configured headers arrive). */
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * A Streamable HTTP MCP server (the SDK's server transport, stateless: one MCP server
 * per request) on 127.0.0.1, at `/mcp`.
 */
export async function startFakeMcpHttp(): Promise<FakeMcpHttp> {
  const headers: IncomingHttpHeaders[] = [];
  const http = createServer((req, res) => {
    headers.push(req.headers);
    if (req.url !== "/mcp") {
      res.writeHead(404).end();
      return;
    }
    const server = createFakeMcpServer({ name: "fake-http" });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    headers,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
