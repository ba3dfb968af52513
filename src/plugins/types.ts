import type { z } from "zod";
import type { AgentTool } from "../agents/tools/types.js";
import type { ChannelFactory } from "../channels/types.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { HttpRoute } from "../infra/http.js";
import type { Logger } from "../infra/logger.js";
import type { MethodDefinition } from "../infra/rpc.js";

/**
 * A plugin: an id, an optional zod schema for `plugins.entries.<id>.config`, and a
 * `register` that adds RPC methods, HTTP routes, agent tools, channels and services
 * through the API it is given. The module's default export (or `plugin` export) is
 * this object; `definePlugin` only helps TypeScript infer the config type.
 */
export interface PluginDefinition<C = unknown> {
  id: string;
  name?: string;
  description?: string;
  /** Validates `plugins.entries.<id>.config`; errors are reported under that path. */
  configSchema?: z.ZodType<C>;
  register(api: PluginApi<C>): void | Promise<void>;
}

export function definePlugin<C>(def: PluginDefinition<C>): PluginDefinition<C> {
  return def;
}

/** An HTTP route a plugin serves on the gateway port. */
export interface PluginRoute extends HttpRoute {
  /**
   * `gateway` (default): the request must carry the gateway token as a Bearer header.
   * `plugin`: the plugin authenticates it itself (signed webhooks).
   */
  auth?: "gateway" | "plugin";
}

/** Long-running work a plugin owns (a tunnel, a poller): started after register, stopped on unload. */
export interface PluginService {
  id: string;
  start(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** One agent turn run on behalf of a plugin. */
export interface PluginChatRequest {
  sessionKey: string;
  text: string;
  /** Where the message came from (shown in the session; used by replies after a restart). */
  origin?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface PluginChatResult {
  status: "ok" | "error" | "aborted";
  text: string;
}

export interface PluginApi<C = unknown> {
  readonly id: string;
  /** The validated `plugins.entries.<id>.config`. */
  readonly config: C;
  /** The whole gateway config as it is now (it changes on reload). */
  gatewayConfig(): OpenClawConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  readonly log: Logger;
  /** The port the gateway listens on (its HTTP routes and WebSocket). */
  gatewayPort(): number;
  /** Adds `name` to the RPC table; names the gateway already serves are refused. */
  registerGatewayMethod(name: string, def: MethodDefinition): void;
  registerHttpRoute(route: PluginRoute): void;
  registerTool(tool: AgentTool): void;
  /** A chat channel, started like the built-in ones (`channels.<name>.enabled: false` stops it). */
  registerChannel(name: string, factory: ChannelFactory): void;
  registerService(service: PluginService): void;
  /** Runs an agent turn (queued behind the session's other turns) and resolves with the reply. */
  chat(req: PluginChatRequest): Promise<PluginChatResult>;
  /** The session key of the default agent's session `rest` (e.g. `voice:call-123`). */
  sessionKey(rest: string, agentId?: string): string;
}
