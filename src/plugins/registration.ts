import type { AgentRuntime } from "../agents/runtime.js";
import type { AgentTool } from "../agents/tools/types.js";
import type { ChannelFactory } from "../channels/types.js";
import type { OpenClawConfig } from "../config/schema.js";
import { type HttpRoute, sendJson } from "../infra/http.js";
import { createLogger } from "../infra/logger.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import type { MethodDefinition } from "../infra/rpc.js";
import { authorizeBearer, BEARER_NEEDS_AUTH_MESSAGE, type ResolvedAuth } from "../infra/shared-secret.js";
import { resolveSessionKey } from "../routing/session-key.js";
import type { PluginReport } from "./report.js";
import type { PluginApi, PluginChatRequest, PluginChatResult, PluginRoute, PluginService } from "./types.js";

/** What the gateway lends a plugin to register into. */
export interface RegistrationTargets {
  config: () => OpenClawConfig;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  runtime: AgentRuntime;
  /** The RPC table the gateway serves (plugins add to it). */
  methods: Map<string, MethodDefinition>;
  addRoute(route: HttpRoute): () => void;
  addChannel(name: string, factory: ChannelFactory): () => void;
  gatewayPort(): number;
  auth(): ResolvedAuth;
  rateLimiter: AuthRateLimiter;
}

/** What one plugin registered: listed in its report, and undone in reverse when it unloads. */
export interface Registration {
  report: PluginReport;
  undo: (() => void | Promise<void>)[];
  /** Services to start once `register` returns. */
  services: PluginService[];
}

/**
 * The API handed to plugin `id`'s `register`: every addition is recorded in `into`.
 * `addTool` adds an agent tool (the host keeps the tool list) and returns its removal.
 */
export function createPluginApi(
  id: string,
  config: unknown,
  into: Registration,
  targets: RegistrationTargets,
  addTool: (tool: AgentTool) => () => void,
): PluginApi<unknown> {
  const added = into.report;
  return {
    id,
    config,
    gatewayConfig: targets.config,
    env: targets.env,
    stateDir: targets.stateDir,
    log: createLogger(id),
    gatewayPort: targets.gatewayPort,
    registerGatewayMethod: (name, def) => {
      if (targets.methods.has(name)) throw new Error(`RPC method ${name} is already served`);
      targets.methods.set(name, def);
      added.methods.push(name);
      into.undo.push(() => {
        if (targets.methods.get(name) === def) targets.methods.delete(name);
      });
    },
    registerHttpRoute: (route) => {
      into.undo.push(targets.addRoute(guardRoute(id, route, targets)));
      added.routes.push(route.path);
    },
    registerTool: (tool) => {
      into.undo.push(addTool(tool));
      added.tools.push(tool.name);
    },
    registerChannel: (name, factory) => {
      into.undo.push(targets.addChannel(name, factory));
      added.channels.push(name);
    },
    registerService: (service) => {
      into.services.push(service);
    },
    chat: (req) => chatThroughRuntime(targets.runtime, id, req),
    sessionKey: (rest, agentId) =>
      resolveSessionKey({
        agentId: agentId ?? targets.runtime.defaultAgentId(),
        channel: id,
        peer: { kind: "direct", id: rest },
        dmScope: "per-channel-peer",
      }),
  };
}

/** One agent turn for a plugin; the plugin's abort signal aborts the run. */
async function chatThroughRuntime(
  runtime: AgentRuntime,
  id: string,
  req: PluginChatRequest,
): Promise<PluginChatResult> {
  const handle = runtime.send({
    sessionKey: req.sessionKey,
    text: req.text,
    origin: { provider: id, ...req.origin },
  });
  const abort = () => runtime.abort(handle.sessionKey, handle.runId);
  req.signal?.addEventListener("abort", abort, { once: true });
  try {
    const outcome = await handle.done;
    return { status: outcome.status, text: outcome.text };
  } finally {
    req.signal?.removeEventListener("abort", abort);
  }
}

/** Wraps a plugin route: gateway auth unless the plugin checks requests itself, and errors contained. */
function guardRoute(
  id: string,
  route: PluginRoute,
  targets: Pick<RegistrationTargets, "auth" | "rateLimiter">,
): HttpRoute {
  if (route.auth === "plugin") return route;
  return {
    ...route,
    handle: (req, res, url) => {
      const verdict = authorizeBearer(req, targets.auth(), targets.rateLimiter);
      if (!verdict.ok && verdict.status === 429) {
        const error = { type: "rate_limited", message: "too many failed attempts" };
        sendJson(res, 429, { error }, { "retry-after": String(verdict.retryAfterSeconds) });
        return;
      }
      if (!verdict.ok && verdict.status === 403) {
        sendJson(res, 403, {
          error: { type: "forbidden", message: `plugin ${id}: ${BEARER_NEEDS_AUTH_MESSAGE}` },
        });
        return;
      }
      if (!verdict.ok) {
        const error = { type: "unauthorized", message: `plugin ${id}: missing or wrong bearer token` };
        sendJson(res, 401, { error });
        return;
      }
      return route.handle(req, res, url);
    },
  };
}
