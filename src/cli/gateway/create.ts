import type { ChannelFactory } from "../../channels/types.js";
import type { ConfigSnapshot } from "../../config/load.js";
import { createConfigReloader } from "../../config/reload.js";
import type { BindMode } from "../../config/schema.js";
import { resolveGatewayAuth } from "../../gateway/auth.js";
import type { GatewayClients, GatewayContext } from "../../gateway/context.js";
import { controlUiRoute, defaultControlUiRoot } from "../../gateway/control-ui.js";
import { controlUiConfigRoute, startupRoute } from "../../gateway/control-ui-config.js";
import { CREDENTIAL_CHANGED_REASON, liveSecretProblems } from "../../gateway/credential.js";
import { StateVersions } from "../../gateway/events.js";
import { selfPresence } from "../../gateway/hello.js";
import { gatewayConfigApplier } from "../../gateway/live-config.js";
import { mcpOAuthCallbackRoute } from "../../gateway/mcp-oauth.js";
import type { GatewayMethod } from "../../gateway/methods/types.js";
import type { BindResolution } from "../../gateway/net.js";
import { healthRoutes, Readiness } from "../../gateway/readiness.js";
import { type GatewayServer, startGatewayServer } from "../../gateway/server.js";
import { talkConnectOrigins } from "../../gateway/talk/realtime.js";
import type { HttpRoute } from "../../infra/http.js";
import { createLogger, currentLogFile } from "../../infra/logger.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../../infra/rate-limit.js";
import type { ResolvedAuth } from "../../infra/shared-secret.js";
import { VERSION } from "../../version.js";
import type { RunningParts } from "./parts.js";

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
  /** Serves the WebSocket protocol and HTTP routes on `hosts`:`port` (0 picks a free port). */
  listen(
    hosts: readonly string[],
    port: number,
    effectiveBind: BindResolution["effective"],
  ): Promise<GatewayServer>;
  /**
   * Builds the working parts (agents, channels, plugins, scheduler, RPC methods), marks the
   * gateway ready, watches the config file and starts plugins, channels and jobs; resolves
   * with the parts once they started and messages a crash left unanswered were replayed.
   * Until the parts are built, WebSocket clients wait for their upgrade and the OpenAI route
   * for its answer; health routes answer from the start.
   */
  start(): Promise<RunningParts>;
  /** Stops the server (if listening), channels, plugins and jobs. */
  stop(reason: string): Promise<void>;
}

const log = createLogger("gateway");

/** The running config and auth: edits (config.* RPC, hand edits of the file) swap both. */
interface LiveState {
  snapshot: ConfigSnapshot;
  auth: ResolvedAuth;
}

/**
 * Wires what listening needs: the live config and auth, the health and Control UI routes
 * and the server, with an empty method table. The rest (./parts.ts, loaded on `start()`)
 * is built once the gateway listens, so the listening line comes as early as it can.
 */
