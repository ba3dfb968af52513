import path from "node:path";
import { AgentRuntime, type RuntimeConfig } from "../agents/runtime.js";
import { ChannelManager } from "../channels/manager.js";
import {
  ConfigError,
  type ConfigSnapshot,
  loadConfig,
  loadDotEnv,
  writeMinimalConfig,
} from "../config/load.js";
import {
  resolveConfigPath,
  resolveGatewayPort,
  resolveLockPath,
  resolveLogDir,
  resolveStateDir,
  resolveUserPath,
} from "../config/paths.js";
import { createConfigReloader } from "../config/reload.js";
import { BIND_MODES, type BindMode } from "../config/schema.js";
import type { HttpRoute } from "../infra/http.js";
import {
  closeLogging,
  configureLogging,
  createLogger,
  currentLogFile,
  registerSecret,
} from "../infra/logger.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../infra/rate-limit.js";
import { registerEnvSecrets } from "../infra/redact.js";
import type { ResolvedAuth } from "../infra/shared-secret.js";
import { PluginHost } from "../plugins/host.js";
import { VERSION } from "../version.js";
import { resolveGatewayAuth } from "./auth.js";
import { createChatEventBridge } from "./chat-events.js";
import type { GatewayContext } from "./context.js";
import { controlUiRoute, defaultControlUiRoot } from "./control-ui.js";
import { CREDENTIAL_CHANGED_REASON, checkStartSecret, liveSecretProblems } from "./credential.js";
import { gatewayConfigApplier } from "./live-config.js";
import { acquireGatewayLock, GatewayLockError } from "./lock.js";
import { createMethodTable } from "./methods/index.js";
import { formatWsUrl, resolveBindHosts } from "./net.js";
import { chatCompletionsRoute } from "./openai-http.js";
import { healthRoutes, Readiness } from "./readiness.js";
import { type GatewayServer, startGatewayServer } from "./server.js";

export interface GatewayRunOptions {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  allowUnconfigured?: boolean;
  force?: boolean;
  verbose?: boolean;
}

/** Exit codes: 0 clean stop, 1 start refused or failed. */
const EXIT_REFUSED = 1;
/** SIGTERM must end the process within this, whatever is still pending. */
const SHUTDOWN_DEADLINE_MS = 4500;

const log = createLogger("gateway");

/** Explains a refusal on stderr, one sentence per line, and returns the exit code. */
function refuse(...lines: string[]): number {
  for (const line of lines) log.error(line);
  return EXIT_REFUSED;
}

/**
 * `openclaw gateway`: load config, check bind vs auth, take the lock, listen, and
 * serve until SIGTERM/SIGINT. Resolves with an exit code only when start is refused;
 * once listening, the process ends through the signal handlers.
 */
