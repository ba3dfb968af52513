import { readFile } from "node:fs/promises";
import path from "node:path";
import { McpManager } from "../../agents/mcp/index.js";
import { startInboundSweep } from "../../agents/media/retention.js";
import { targetFromOrigin } from "../../agents/outbound.js";
import { AgentRuntime, type RuntimeConfig } from "../../agents/runtime.js";
import type { AgentTool } from "../../agents/tools/index.js";
import { ChannelManager } from "../../channels/manager.js";
import type { ChannelFactory } from "../../channels/types.js";
import type { ConfigSnapshot } from "../../config/load.js";
import { systemClock } from "../../cron/clock.js";
import { createConversationPort } from "../../cron/conversation.js";
import { createJobExecutor } from "../../cron/execute.js";
import { FailureAlerter } from "../../cron/failure-alert.js";
import { Heartbeat } from "../../cron/heartbeat.js";
import { resolveSessionRetention } from "../../cron/retention.js";
import { CronService } from "../../cron/service.js";
import { CronStore } from "../../cron/store.js";
import { createCronTool } from "../../cron/tool.js";
import { createChatEventBridge } from "../../gateway/chat-events.js";
import type { GatewayContext } from "../../gateway/context.js";
import type { EventOptions } from "../../gateway/events.js";
import { startHealthRefresh } from "../../gateway/health-refresh.js";
import { healthSnapshot } from "../../gateway/methods/health.js";
import { createMethodTable, type GatewayMethod } from "../../gateway/methods/index.js";
import { chatCompletionsRoute } from "../../gateway/openai-http.js";
import type { OperatorScope } from "../../gateway/protocol.js";
import type { Readiness } from "../../gateway/readiness.js";
import type { HttpRoute } from "../../infra/http.js";
import { createLogger } from "../../infra/logger.js";
import type { AuthRateLimiter } from "../../infra/rate-limit.js";
import type { ResolvedAuth } from "../../infra/shared-secret.js";
import { PluginHost } from "../../plugins/host.js";
import { knownAgentIds } from "../../routing/known-agents.js";
import { mainSessionKey } from "../../routing/session-key.js";

/**
 * The gateway's working parts, built right after it listens (cli/gateway/create.ts loads
 * this module then): agents, channels, plugins, the scheduler and the heartbeat, the RPC
 * methods and the OpenAI-compatible route. None of it is needed to listen and answer
 * health checks, and all of it together is most of the gateway's start-up cost.
 */

/** What the listening gateway lends the parts. */
export interface PartsHost {
  stateDir: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** The running config and auth (config edits swap them). */
  current: { snapshot: ConfigSnapshot; auth: ResolvedAuth };
  readiness: Readiness;
  rateLimiter: AuthRateLimiter;
  /** The server's method table, still empty: filled here. */
  methods: Map<string, GatewayMethod>;
  /** Adds an HTTP route while running (channels' webhooks, plugins' routes). */
  addRoute(route: HttpRoute): () => void;
  /** The port the server listens on (the one asked for until it does). */
  port(): number;
  /** Sends an event to every connected client (holding `scope`, and in `opts.audience`, when given). */
  broadcast(event: string, payload: unknown, scope?: OperatorScope, opts?: EventOptions): void;
  /** The gateway as its routes see it (the OpenAI-compatible route reads agents and config). */
  context: GatewayContext;
  channelFactories?: Readonly<Record<string, ChannelFactory<never>>>;
}

/** The built parts, not started. */
export interface RunningParts {
  readonly agents: AgentRuntime;
  readonly channels: ChannelManager;
  readonly plugins: PluginHost;
  /** MCP servers (`mcp.servers`): started once the gateway listens, following config edits. */
  readonly mcp: McpManager;
  readonly cron: { readonly service: CronService; readonly storePath: string; readonly heartbeat: Heartbeat };
  /** The OpenAI-compatible `POST /v1/chat/completions`. */
  readonly chatCompletions: HttpRoute;
  /** Starts (or, after a config edit, re-syncs) plugins and channels, then replays what a crash left unanswered. */
  sync(): Promise<void>;
  /** Starts the scheduler and the heartbeat; call once, after the first `sync`. */
  startJobs(): void;
  stop(): Promise<void>;
}

export async function buildParts(host: PartsHost): Promise<RunningParts> {
  const { current } = host;
  for (const [name, method] of createMethodTable()) host.methods.set(name, method);
  const { agents, channels, plugins, mcp } = createRunningParts(host, [createCronTool(() => cron.service)]);
  const cron = createCron(host, agents, channels);
  agents.onRunEvent(createChatEventBridge(host.broadcast));
  let stopHealth: (() => void) | undefined;
  let inboundSweep: { stop(): void } | undefined;
  // Messages accepted before a crash are replayed once the channels are up.
  const unanswered = await agents.openJournal(path.join(host.stateDir, "agents", "inbox.jsonl"));
  return {
    agents,
    channels,
    plugins,
    mcp,
    cron,
    chatCompletions: chatCompletionsRoute({
      gateway: host.context,
      auth: () => current.auth,
      rateLimiter: host.rateLimiter,
    }),
    async sync() {
      mcp.sync(current.snapshot.config);
      await Promise.all([plugins.sync(), channels.sync()]);
      agents.replay(unanswered);
    },
    startJobs() {
      // Jobs start once the channels are up, so a catch-up run can announce its result.
      if (current.snapshot.config.cron?.enabled !== false) cron.service.start();
      cron.heartbeat.start();
      const { context } = host;
      stopHealth = startHealthRefresh({
        snapshot: () => healthSnapshot(context),
        publish: (snapshot) => context.clients.publishHealth(snapshot),
        clientCount: () => context.clientCount(),
        log: createLogger("health"),
      });
      // Files kept for tools expire (attachments.ttlHours): swept now, after listening, then hourly.
      inboundSweep = startInboundSweep({
        workspaces: () =>
          knownAgentIds(current.snapshot.config.agents?.list).map(
            (id) => agents.agentFor(mainSessionKey(id)).workspace,
          ),
        ttlHours: () => current.snapshot.config.attachments?.ttlHours,
        unfinishedTexts: () => agents.unfinishedTexts(),
        log: createLogger("media"),
      });
    },
    async stop() {
      stopHealth?.();
      inboundSweep?.stop();
      cron.service.stop();
      cron.heartbeat.stop();
      await Promise.all([channels.stopAll(), plugins.stopAll(), mcp.stop()]);
    },
  };
}

