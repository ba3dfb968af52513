import { z } from "zod";
import { defineMethod, type GatewayMethodCall } from "./types.js";

/**
 * `mcp.status` (our own; the Control UI's MCP section): every configured server with its
 * transport, state and tool count. Never the definitions themselves: config.get shows
 * those, with env and header values redacted.
 */
export const mcpMethods = {
  "mcp.status": defineMethod({
    scope: "operator.read",
    params: z.strictObject({}).optional(),
    handle: (_params, { gateway }: GatewayMethodCall) => ({
      servers: gateway.mcp.status(gateway.config().config),
    }),
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
};
