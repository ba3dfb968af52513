import { randomUUID } from "node:crypto";
import os from "node:os";
import type { GatewayContext } from "./context.js";
import type { ConnectParams, OperatorScope } from "./protocol.js";
import {
  GATEWAY_CAPABILITIES,
  GATEWAY_EVENTS,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD,
  PROTOCOL_VERSION,
  TICK_INTERVAL_MS,
} from "./protocol.js";

/**
 * The `hello-ok` payload and the presence list, in OpenClaw 2026.9.6's shapes: its
 * clients read `features` to decide what to show (a method or capability we do not
 * list is hidden, not called), and `snapshot` for the session defaults and paths.
 */

/** This gateway process, as presence entries name it (a restart is a new instance). */
const INSTANCE_ID = randomUUID();

/** How this gateway appears in `system-presence` and the hello snapshot (OpenClaw's "self" entry). */
export function selfPresence(gateway: GatewayContext) {
  const host = os.hostname();
  const platform = `${process.platform} ${os.release()}`;
  return {
    host,
    version: gateway.version,
    platform,
    mode: "gateway",
    reason: "self",
    instanceId: INSTANCE_ID,
    text: `Gateway: ${host} · app ${gateway.version} · mode gateway · reason self`,
    ts: gateway.startedAt,
  };
}

/** What a client should use for "the main session": the configured default agent's, not a guess. */
export function sessionDefaults(gateway: GatewayContext) {
  const defaultAgentId = gateway.agents.defaultAgentId();
  const chain = gateway.agents.registry().defaultChain();
  return {
    defaultAgentId,
    modelConfigured: chain.length > 0,
    mainKey: "main",
    mainSessionKey: `agent:${defaultAgentId}:main`,
    // Direct messages get a session per sender unless session.dmScope says otherwise.
    scope: "per-sender",
  };
}

export function helloPayload(opts: {
  gateway: GatewayContext;
  connId: string;
  params: ConnectParams;
  methods: Iterable<string>;
  authMethod: string;
  scopes: ReadonlySet<OperatorScope>;
}) {
  const { gateway, scopes } = opts;
  const admin = scopes.has("operator.admin");
  const readiness = gateway.readiness();
  return {
    type: "hello-ok",
    protocol: Math.min(opts.params.maxProtocol, PROTOCOL_VERSION),
    server: { version: gateway.version, connId: opts.connId, host: os.hostname() },
    features: {
      methods: [...opts.methods],
      events: [...GATEWAY_EVENTS],
      capabilities: [...GATEWAY_CAPABILITIES],
    },
    snapshot: {
      presence: [selfPresence(gateway), ...gateway.clients.presence()],
      health: { ok: true, ...readiness },
      stateVersion: gateway.clients.versions(),
      uptimeMs: Date.now() - gateway.startedAt,
      // Paths reveal the host layout: only for admins (as in `status`).
      ...(admin ? { configPath: gateway.config().path, stateDir: gateway.stateDir } : {}),
      sessionDefaults: sessionDefaults(gateway),
      authMode: gateway.authMode(),
    },
    auth: { method: opts.authMethod, role: "operator", scopes: [...scopes] },
    policy: {
      maxPayload: MAX_PAYLOAD,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      tickIntervalMs: TICK_INTERVAL_MS,
    },
  };
}
