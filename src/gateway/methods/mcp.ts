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
};
