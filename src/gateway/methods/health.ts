import { z } from "zod";
import { knownAgentIds } from "../../routing/known-agents.js";
import { selfPresence } from "../hello.js";
import { channelSummary } from "./channel-summary.js";
import { defineMethod, type GatewayMethodCall } from "./types.js";

const noParams = z.object({}).optional();

function memory() {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
}

function pluginSummary(gateway: GatewayMethodCall["gateway"]) {
  const reports = gateway.plugins.status();
  return {
    loaded: reports.filter((r) => r.state === "loaded").map((r) => r.id),
    errors: reports.filter((r) => r.state === "error").map((r) => ({ id: r.id, error: r.reason ?? "" })),
  };
}

/** Every agent's heartbeat and session count, as OpenClaw's `health` lists them (its CLI prints these). */
async function agentHealth(gateway: GatewayMethodCall["gateway"]) {
  const defaultAgentId = gateway.agents.defaultAgentId();
  const beats = new Map(gateway.cron.heartbeat.agents().map((a) => [a.id, a.settings]));
  const ids = [...new Set([defaultAgentId, ...knownAgentIds(gateway.config().config.agents?.list)])];
  const agents = await Promise.all(
    ids.map(async (agentId) => {
      const store = await gateway.agents.store(agentId);
      const beat = beats.get(agentId);
      return {
        agentId,
        isDefault: agentId === defaultAgentId,
        heartbeat: beat
          ? { enabled: beat.everyMs > 0, everyMs: beat.everyMs, target: beat.target }
          : { enabled: false },
        sessions: { path: store.indexPath, count: store.count(), recent: [] },
      };
    }),
  );
  const everyMs = beats.get(defaultAgentId)?.everyMs ?? 0;
  return { defaultAgentId, heartbeatSeconds: Math.round(everyMs / 1000), agents };
}

/** The `health` answer: readiness, channels, heartbeats and sessions per agent (OpenClaw's keys). */
export async function healthSnapshot(gateway: GatewayMethodCall["gateway"]) {
  const readiness = gateway.readiness();
  const started = Date.now();
  const { defaultAgentId, heartbeatSeconds, agents } = await agentHealth(gateway);
  const channels = channelSummary(gateway);
  return {
    ok: true,
    status: "live",
    ready: readiness.ready,
    failing: readiness.failing,
    version: gateway.version,
    uptimeMs: Date.now() - gateway.startedAt,
    memory: memory(),
    // As OpenClaw reports them: ids loaded, and the ones that failed with why.
    plugins: pluginSummary(gateway),
    ts: Date.now(),
    durationMs: Date.now() - started,
    channels: channels.channels,
    channelOrder: channels.channelOrder,
    channelLabels: channels.channelLabels,
    heartbeatSeconds,
    defaultAgentId,
    agents,
    sessions: agents.find((a) => a.isDefault)?.sessions,
  };
}

export const healthMethods = {
  // Every answer is a fresh snapshot, and goes out as the `health` event too (as OpenClaw's do).
  health: defineMethod({
    scope: "operator.read",
    params: noParams,
    handle: async (_params, { gateway }: GatewayMethodCall) => {
      const snapshot = await healthSnapshot(gateway);
      gateway.clients.publishHealth(snapshot);
      return snapshot;
    },
  }),
  // Who is connected, as OpenClaw lists it: this gateway, then each connected client.
  "system-presence": defineMethod({
    scope: "operator.read",
    params: noParams,
    handle: (_params, { gateway }: GatewayMethodCall) => [
      selfPresence(gateway),
      ...gateway.clients.presence(),
    ],
  }),
  status: defineMethod({
    scope: "operator.read",
    // OpenClaw's CLI asks for its own projections (includeCliProjection, …): we have none to add.
    params: z.object({ includeChannelSummary: z.boolean().optional() }).passthrough().optional(),
    handle: async (params, { gateway, scopes }: GatewayMethodCall) => {
      const admin = scopes.has("operator.admin");
      const snapshot = gateway.config();
      const { defaultAgentId, agents } = await agentHealth(gateway);
      return {
        // OpenClaw's names for what its `status` prints: version, heartbeats, sessions per agent.
        runtimeVersion: gateway.version,
        heartbeat: {
          defaultAgentId,
          agents: agents.map((a) => ({ agentId: a.agentId, ...a.heartbeat })),
        },
        sessions: {
          count: agents.reduce((n, a) => n + a.sessions.count, 0),
          byAgent: agents.map((a) => ({ agentId: a.agentId, count: a.sessions.count, recent: [] })),
          recent: [],
        },
        processMemory: memory(),
        // One line per configured channel when asked for (its CLI reads the list's length).
        channelSummary: params?.includeChannelSummary
          ? gateway.channels
              .status()
              .filter((c) => c.configured)
              .map((c) => `${c.channel}: ${c.state}${c.lastError ? ` (${c.lastError})` : ""}`)
          : [],
        version: gateway.version,
        pid: gateway.pid,
        uptimeMs: Date.now() - gateway.startedAt,
        gateway: { ...gateway.listening(), authMode: gateway.authMode() },
        readiness: gateway.readiness(),
        clients: gateway.clientCount(),
        memory: memory(),
        // Paths reveal the host layout: only for admins.
        ...(admin
          ? {
              configPath: snapshot.path,
              configHash: snapshot.hash,
              stateDir: gateway.stateDir,
              logFile: gateway.logFile(),
            }
          : {}),
      };
    },
  }),
  "plugins.list": defineMethod({
    scope: "operator.read",
    params: noParams,
    handle: (_params, { gateway }: GatewayMethodCall) => ({ plugins: gateway.plugins.status() }),
  }),
};
