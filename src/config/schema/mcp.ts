import { z } from "zod";
import { compatOnly, looseRecord, positiveInt, stringList } from "./common.js";
import { lazySchema } from "./lazy.js";

/** An environment variable name (what a stdio server sees). */
const envName = lazySchema("mcp.envName", () =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"),
);

/** Transports: OpenClaw's canonical `transport` values. */
export const MCP_TRANSPORTS = ["stdio", "sse", "streamable-http"] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

/** `mcp.servers.<name>.oauth`: OpenClaw's MCP OAuth keys. */
const mcpOAuthSchema = lazySchema("mcp.oauth", () =>
  z.strictObject({
    scope: z
      .string()
      .min(1)
      .optional()
      .describe("scopes to ask for, space-separated (default: what the server advertises)"),
    redirectUrl: z
      .url({ protocol: /^https?$/, error: "an http:// or https:// URL" })
      .optional()
      .describe(
        "where the browser returns after sign-in (default http://127.0.0.1:8989/oauth/callback); a loopback http URL is listened on by openclaw mcp login",
      ),
    clientMetadataUrl: z
      .url({ protocol: /^https$/, error: "an https:// URL" })
      .optional()
      .describe(
        "an HTTPS client metadata document used as the client id where the authorization server supports it (else the client registers itself)",
      ),
    identity: compatOnly(
      z.enum(["shared", "per-requester"]).optional(),
      "per-requester: every sender signs in with their own account",
    ),
    authProfileId: compatOnly(z.string().optional(), "take the access token from an OpenClaw auth profile"),
  }),
);

export const mcpServerSchema = lazySchema("mcp.server", () =>
  z
    .looseObject({
      enabled: z.boolean().optional().describe("false: keep the definition but never connect it"),
      command: z.string().min(1).optional().describe("stdio: the executable to start (no shell)"),
      args: stringList.optional().describe("stdio: the command's arguments"),
      cwd: z.string().min(1).optional().describe("stdio: working directory (default: the gateway's)"),
      workingDirectory: z.string().min(1).optional().describe("stdio: same as cwd (OpenClaw's other name)"),
      env: z
        .record(envName(), z.string())
        .optional()
        .describe(
          "stdio: the server's environment on top of PATH and HOME; the gateway's own variables are never passed (values hidden in config output)",
        ),
      url: z
        .url({ protocol: /^https?$/, error: "an http:// or https:// URL" })
        .optional()
        .describe("remote server URL (Streamable HTTP or SSE)"),
      transport: z
        .enum(MCP_TRANSPORTS)
        .optional()
        .describe("stdio, sse or streamable-http (default: stdio with command, streamable-http with url)"),
      type: z
        .enum(["stdio", "sse", "http"])
        .optional()
        .describe('CLI-native transport name; "http" means streamable-http'),
      headers: z
        .record(z.string(), z.string())
        .optional()
        .describe("HTTP headers for remote servers, e.g. Authorization (values hidden in config output)"),
      connectionTimeoutMs: positiveInt
        .max(600_000)
        .optional()
        .describe("how long starting and listing tools may take (default 30000)"),
      requestTimeoutMs: positiveInt
        .max(3_600_000)
        .optional()
        .describe("how long one tool call may take before it fails as a tool error (default 60000)"),
      toolFilter: z
        .strictObject({
          include: stringList.optional().describe("only these MCP tool names (exact or simple * globs)"),
          exclude: stringList.optional().describe("hide these MCP tool names (exact or simple * globs)"),
        })
        .optional()
        .describe("which of the server's tools become agent tools"),
      toolSearch: z
        .boolean()
        .optional()
        .describe(
          "true: reach this server's tools through tool_search / tool_describe / tool_call instead of listing each one (saves prompt tokens for servers with many tools)",
        ),
      supportsParallelToolCalls: compatOnly(z.boolean().optional(), "calls run one at a time"),
      auth: z
        .literal("oauth")
        .optional()
        .describe(
          'remote: "oauth" signs in with MCP OAuth (openclaw mcp login <name>); a static Authorization header is then ignored',
        ),
      oauth: mcpOAuthSchema().optional().describe('remote: MCP OAuth settings, used with auth: "oauth"'),
      sslVerify: compatOnly(z.boolean().optional(), "TLS verification is always on"),
      clientCert: compatOnly(z.string().optional(), "mTLS client certificate"),
      clientKey: compatOnly(z.string().optional(), "mTLS client key"),
      codex: compatOnly(looseRecord.optional(), "Codex app-server projection"),
    })
    .superRefine((server, ctx) => {
      if (server.enabled === false) return;
      const transport = mcpTransportOf(server);
      if (transport === "stdio" && !server.command) {
        ctx.addIssue({
          code: "custom",
          path: ["command"],
          message: "a stdio server needs a command (or set url for a remote server, or enabled: false)",
        });
      }
      if (transport === "stdio" && server.auth === "oauth") {
        ctx.addIssue({
          code: "custom",
          path: ["auth"],
          message: 'auth: "oauth" is for remote servers (set url), not stdio ones',
        });
      }
      if (transport !== "stdio" && !server.url) {
        ctx.addIssue({ code: "custom", path: ["url"], message: `a ${transport} server needs a url` });
      }
    })
    .describe("one MCP server: stdio (command, args, cwd, env) or remote (url, headers)"),
);

export type McpServerConfig = z.infer<ReturnType<typeof mcpServerSchema>>;

/** The transport a definition uses: `transport`, then `type`, then what it has (command or url). */
export function mcpTransportOf(server: {
  transport?: McpTransport | undefined;
  type?: "stdio" | "sse" | "http" | undefined;
  url?: string | undefined;
}): McpTransport {
  if (server.transport) return server.transport;
  if (server.type) return server.type === "http" ? "streamable-http" : server.type;
  return server.url ? "streamable-http" : "stdio";
}

/** `mcp` in openclaw.json: MCP servers whose tools the agents may use. */
export const mcpSchema = lazySchema("mcp", () =>
  z
    .looseObject({
      servers: z
        .record(
          z
            .string()
            .min(1)
            .refine((name) => name !== "__proto__", "the server name __proto__ is reserved"),
          mcpServerSchema(),
        )
        .optional()
        .describe("MCP servers by name; their tools are named <server>__<tool>"),
      sessionIdleTtlMs: compatOnly(z.number().optional(), "servers live as long as the gateway"),
    })
    .describe("Model Context Protocol servers the agents take tools from"),
);
