import { readFile } from "node:fs/promises";
import path from "node:path";
import { targetFromOrigin } from "../../agents/outbound.js";
import { AgentRuntime, type RuntimeConfig } from "../../agents/runtime.js";
import type { AgentTool } from "../../agents/tools/index.js";
import { ChannelManager } from "../../channels/manager.js";
import type { ChannelFactory } from "../../channels/types.js";
import type { ConfigSnapshot } from "../../config/load.js";
import { createConfigReloader } from "../../config/reload.js";
import type { BindMode } from "../../config/schema.js";
import { systemClock } from "../../cron/clock.js";
import { createJobExecutor } from "../../cron/execute.js";
import { FailureAlerter } from "../../cron/failure-alert.js";
import { Heartbeat } from "../../cron/heartbeat.js";
import { resolveSessionRetention } from "../../cron/retention.js";
import { CronService } from "../../cron/service.js";
import { CronStore } from "../../cron/store.js";
import { createCronTool } from "../../cron/tool.js";
import { resolveGatewayAuth } from "../../gateway/auth.js";
import { createChatEventBridge } from "../../gateway/chat-events.js";
import type { GatewayContext } from "../../gateway/context.js";
import { controlUiRoute, defaultControlUiRoot } from "../../gateway/control-ui.js";
import { controlUiConfigRoute, startupRoute } from "../../gateway/control-ui-config.js";
import { CREDENTIAL_CHANGED_REASON, liveSecretProblems } from "../../gateway/credential.js";
import { gatewayConfigApplier } from "../../gateway/live-config.js";
import { createMethodTable, type GatewayMethod } from "../../gateway/methods/index.js";
import type { BindResolution } from "../../gateway/net.js";
import { chatCompletionsRoute } from "../../gateway/openai-http.js";
import { healthRoutes, Readiness } from "../../gateway/readiness.js";
import { type GatewayServer, startGatewayServer } from "../../gateway/server.js";
import type { HttpRoute } from "../../infra/http.js";
import { createLogger, currentLogFile } from "../../infra/logger.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../../infra/rate-limit.js";
import type { ResolvedAuth } from "../../infra/shared-secret.js";
import { PluginHost } from "../../plugins/host.js";
import { knownAgentIds } from "../../routing/known-agents.js";
import { mainSessionKey } from "../../routing/session-key.js";
import { VERSION } from "../../version.js";

/** What a gateway is built from: a checked start (`preflight`), or a test's own settings. */
export interface GatewayParts {
  stateDir: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  snapshot: ConfigSnapshot;
  auth: ResolvedAuth;
  /** `--token` / `--password` (and `--verbose`): they outrank the file on every reload too. */
  cli: { token?: string; password?: string; verbose?: boolean };
  bind: BindMode;
  /** Whether the bind reaches beyond loopback: config edits must then keep a strong secret. */
  beyondLoopback: boolean;
  /** The port asked for; plugins see it until the server listens on the real one. */
  port: number;
  startedAt: number;
  /** Factories replacing built-in channels' (tests run adapters on fake transports). */
  channelFactories?: Readonly<Record<string, ChannelFactory<never>>>;
  /** The built Control UI (default: beside the bundle). */
  controlUiRoot?: string;
}

/** A wired gateway, not yet listening. */
export interface Gateway {
  readonly context: GatewayContext;
  readonly agents: AgentRuntime;
  readonly channels: ChannelManager;
  readonly plugins: PluginHost;
  readonly cron: CronService;
  /** Serves the WebSocket protocol and HTTP routes on `hosts`:`port` (0 picks a free port). */
  listen(
    hosts: readonly string[],
    port: number,
    effectiveBind: BindResolution["effective"],
  ): Promise<GatewayServer>;
  /**
   * Marks the gateway ready, watches the config file and starts plugins and channels;
   * resolves once they started and messages a crash left unanswered were replayed.
   */
  start(): Promise<void>;
  /** Stops the server (if listening), channels and plugins. */
  stop(reason: string): Promise<void>;
}

const log = createLogger("gateway");

/** The running config and auth: edits (config.* RPC, hand edits of the file) swap both. */
interface LiveState {
  snapshot: ConfigSnapshot;
  auth: ResolvedAuth;
}

/**
 * Wires the gateway's parts: config reloader, agents, channels, plugins, RPC methods and
 * HTTP routes, around one live config and auth that edits swap.
 * (About 90 lines on purpose: it is the one place that shows every part and the order they
 * are built in; each step is a call into the part's own module.)
 */
