/**
 * What OpenClaw 2026.9.6's own clients (its CLI and Control UI) read from each reply,
 * as paths (see shape.ts). The recorded real replies are in
 * test/fixtures/openclaw-frames/ (re-record: `node bench/peer/record-frames.mjs`).
 * Fields OpenClaw sends that we leave out are left out here on purpose: what the
 * clients need to draw a page or print a result is listed, the rest of its features is not.
 */
export interface MethodContract {
  method: string;
  /** Paths into the final reply (for `agent`, the second `res` of the same id). */
  paths: string[];
  /** Paths into the first `res` of a two-stage method. */
  acceptedPaths?: string[];
}

const THINKING = ["thinkingLevels", "thinkingDefault"];
const MODEL_DEFAULTS = [
  "defaults.modelProvider",
  "defaults.model",
  "defaults.contextTokens",
  "defaults.modelSelectionTarget",
  ...THINKING.map((p) => `defaults.${p}`),
];
const SESSION_ROW = ["key", "kind", "agentId", "isMain", "updatedAt", "createdAt", "sessionId"];

export const HELLO_PATHS = [
  "type",
  "protocol",
  "server.version",
  "server.connId",
  "features.methods",
  "features.events",
  "features.capabilities",
  "snapshot.presence[].host",
  "snapshot.presence[].version",
  "snapshot.presence[].mode",
  "snapshot.presence[].reason",
  "snapshot.presence[].text",
  "snapshot.presence[].ts",
  "snapshot.health",
  "snapshot.stateVersion.presence",
  "snapshot.stateVersion.health",
  "snapshot.uptimeMs",
  "snapshot.sessionDefaults.defaultAgentId",
  "snapshot.sessionDefaults.modelConfigured",
  "snapshot.sessionDefaults.mainKey",
  "snapshot.sessionDefaults.mainSessionKey",
  "snapshot.sessionDefaults.scope",
  "auth.method",
  "auth.role",
  "auth.scopes",
  "policy.maxPayload",
  "policy.maxBufferedBytes",
  "policy.tickIntervalMs",
];

