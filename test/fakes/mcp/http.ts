import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-expect-error: plain ESM beside this file (the stdio fake runs it with node directly).
import { createFakeMcpServer } from "./tools.mjs";

/** The stdio fake's path, for `mcp.servers.<name>.command: process.execPath, args: [STDIO_SERVER]`. */
export const STDIO_SERVER = path.join(import.meta.dirname, "stdio-server.mjs");

export interface FakeMcpHttp {
  /** Streamable HTTP endpoint. */
  url: string;
  /** Legacy SSE endpoint (GET opens the stream, POST /messages?sessionId= carries requests). */
  sseUrl: string;
  /** Headers of every request received (to check configured headers arrive). */
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * An MCP server over HTTP on 127.0.0.1, with the SDK's server transports: Streamable
 * HTTP at `/mcp` (stateless: one MCP server per request) and legacy SSE at `/sse`.
 */
export async function startFakeMcpHttp(): Promise<FakeMcpHttp> {
  const headers: IncomingHttpHeaders[] = [];
  const sse = new Map<string, SSEServerTransport>();
  const http = createServer((req, res) => {
    headers.push(req.headers);
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      sse.set(transport.sessionId, transport);
      res.on("close", () => sse.delete(transport.sessionId));
      void createFakeMcpServer({ name: "fake-sse" }).connect(transport);
      return;
    }
    if (req.method === "POST" && url.pathname === "/messages") {
      const transport = sse.get(url.searchParams.get("sessionId") ?? "");
      if (transport) void transport.handlePostMessage(req, res);
      else res.writeHead(404).end();
      return;
    }
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
    sseUrl: `http://127.0.0.1:${port}/sse`,
    headers,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