export async function createGateway(parts: GatewayParts): Promise<Gateway> {
  let server: GatewayServer | undefined;
  let running: RunningParts | undefined;
  const warm = Promise.withResolvers<RunningParts>();
  // A failed start is reported by start(); waiters just never proceed.
  warm.promise.catch(() => {});
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
    applied: () => void running?.sync(),
  });
  const routes = new RouteTable();
  const methods = new Map<string, GatewayMethod>();
  const built = () => {
    if (!running) throw new Error("the gateway is still starting");
    return running;
  };
  const versions = new StateVersions();
  const disconnects = new Map<string, Set<() => void>>();
  const clients: GatewayClients = {
    subscriptions: (connId) => server?.connection(connId)?.subscriptions,
    presence: () => (server?.connections() ?? []).flatMap((c) => c.presence() ?? []),
    versions: () => versions.snapshot(),
    publishHealth(snapshot) {
      versions.health++;
      server?.broadcast("health", snapshot, "operator.read", { stateVersion: versions.snapshot() });
    },
    publishSessionsChanged(payload) {
      server?.broadcast("sessions.changed", { ...payload, ts: Date.now() }, "operator.read", {
        audience: { kind: "sessions" },
      });
    },
    browserOrigin: (connId) => server?.connection(connId)?.origin,
    sendTo: (connId, event, payload) => server?.connection(connId)?.sendEvent(event, payload),
    onDisconnect(connId, cleanup) {
      if (!server?.connection(connId)) {
        cleanup();
        return () => {};
      }
      const set = disconnects.get(connId) ?? new Set();
      disconnects.set(connId, set.add(cleanup));
      return () => set.delete(cleanup);
    },
  };
  const disconnected = (connId: string) => {
    const set = disconnects.get(connId);
    disconnects.delete(connId);
    for (const cleanup of set ?? []) cleanup();
  };
  /** OpenClaw's `presence` event: the whole list, on every connect and disconnect. */
  const presenceChanged = () => {
    versions.presence++;
    const presence = [selfPresence(context), ...clients.presence()];
    server?.broadcast("presence", { presence }, "operator.read", { stateVersion: versions.snapshot() });
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
    clients,
    logFile: currentLogFile,
    configReloader,
    get agents() {
      return built().agents;
    },
    get channels() {
      return built().channels;
    },
    get plugins() {
      return built().plugins;
    },
    get cron() {
      return built().cron;
    },
    get mcp() {
      return built().mcp;
    },
  };
  /** A route that reads the parts: a request arriving before they are built waits for them. */
  const afterStart = (route: HttpRoute): HttpRoute => ({
    ...route,
    handle: async (req, res, url) => {
      await warm.promise;
      return route.handle(req, res, url);
    },
  });
  const controlUi = parts.snapshot.config.gateway?.controlUi;
  let avatar: Promise<HttpRoute> | undefined;
  routes.base = [
    ...healthRoutes(context),
    startupRoute(context),
    ...(controlUi?.enabled === false
      ? []
      : [
          // It names the default agent: answered once the agents exist.
          afterStart(
            controlUiConfigRoute({
              basePath: controlUi?.basePath ?? "/",
              gateway: context,
              auth: () => current.auth,
              rateLimiter,
            }),
          ),
          <HttpRoute>{
            // OpenClaw's avatar route (large avatar files); its module loads with the first request.
            path: `${(controlUi?.basePath ?? "/").replace(/\/+$/, "")}/avatar/*`,
            methods: ["GET", "HEAD"],
            handle: async (req, res, url) => {
              avatar ??= import("../../gateway/avatar-route.js").then((m) =>
                m.avatarRoute({ gateway: context, auth: () => current.auth, rateLimiter }),
              );
              return (await avatar).handle(req, res, url);
            },
          },
        ]),
    mcpOAuthCallbackRoute({
      basePath: controlUi?.basePath ?? "/",
      signIns: async () => (await warm.promise).mcp.signIns,
      servers: () => current.snapshot.config.mcp?.servers ?? {},
      signedIn: (name) => void running?.mcp.credentialsChanged(name),
    }),
    {
      path: "/v1/chat/completions",
      methods: ["POST"],
      handle: async (req, res, url) => (await warm.promise).chatCompletions.handle(req, res, url),
    },
  ];
  const uiRoot = parts.controlUiRoot ?? defaultControlUiRoot();
  routes.ui =
    controlUi?.enabled === false
      ? []
      : [
          controlUiRoute({
            basePath: controlUi?.basePath ?? "/",
            root: uiRoot,
            connectOrigins: () => talkConnectOrigins(current.snapshot.config),
          }),
        ];

  const build = async (): Promise<RunningParts> => {
    const { buildParts } = await import("./parts.js");
    return buildParts({
      stateDir: parts.stateDir,
      configPath: parts.configPath,
      env: parts.env,
      current,
      readiness,
      rateLimiter,
      methods,
      addRoute: (route) => routes.add(route),
      port: () => server?.port ?? parts.port,
      broadcast: (event, payload, scope, opts) => server?.broadcast(event, payload, scope, opts),
      context,
      ...(parts.channelFactories ? { channelFactories: parts.channelFactories } : {}),
    });
  };

  return {
    context,
    async listen(hosts, port, effectiveBind) {
      server = await startGatewayServer({
        hosts: [...hosts],
        port,
        effectiveBind,
        gateway: context,
        methods,
        accepting: warm.promise.then(() => undefined),
        routes: () => routes.all(),
        auth: (): ResolvedAuth => current.auth,
        allowedOrigins: () => current.snapshot.config.gateway?.controlUi?.allowedOrigins ?? [],
        trustedProxies: () => current.snapshot.config.gateway?.trustedProxies ?? [],
        rateLimiter,
        log,
        onClientsChanged: presenceChanged,
        onClientClosed: disconnected,
      });
      return server;
    },
    async start() {
      try {
        running = await build();
      } catch (err) {
        warm.reject(err);
        throw err;
      }
      warm.resolve(running);
      readiness.done("gateway");
      configReloader.watch();
      await running.sync();
      running.startJobs();
      return running;
    },
    async stop(reason) {
      configReloader.close();
      await Promise.all([server?.close(reason), running?.stop()]);
    },
  };
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
    log: createLogger("config"),
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