export async function runGateway(
  opts: GatewayRunOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  configureLogging({ consoleLevel: opts.verbose ? "debug" : "info" });
  const startedAt = Date.now();
  const stateDir = resolveStateDir(env);
  const configPath = resolveConfigPath(env, stateDir);
  await loadDotEnv(path.join(stateDir, ".env"), env);
  // Their values are redacted wherever they show up and kept from child processes.
  registerEnvSecrets(env);

  let snapshot: ConfigSnapshot;
  try {
    snapshot = await loadConfig(configPath, env);
    if (!snapshot.exists && opts.allowUnconfigured) {
      await writeMinimalConfig(configPath);
      log.info(
        `wrote a minimal config to ${configPath} (gateway.mode=local); edit it with \`openclaw config set\``,
      );
      snapshot = await loadConfig(configPath, env);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      return refuse(
        err.message,
        "Fix the file (or run `openclaw doctor`); the gateway does not start on an invalid config.",
      );
    }
    throw err;
  }
  const config = snapshot.config;
  if (!snapshot.exists) {
    return refuse(
      `Missing config at ${configPath}.`,
      "Run `openclaw config set gateway.mode local`, or pass --allow-unconfigured to create one.",
    );
  }
  if (config.gateway?.mode !== "local" && !opts.allowUnconfigured) {
    return refuse(
      `Gateway start blocked: set gateway.mode=local (current: ${config.gateway?.mode ?? "unset"}) or pass --allow-unconfigured.`,
      "Fix: `openclaw config set gateway.mode local`.",
    );
  }

  const bind = (opts.bind ?? config.gateway?.bind ?? "loopback") as BindMode;
  if (!BIND_MODES.includes(bind)) {
    return refuse(`--bind must be one of ${BIND_MODES.join(", ")} (got ${JSON.stringify(opts.bind)}).`);
  }
  let port: number;
  try {
    port = resolveGatewayPort({ cliPort: opts.port, env, configPort: config.gateway?.port });
  } catch (err) {
    return refuse((err as Error).message);
  }

  const auth = resolveGatewayAuth(config.gateway, env, { token: opts.token, password: opts.password });
  registerSecret(auth.token);
  registerSecret(auth.password);
  if (auth.mode === "token" && !auth.token) {
    return refuse(
      "Gateway auth is set to token, but no token is configured.",
      "Set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or pass --token.",
    );
  }
  if (auth.mode === "password" && !auth.password) {
    return refuse(
      "Gateway auth is set to password, but no password is configured.",
      "Set gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.",
    );
  }

  if (auth.mode === "none" && config.gateway?.controlUi?.allowedOrigins?.includes("*")) {
    return refuse(
      'Refusing to start: gateway.controlUi.allowedOrigins "*" lets every website control a gateway without auth; set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or list the exact origins.',
    );
  }

  let resolution: ReturnType<typeof resolveBindHosts>;
  try {
    resolution = resolveBindHosts(bind, { customHost: config.gateway?.customBindHost, env });
  } catch (err) {
    return refuse((err as Error).message);
  }
  const secret = checkStartSecret(auth, {
    bind,
    beyondLoopback: resolution.effective !== "loopback",
    cli: opts,
    env,
  });
  if (secret.refusal) return refuse(...secret.refusal);
  if (secret.warning) log.warn(secret.warning);
  if (resolution.effective !== "loopback" && auth.mode === "none") {
    return refuse(
      `Refusing to bind gateway to ${bind} without auth.`,
      `(${resolution.reason}.) Anyone who can reach ${formatWsUrl(resolution.hosts[0]!, port)} could control it.`,
      "Set OPENCLAW_GATEWAY_TOKEN (on Fly.io: `fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)`),",
      "or set gateway.auth.token in openclaw.json, or pass --token <token>.",
    );
  }

  const logging = config.logging;
  configureLogging({
    fileLevel: logging?.level ?? "info",
    consoleLevel: opts.verbose ? "debug" : (logging?.consoleLevel ?? "info"),
    ...(logging?.file ? { file: resolveUserPath(logging.file, env) } : { dir: resolveLogDir(stateDir) }),
  });

  const lockPath = resolveLockPath(stateDir, configPath);
  let lock: Awaited<ReturnType<typeof acquireGatewayLock>>;
  try {
    lock = await acquireGatewayLock({ lockPath, configPath, port, force: opts.force, log });
  } catch (err) {
    if (err instanceof GatewayLockError) {
      return refuse(
        `Gateway failed to start: ${err.message}`,
        "Stop it first, or pass --force to take over.",
      );
    }
    throw err;
  }

  let server: GatewayServer | undefined;
  const readiness = new Readiness();
  readiness.wait("gateway", "starting");
  const current = { snapshot, auth };
  const rateLimiter = new AuthRateLimiter({ ...DEFAULT_RATE_LIMIT, ...config.gateway?.auth?.rateLimit });
  // Config edits (config.* RPC, hand edits of the file) swap `current` through this.
  const configReloader = createConfigReloader({
    initial: snapshot,
    env,
    log: createLogger("reload"),
    check: (next) => {
      if (resolution.effective === "loopback") return [];
      const nextAuth = resolveGatewayAuth(next.config.gateway, env, opts);
      // A mode change waits for a restart, which checks the secret itself.
      if (nextAuth.mode !== current.auth.mode) return [];
      return liveSecretProblems(nextAuth, { bind, cli: opts, env });
    },
    apply: (next, plan) => {
      applyGatewayConfig(next, plan);
      // Channels whose section changed restart in-process; the rest keep running.
      void Promise.all([plugins.sync(), channels.sync()]).then(() => agents.replay(unanswered));
    },
  });
  const applyGatewayConfig = gatewayConfigApplier({
    current,
    env,
    stateDir,
    cli: opts,
    rateLimiter,
    onCredentialChanged: (fingerprint) =>
      server?.closeStaleCredentials(fingerprint, CREDENTIAL_CHANGED_REASON),
  });
  // Routes channels and plugins add while running (Telegram's webhook, voice-call's), served
  // before the Control UI.
  const channelRoutes = new Set<HttpRoute>();
  const addRoute = (route: HttpRoute) => {
    if ([...baseRoutes, ...channelRoutes].some((r) => r.path === route.path)) {
      throw new Error(`the gateway already serves ${route.path}`);
    }
    channelRoutes.add(route);
    return () => void channelRoutes.delete(route);
  };
  const methods = createMethodTable();
  const agents: AgentRuntime = new AgentRuntime({
    stateDir,
    config: () => current.snapshot.config as RuntimeConfig,
    deliver: (origin, text): Promise<void> => channels.deliver(origin, text),
    // The agents' `message` tool: `user:<id>` is a DM, `channel:<id>` / `group:<id>` a chat.
    sendMessage: ({ channel, to }, text) =>
      channels.deliver({ lastChannel: channel, lastTo: to.replace(/^user:/, "direct:") }, text),
    pluginTools: () => plugins.agentTools(),
  });
  // Messages accepted before a crash are replayed once the channels are up.
  const unanswered = await agents.openJournal(path.join(stateDir, "agents", "inbox.jsonl"));
  const channels: ChannelManager = new ChannelManager({
    config: () => current.snapshot.config,
    runtime: agents,
    stateDir,
    env,
    onPending: (channel, reason) => readiness.wait(channel, reason),
    onSettled: (channel) => readiness.done(channel),
    registerRoute: addRoute,
  });
  const plugins: PluginHost = new PluginHost({
    config: () => current.snapshot.config,
    configDir: () => path.dirname(configPath),
    env,
    stateDir,
    runtime: agents,
    methods,
    addRoute,
    addChannel: (name, factory) => {
      const remove = channels.addFactory(name, factory);
      void channels.sync();
      return remove;
    },
    gatewayPort: () => server?.port ?? port,
    auth: () => current.auth,
    rateLimiter,
    onPending: (id, reason) => readiness.wait(id, reason),
    onSettled: (id) => readiness.done(id),
  });
  const gateway: GatewayContext = {
    version: VERSION,
    pid: process.pid,
    startedAt,
    stateDir,
    config: () => current.snapshot,
    listening: () => server && { bind, hosts: [...server.hosts], port: server.port },
    authMode: () => current.auth.mode,
    readiness: () => readiness.snapshot(),
    clientCount: () => server?.clientCount() ?? 0,
    logFile: currentLogFile,
    configReloader,
    agents,
    channels,
    plugins,
  };
  const controlUi = config.gateway?.controlUi;
  const baseRoutes = [
    ...healthRoutes(gateway),
    chatCompletionsRoute({ gateway, auth: () => current.auth, rateLimiter }),
  ];
  const uiRoutes =
    controlUi?.enabled === false
      ? []
      : [controlUiRoute({ basePath: controlUi?.basePath ?? "/", root: defaultControlUiRoot() })];

  try {
    server = await startGatewayServer({
      hosts: resolution.hosts,
      port,
      effectiveBind: resolution.effective,
      gateway,
      methods,
      routes: () => [...baseRoutes, ...channelRoutes, ...uiRoutes],
      auth: (): ResolvedAuth => current.auth,
      allowedOrigins: () => current.snapshot.config.gateway?.controlUi?.allowedOrigins ?? [],
      trustedProxies: () => current.snapshot.config.gateway?.trustedProxies ?? [],
      rateLimiter,
      log,
    });
  } catch (err) {
    await lock.release();
    const code = (err as NodeJS.ErrnoException).code;
    const url = formatWsUrl(resolution.hosts[0]!, port);
    if (code === "EADDRINUSE") {
      return refuse(
        `Gateway failed to start: another process is already listening on ${url}.`,
        "Pick another --port or stop that process.",
      );
    }
    return refuse(`Gateway failed to start: cannot listen on ${url}: ${(err as Error).message}`);
  }
  agents.onRunEvent(createChatEventBridge(server.broadcast));
  // Handlers first: a supervisor may signal us the moment it sees the listening line.
  installShutdown(server, lock, [channels, plugins]);
  await lock.setPort(server.port);

  log.info(resolution.reason);
  const [primary, ...others] = server.hosts;
  log.info(`listening on ${formatWsUrl(primary!, server.port)} (PID ${process.pid})`);
  for (const host of others) log.info(`listening on ${formatWsUrl(host, server.port)}`);
  readiness.done("gateway");
  log.info(`ready in ${Date.now() - startedAt} ms; log file: ${currentLogFile()}`);
  configReloader.watch();
  void Promise.all([plugins.sync(), channels.sync()]).then(() => agents.replay(unanswered));
  if (auth.mode === "none") {
    log.warn(
      "no gateway token set: only clients on this machine can connect. Set OPENCLAW_GATEWAY_TOKEN before binding beyond loopback.",
    );
  }
  if (
    !env.ANTHROPIC_API_KEY &&
    !env.OPENAI_API_KEY &&
    !env.GOOGLE_API_KEY &&
    !env.GEMINI_API_KEY &&
    !config.models
  ) {
    log.info(
      "next: set a model key (ANTHROPIC_API_KEY, OPENAI_API_KEY or GOOGLE_API_KEY) so agents can answer",
    );
  }
  return 0;
}

function installShutdown(
  server: GatewayServer,
  lock: { release(): Promise<void> },
  owners: { stopAll(): Promise<void> }[],
): void {
  let stopping = false;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // Whatever hangs below, the process must end promptly (Fly sends SIGKILL after its timeout).
    setTimeout(() => process.exit(exitCode), SHUTDOWN_DEADLINE_MS).unref();
    log.info(`received ${reason}; shutting down`);
    try {
      await Promise.all([
        server.close(reason === "SIGUSR1" ? "restart" : reason),
        ...owners.map((o) => o.stopAll()),
      ]);
      await lock.release();
      log.info("stopped cleanly");
    } catch (err) {
      log.error(`error during shutdown: ${(err as Error).message}`);
    }
    await closeLogging();
    process.exit(exitCode);
  };
  process.on("SIGTERM", () => void stop("SIGTERM", 0));
  process.on("SIGINT", () => void stop("SIGINT", 0));
  process.on("unhandledRejection", (reason) => {
    log.error(`unhandled promise rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  });
  process.on("uncaughtException", (err) => {
    log.error(`uncaught exception, exiting: ${err.stack ?? err.message}`);
    void stop("uncaught exception", 1);
  });
}