export async function createGateway(parts: GatewayParts): Promise<Gateway> {
  let server: GatewayServer | undefined;
  const readiness = new Readiness();
  readiness.wait("gateway", "starting");
  const current: LiveState = { snapshot: parts.snapshot, auth: parts.auth };
  const rateLimiter = new AuthRateLimiter({
    ...DEFAULT_RATE_LIMIT,
    ...parts.snapshot.config.gateway?.auth?.rateLimit,
  });
  const configReloader = createLiveConfig(parts, current, rateLimiter, {
    closeStaleCredentials: (fingerprint) =>
      server?.closeStaleCredentials(fingerprint, CREDENTIAL_CHANGED_REASON),
    // Channels whose section changed restart in-process; the rest keep running.
    applied: () => void startAll(),
  });
  const routes = new RouteTable();
  const methods = createMethodTable();
  const { agents, channels, plugins } = createParts(parts, current, {
    readiness,
    routes,
    methods,
    rateLimiter,
    port: () => server?.port ?? parts.port,
    // The scheduler is built below (it needs the agents): a late-bound tool.
    agentTools: [createCronTool(() => cron.service)],
  });
  const cron = createCron(parts, current, {
    agents,
    channels,
    broadcast: (event, payload) => server?.broadcast(event, payload, "operator.read"),
  });
  // Messages accepted before a crash are replayed once the channels are up.
  const unanswered = await agents.openJournal(path.join(parts.stateDir, "agents", "inbox.jsonl"));
  const startAll = async () => {
    await Promise.all([plugins.sync(), channels.sync()]);
    agents.replay(unanswered);
  };
  const context: GatewayContext = {
    version: VERSION,
    pid: process.pid,
    startedAt: parts.startedAt,
    stateDir: parts.stateDir,
    config: () => current.snapshot,
    listening: () => server && { bind: parts.bind, hosts: [...server.hosts], port: server.port },
    authMode: () => current.auth.mode,
    readiness: () => readiness.snapshot(),
    clientCount: () => server?.clientCount() ?? 0,
    logFile: currentLogFile,
    configReloader,
    agents,
    channels,
    plugins,
    cron,
  };
  const controlUi = parts.snapshot.config.gateway?.controlUi;
  routes.base = [
    ...healthRoutes(context),
    startupRoute(context),
    ...(controlUi?.enabled === false
      ? []
      : [
          controlUiConfigRoute({
            basePath: controlUi?.basePath ?? "/",
            gateway: context,
            auth: () => current.auth,
            rateLimiter,
          }),
        ]),
    chatCompletionsRoute({ gateway: context, auth: () => current.auth, rateLimiter }),
  ];
  const uiRoot = parts.controlUiRoot ?? defaultControlUiRoot();
  routes.ui =
    controlUi?.enabled === false
      ? []
      : [controlUiRoute({ basePath: controlUi?.basePath ?? "/", root: uiRoot })];

  return {
    context,
    agents,
    channels,
    plugins,
    cron: cron.service,
    async listen(hosts, port, effectiveBind) {
      server = await startGatewayServer({
        hosts: [...hosts],
        port,
        effectiveBind,
        gateway: context,
        methods,
        routes: () => routes.all(),
        auth: (): ResolvedAuth => current.auth,
        allowedOrigins: () => current.snapshot.config.gateway?.controlUi?.allowedOrigins ?? [],
        trustedProxies: () => current.snapshot.config.gateway?.trustedProxies ?? [],
        rateLimiter,
        log,
      });
      agents.onRunEvent(createChatEventBridge(server.broadcast));
      return server;
    },
    start() {
      readiness.done("gateway");
      configReloader.watch();
      // Jobs start once the channels are up, so a catch-up run can announce its result.
      return startAll().then(() => {
        if (current.snapshot.config.cron?.enabled !== false) cron.service.start();
        cron.heartbeat.start();
      });
    },
    async stop(reason) {
      cron.service.stop();
      cron.heartbeat.stop();
      configReloader.close();
      await Promise.all([server?.close(reason), channels.stopAll(), plugins.stopAll()]);
    },
  };
}

/**
 * Scheduled jobs in `<state>/cron/cron.sqlite` and the heartbeat, run through the agents
 * and announced through the channels.
 */
