import { z } from "zod";
import { browserSignInProblem } from "../../agents/mcp/oauth-browser.js";
import { redactText } from "../../infra/redact.js";
import { ErrorCodes, GatewayRequestError } from "../../infra/rpc.js";
import { mcpOAuthRedirectUrl } from "../mcp-oauth.js";
import { defineMethod, type GatewayMethodCall } from "./types.js";

const serverName = z.string().min(1).max(200);

function signInsOf(gateway: GatewayMethodCall["gateway"]) {
  const signIns = gateway.mcp.signIns;
  if (!signIns)
    throw new GatewayRequestError(ErrorCodes.UNAVAILABLE, "this gateway keeps no MCP credentials");
  return signIns;
}

/**
 * `mcp.status` (our own; the Control UI's MCP section): every configured server with its
 * transport, state and tool count, and for `auth: "oauth"` servers whether they are
 * signed in. Never the definitions themselves: config.get shows those, with env and
 * header values redacted; never a token.
 */
export const mcpMethods = {
  "mcp.status": defineMethod({
    scope: "operator.read",
    params: z.strictObject({}).optional(),
    handle: async (_params, { gateway }: GatewayMethodCall) => {
      const config = gateway.config().config;
      const auth = (await gateway.mcp.signIns?.states(config.mcp?.servers ?? {})) ?? new Map();
      return {
        servers: gateway.mcp
          .status(config)
          .map((s) => (auth.has(s.name) ? { ...s, auth: auth.get(s.name) } : s)),
      };
    },
  }),
  /**
   * `mcp.reload` (our own; `openclaw mcp reload`): reconnects every enabled server from the
   * current config, so tools a server changed without telling us are listed again.
   */
  "mcp.reload": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({}).optional(),
    handle: async (_params, { gateway }: GatewayMethodCall) => {
      const config = gateway.config().config;
      const restarted = await gateway.mcp.reload(config);
      return { restarted, servers: gateway.mcp.status(config) };
    },
  }),
  /**
   * `mcp.authLogin` (OpenClaw's name; here it answers at once): starts the OAuth sign-in of
   * an `auth: "oauth"` server and returns the provider's authorization URL, which the
   * Control UI opens in a new tab. The provider sends the browser back to this gateway's
   * `<basePath>/oauth/mcp/callback` on `origin` (the page's own), which stores the tokens
   * as `openclaw mcp login` does. `{ status: "authorized" }`: the server let us in as is.
   */
  "mcp.authLogin": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ serverName, origin: z.string().min(1).max(300) }),
    handle: async ({ serverName: name, origin }, { gateway, connId }: GatewayMethodCall) => {
      const config = gateway.config().config;
      const server = config.mcp?.servers?.[name];
      const problem = browserSignInProblem(name, server);
      if (problem || !server) throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, problem ?? "");
      const redirectUrl = mcpOAuthRedirectUrl({
        origin,
        connectionOrigin: gateway.clients.browserOrigin(connId),
        allowedOrigins: config.gateway?.controlUi?.allowedOrigins ?? [],
        basePath: config.gateway?.controlUi?.basePath ?? "/",
        server,
      });
      try {
        return await signInsOf(gateway).start(name, server, redirectUrl);
      } catch (err) {
        if (err instanceof GatewayRequestError) throw err;
        throw new GatewayRequestError(
          ErrorCodes.UNAVAILABLE,
          `could not start the sign-in of MCP server "${name}": ${redactText((err as Error).message)}`,
        );
      }
    },
  }),
  /** `mcp.authLogout` (our own; `openclaw mcp logout`): removes the server's stored OAuth credentials. */
  "mcp.authLogout": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ serverName }),
    handle: async ({ serverName: name }, { gateway }: GatewayMethodCall) => {
      const server = gateway.config().config.mcp?.servers?.[name];
      if (!server?.url)
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `MCP server "${name}" needs a URL for OAuth logout`,
        );
      const removed = await signInsOf(gateway).signOut(name, server);
      await gateway.mcp.credentialsChanged(name);
      return { removed };
    },
  }),
};