export const METHOD_CONTRACTS: MethodContract[] = [
  {
    method: "agents.list",
    paths: ["defaultId", "mainKey", "scope", "agents[].id", "agents[].workspace", "agents[].model.primary"],
  },
  { method: "agent.identity.get", paths: ["agentId", "name", "nameSource", "avatar"] },
  {
    method: "agent",
    acceptedPaths: ["runId", "sessionKey", "agentId", "status", "acceptedAt"],
    paths: [
      "runId",
      "status",
      "summary",
      "result.payloads[].text",
      "result.payloads[].mediaUrl",
      "result.meta.durationMs",
      "result.meta.agentMeta.provider",
      "result.meta.agentMeta.model",
    ],
  },
  {
    method: "health",
    paths: [
      "ok",
      "ts",
      "durationMs",
      "plugins.loaded",
      "plugins.errors",
      "channels",
      "channelOrder",
      "channelLabels",
      "heartbeatSeconds",
      "defaultAgentId",
      "agents[].agentId",
      "agents[].isDefault",
      "agents[].heartbeat.enabled",
      "agents[].heartbeat.everyMs",
      "agents[].heartbeat.target",
      "agents[].sessions.path",
      "agents[].sessions.count",
      "agents[].sessions.recent",
      "sessions.path",
      "sessions.count",
    ],
  },
  {
    method: "status",
    paths: [
      "runtimeVersion",
      "heartbeat.defaultAgentId",
      "heartbeat.agents[].agentId",
      "heartbeat.agents[].enabled",
      "heartbeat.agents[].everyMs",
      "sessions.count",
      "sessions.recent",
      "sessions.byAgent[].agentId",
      "sessions.byAgent[].count",
      "processMemory.rssBytes",
      "processMemory.heapUsedBytes",
      "channelSummary",
      "pid",
    ],
  },
  {
    method: "system-presence",
    paths: ["[].host", "[].version", "[].platform", "[].mode", "[].reason", "[].text", "[].ts"],
  },
  {
    method: "sessions.list",
    paths: [
      "ts",
      "path",
      "count",
      "totalCount",
      "limitApplied",
      "hasMore",
      ...MODEL_DEFAULTS,
      ...SESSION_ROW.map((p) => `sessions[].${p}`),
    ],
  },
  { method: "sessions.subscribe", paths: ["subscribed"] },
  {
    method: "sessions.create",
    paths: ["ok", "key", "sessionId", "entry.sessionId", "entry.label", "runStarted", "resolved.model"],
  },
  // After the agent run: one short exchange, nothing older than the kept turns (`compacted` false).
  { method: "sessions.compact", paths: ["ok", "key", "compacted"] },
  {
    method: "sessions.describe",
    paths: [
      "session.key",
      "session.kind",
      "session.agentId",
      "session.isMain",
      "session.sessionId",
      "session.model",
    ],
  },
  {
    method: "sessions.branches.list",
    paths: [
      "branches[].leafEntryId",
      "branches[].headline",
      "branches[].messageCount",
      "branches[].updatedAt",
      "branches[].active",
    ],
  },
  // Features this gateway lacks, answered truthfully (see absent-features.ts).
  { method: "update.status", paths: ["sentinel", "updateAvailable"] },
  // "" is the whole reply: an (empty) array, as OpenClaw answers.
  { method: "exec.approval.list", paths: [""] },
  { method: "plugin.approval.list", paths: [""] },
  { method: "openclaw.approval.list", paths: [""] },
  { method: "question.list", paths: ["questions"] },
  { method: "talk.catalog", paths: ["modes", "transports", "brains", "speech.providers", "realtime.ready"] },
  { method: "tasks.list", paths: ["tasks"] },
  { method: "progressCard.get", paths: ["card"] },
  { method: "sessions.companion.state", paths: ["exchanges"] },
  { method: "themes.list", paths: ["themes", "current.id", "theme.id", "theme.source"] },
  { method: "sessions.messages.subscribe", paths: ["subscribed", "key"] },
  {
    method: "sessions.preview",
    paths: [
      "ts",
      "previews[].key",
      "previews[].status",
      "previews[].items[].role",
      "previews[].items[].text",
    ],
  },
  {
    method: "sessions.patch",
    paths: ["ok", "path", "key", "entry.sessionId", "entry.updatedAt", "entry.label"],
  },
  {
    method: "chat.history",
    paths: [
      "sessionKey",
      "sessionId",
      "messages[].role",
      "messages[].content",
      "messages[].timestamp",
      "messages[].__openclaw.id",
      "messages[].__openclaw.seq",
      "hasMore",
      "totalMessages",
      ...MODEL_DEFAULTS.filter((p) => !p.includes("thinking")),
      ...SESSION_ROW.map((p) => `sessionInfo.${p}`),
    ],
  },
  {
    method: "chat.startup",
    paths: [
      "sessionKey",
      "sessionId",
      "messages[].role",
      "messages[].content",
      "hasMore",
      "totalMessages",
      "pendingInputs.items",
      "pendingInputs.total",
      "defaults.model",
    ],
  },
  {
    method: "chat.metadata",
    paths: [
      "models[].id",
      "models[].name",
      "models[].provider",
      "models[].contextWindow",
      "commands[].name",
      "commands[].nativeName",
      "commands[].textAliases",
      "commands[].description",
      "commands[].source",
      "commands[].scope",
      "commands[].acceptsArgs",
    ],
  },
  // `channels` itself stays our array (our UI and CLI read it); OpenClaw's keys ride beside it.
  {
    method: "channels.status",
    paths: ["ts", "channelOrder", "channelLabels", "channelAccounts", "channelDefaultAccountId"],
  },
  // `raw` is left out: ours is null while the file holds a secret in clear text (comments can
  // hide one the parser does not see); OpenClaw masks it inside the text. Both clients cope.
  {
    method: "channels.pairing.list",
    paths: ["requests", "accounts", "limits.pendingPerAccount", "limits.ttlMs"],
  },
  { method: "config.get", paths: ["path", "exists", "parsed", "resolved", "issues"] },
  {
    method: "config.schema.lookup",
    paths: [
      "path",
      "schema.type",
      "hint.label",
      "hintPath",
      "children[].key",
      "children[].path",
      "children[].required",
      "children[].hasChildren",
      "children[].hint.label",
      "children[].hintPath",
    ],
  },
  { method: "logs.tail", paths: ["file", "cursor", "size", "lines"] },
  {
    method: "models.list",
    paths: [
      "models[].id",
      "models[].name",
      "models[].provider",
      "models[].contextWindow",
      "models[].reasoning",
      "models[].tags",
      "models[].available",
    ],
  },
  {
    method: "models.authStatus",
    paths: [
      "ts",
      "providers[].provider",
      "providers[].authProvider",
      "providers[].displayName",
      "providers[].status",
      "providers[].profiles",
    ],
  },
];

/** Events the clients act on, and what they read from each. */
export const EVENT_CONTRACTS: { event: string; paths: string[] }[] = [
  { event: "sessions.changed", paths: ["sessionKey", "agentId", "reason"] },
  { event: "session.message", paths: ["sessionKey", "agentId", "message"] },
  { event: "chat", paths: ["runId", "sessionKey", "seq", "state", "message.role", "message.content"] },
  {
    event: "health",
    paths: ["ok", "ts", "channels", "channelOrder", "heartbeatSeconds", "defaultAgentId", "agents[].agentId"],
  },
];