function createCron(
  parts: GatewayParts,
  current: LiveState,
  deps: {
    agents: AgentRuntime;
    channels: ChannelManager;
    broadcast: (event: "cron" | "heartbeat", payload: unknown) => void;
  },
) {
  const storePath = path.join(parts.stateDir, "cron", "cron.sqlite");
  const { agents, channels } = deps;
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
    onEvent: (event) => deps.broadcast("heartbeat", event),
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
      clock: systemClock,
      log,
    }),
    maxConcurrentRuns: () => current.snapshot.config.cron?.maxConcurrentRuns ?? 1,
    onEvent: (event) => deps.broadcast("cron", event),
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

/** The config reloader: checks an edit against the running bind, then swaps `current` and tells `hooks`. */
function createLiveConfig(
  parts: GatewayParts,
  current: LiveState,
  rateLimiter: AuthRateLimiter,
  hooks: { closeStaleCredentials(fingerprint: string): void; applied(): void },
) {
  const { env, cli, bind, stateDir } = parts;
  const applyGatewayConfig = gatewayConfigApplier({
    current,
    env,
    stateDir,
    cli,
    rateLimiter,
    onCredentialChanged: hooks.closeStaleCredentials,
  });
  return createConfigReloader({
    initial: parts.snapshot,
    env,
    log: createLogger("reload"),
    check: (next) => {
      if (!parts.beyondLoopback) return [];
      const nextAuth = resolveGatewayAuth(next.config.gateway, env, cli);
      // A mode change waits for a restart, which checks the secret itself.
      if (nextAuth.mode !== current.auth.mode) return [];
      return liveSecretProblems(nextAuth, { bind, cli, env });
    },
    apply: (next, plan) => {
      applyGatewayConfig(next, plan);
      hooks.applied();
    },
  });
}

/** Agents, channels and plugins, each reading the live config and reaching the others through late-bound calls. */
function createParts(
  parts: GatewayParts,
  current: LiveState,
  gateway: {
    readiness: Readiness;
    routes: RouteTable;
    methods: Map<string, GatewayMethod>;
    rateLimiter: AuthRateLimiter;
    port(): number;
    /** Built-in tools that live above the agents (the `cron` tool). */
    agentTools: readonly AgentTool[];
  },
) {
  const { stateDir, env } = parts;
  const { readiness, routes } = gateway;
  const agents: AgentRuntime = new AgentRuntime({
    stateDir,
    config: () => current.snapshot.config as RuntimeConfig,
    // The channels are built below (they need the agents): a late-bound outbound port.
    outbound: { send: (target, message) => channels.send(target, message) },
    pluginTools: () => [...gateway.agentTools, ...plugins.agentTools()],
  });
  const channels: ChannelManager = new ChannelManager({
    config: () => current.snapshot.config,
    runtime: agents,
    stateDir,
    env,
    onPending: (channel, reason) => readiness.wait(channel, reason),
    onSettled: (channel) => readiness.done(channel),
    registerRoute: (route) => routes.add(route),
    ...(parts.channelFactories ? { factories: parts.channelFactories } : {}),
  });
  const plugins: PluginHost = new PluginHost({
    config: () => current.snapshot.config,
    configDir: () => path.dirname(parts.configPath),
    env,
    stateDir,
    runtime: agents,
    methods: gateway.methods,
    addRoute: (route) => routes.add(route),
    addChannel: (name, factory) => {
      const remove = channels.addFactory(name, factory);
      void channels.sync();
      return remove;
    },
    gatewayPort: gateway.port,
    auth: () => current.auth,
    rateLimiter: gateway.rateLimiter,
    onPending: (id, reason) => readiness.wait(id, reason),
    onSettled: (id) => readiness.done(id),
  });
  return { agents, channels, plugins };
}

/**
 * The gateway's HTTP routes in the order they are tried: health and the OpenAI API,
 * then those channels and plugins add while running (Telegram's webhook, voice-call's),
 * then the Control UI, whose `/*` catches the rest.
 */
class RouteTable {
  base: HttpRoute[] = [];
  ui: HttpRoute[] = [];
  private readonly added = new Set<HttpRoute>();

  add(route: HttpRoute): () => void {
    // The Control UI's catch-all is meant to be shadowed; two routes on one path are a mistake.
    if ([...this.base, ...this.added].some((r) => r.path === route.path)) {
      throw new Error(`the gateway already serves ${route.path}`);
    }
    this.added.add(route);
    return () => void this.added.delete(route);
  }

  all(): HttpRoute[] {
    return [...this.base, ...this.added, ...this.ui];
  }
}