/** Agents, channels and plugins, each reading the live config and reaching the others through late-bound calls. */
function createRunningParts(host: PartsHost, agentTools: readonly AgentTool[]) {
  const { stateDir, env, current, readiness } = host;
  const mcp = new McpManager({ env, stateDir, baseDir: () => path.dirname(host.configPath) });
  const joinTools = stableConcat();
  const agents: AgentRuntime = new AgentRuntime({
    stateDir,
    config: () => current.snapshot.config as RuntimeConfig,
    // The channels are built below (they need the agents): a late-bound outbound port.
    outbound: { send: (target, message) => channels.send(target, message) },
    pluginTools: () => joinTools(agentTools, plugins.agentTools(), mcp.tools()),
    toolsReady: () => mcp.ready(),
  });
  const channels: ChannelManager = new ChannelManager({
    config: () => current.snapshot.config,
    runtime: agents,
    stateDir,
    env,
    onPending: (channel, reason) => readiness.wait(channel, reason),
    onSettled: (channel) => readiness.done(channel),
    registerRoute: (route) => host.addRoute(route),
    ...(host.channelFactories ? { factories: host.channelFactories } : {}),
  });
  const plugins: PluginHost = new PluginHost({
    config: () => current.snapshot.config,
    configDir: () => path.dirname(host.configPath),
    env,
    stateDir,
    runtime: agents,
    methods: host.methods,
    addRoute: (route) => host.addRoute(route),
    addChannel: (name, factory) => {
      const remove = channels.addFactory(name, factory);
      void channels.sync();
      return remove;
    },
    gatewayPort: host.port,
    auth: () => current.auth,
    rateLimiter: host.rateLimiter,
    onPending: (id, reason) => readiness.wait(id, reason),
    onSettled: (id) => readiness.done(id),
  });
  return { agents, channels, plugins, mcp };
}

/**
 * Joins tool lists into one array that stays the same object while its parts do: the
 * agents' tool cache rebuilds every tool schema when the array changes.
 */
function stableConcat() {
  let parts: readonly (readonly AgentTool[])[] = [];
  let joined: readonly AgentTool[] = [];
  return (...next: (readonly AgentTool[])[]): readonly AgentTool[] => {
    if (next.length !== parts.length || next.some((p, i) => p !== parts[i])) {
      parts = next;
      joined = next.flat();
    }
    return joined;
  };
}

/**
 * Scheduled jobs in `<state>/cron/cron.sqlite` and the heartbeat, run through the agents
 * and announced through the channels.
 */
function createCron(host: PartsHost, agents: AgentRuntime, channels: ChannelManager) {
  const { current } = host;
  const storePath = path.join(host.stateDir, "cron", "cron.sqlite");
  const heartbeat = new Heartbeat({
    agents,
    outbound: channels,
    clock: systemClock,
    config: () => current.snapshot.config,
    readChecklist: (agentId) =>
      readFile(path.join(agents.agentFor(mainSessionKey(agentId)).workspace, "HEARTBEAT.md"), "utf8").catch(
        () => undefined,
      ),
    lastRoute: async (agentId) => {
      const key = mainSessionKey(agentId);
      const entry = (await agents.store(agentId)).get(key);
      return targetFromOrigin(entry?.origin) ?? targetFromOrigin(entry);
    },
    onEvent: (event) => host.broadcast("heartbeat", event, "operator.read"),
    log: createLogger("heartbeat"),
  });
  const log = createLogger("cron");
  const service = new CronService({
    store: CronStore.open(storePath),
    clock: systemClock,
    execute: createJobExecutor({
      agents,
      outbound: channels,
      systemEvents: heartbeat,
      conversations: createConversationPort(agents),
      clock: systemClock,
      log,
    }),
    maxConcurrentRuns: () => current.snapshot.config.cron?.maxConcurrentRuns ?? 1,
    onEvent: (event) => host.broadcast("cron", event, "operator.read"),
    log,
    alerts: new FailureAlerter({
      outbound: channels,
      config: () => current.snapshot.config.cron?.failureAlert,
      log,
    }),
    sessions: {
      retentionMs: () => resolveSessionRetention(current.snapshot.config.cron?.sessionRetention),
      stores: () =>
        Promise.all(knownAgentIds(current.snapshot.config.agents?.list).map((id) => agents.store(id))),
    },
  });
  return { service, storePath, heartbeat };
}
