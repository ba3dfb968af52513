/**
 * Everything that touches `@modelcontextprotocol/sdk`, behind one dynamic import
 * (connection.ts): a gateway with no MCP server configured never loads the SDK.
 */
import { type OAuthClientProvider, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { VERSION } from "../../version.js";
import { StdioTransport } from "./stdio.js";

export type McpToolInfo = Pick<Tool, "name" | "description" | "inputSchema">;

/** What a server said it offers at connect (`openclaw mcp probe` reports it). */
export interface McpServerCapabilityInfo {
  resources: boolean;
  prompts: boolean;
  listChanged: { tools: boolean; resources: boolean; prompts: boolean };
}

export type TransportSpec =
  | {
      kind: "stdio";
      command: string;
      args: readonly string[];
      cwd?: string | undefined;
      env: Record<string, string>;
      onStderr(line: string): void;
    }
  | {
      kind: "sse" | "streamable-http";
      url: string;
      headers: Record<string, string>;
      /** `auth: "oauth"`: the SDK sends and refreshes the stored tokens through this. */
      authProvider?: OAuthClientProvider | undefined;
    };

/** A connected MCP client session. */
export interface McpSession {
  readonly pid: number | undefined;
  readonly capabilities: McpServerCapabilityInfo;
  listTools(timeoutMs: number, signal: AbortSignal): Promise<McpToolInfo[]>;
  callTool(
    name: string,
    args: Record<string, unknown>,
    opts: { timeoutMs: number; signal: AbortSignal },
  ): Promise<CallToolResult>;
  close(): Promise<void>;
  /** Called once when the session ends on its own (the process died, the stream broke). */
  onClosed(listener: () => void): void;
}

/** Largest number of tool-list pages read from one server (a broken cursor must not loop forever). */
const MAX_TOOL_PAGES = 50;

function createTransport(spec: TransportSpec): Transport {
  if (spec.kind === "stdio") return new StdioTransport(spec);
  const options = {
    requestInit: { headers: spec.headers },
    ...(spec.authProvider ? { authProvider: spec.authProvider } : {}),
  };
  return spec.kind === "sse"
    ? new SSEClientTransport(new URL(spec.url), options)
    : new StreamableHTTPClientTransport(new URL(spec.url), options);
}

export async function openSession(
  spec: TransportSpec,
  opts: { timeoutMs: number; signal: AbortSignal; onError(error: Error): void },
): Promise<McpSession> {
  const transport = createTransport(spec);
  // Stopping while it connects (shutdown, a config edit) ends the process now, not after the timeout.
  const abort = () => void transport.close().catch(() => {});
  opts.signal.addEventListener("abort", abort, { once: true });
  const client = new Client({ name: "openclaw-lite", version: VERSION }, { capabilities: {} });
  client.onerror = opts.onError;
  let closing = false;
  let closedListener: (() => void) | undefined;
  client.onclose = () => {
    if (!closing) closedListener?.();
  };
  try {
    await client.connect(transport, { timeout: opts.timeoutMs, signal: opts.signal });
  } catch (err) {
    closing = true;
    await transport.close().catch(() => {});
    throw err;
  } finally {
    opts.signal.removeEventListener("abort", abort);
  }
  const offered = client.getServerCapabilities() ?? {};
  return {
    pid: transport instanceof StdioTransport ? transport.pid : undefined,
    capabilities: {
      resources: offered.resources !== undefined,
      prompts: offered.prompts !== undefined,
      listChanged: {
        tools: offered.tools?.listChanged === true,
        resources: offered.resources?.listChanged === true,
        prompts: offered.prompts?.listChanged === true,
      },
    },
    async listTools(timeoutMs, signal) {
      const tools: McpToolInfo[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const result = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs, signal });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return tools;
    },
    async callTool(name, args, { timeoutMs, signal }) {
      return (await client.callTool({ name, arguments: args }, undefined, {
        timeout: timeoutMs,
        signal,
      })) as CallToolResult;
    },
    async close() {
      closing = true;
      await client.close().catch(() => {});
      await transport.close().catch(() => {});
    },
    onClosed(listener) {
      closedListener = listener;
    },
  };
}

/** The server refused the credentials and the SDK's OAuth client could not cure it (a 401 it gave up on). */
export function isUnauthorized(err: unknown): boolean {
  return err instanceof UnauthorizedError || (err instanceof StreamableHTTPError && err.code === 401);
}
