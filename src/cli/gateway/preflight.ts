import path from "node:path";
import { reportedOpenClawOnly, reportOpenClawOnly } from "../../config/openclaw-only.js";
import {
  BIND_MODES,
  type BindMode,
  resolveConfigPath,
  resolveGatewayPort,
  resolveLockPath,
  resolveLogDir,
  resolveStateDir,
  resolveUserPath,
} from "../../config/paths.js";
import {
  ConfigError,
  type ConfigSnapshot,
  loadConfig,
  loadDotEnv,
  writeMinimalConfig,
} from "../../config/read.js";
import { resolveGatewayAuth } from "../../gateway/auth.js";
import { checkStartSecret } from "../../gateway/credential.js";
import { acquireGatewayLock, GatewayLockError } from "../../gateway/lock.js";
import { type BindResolution, formatWsUrl, resolveBindHosts } from "../../gateway/net.js";
import { configureLogging, createLogger, envLogThreshold, registerSecret } from "../../infra/logger.js";
import { registerEnvSecrets } from "../../infra/redact.js";
import type { ResolvedAuth } from "../../infra/shared-secret.js";

/** `openclaw gateway` flags. */
export interface GatewayRunOptions {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  allowUnconfigured?: boolean;
  force?: boolean;
  verbose?: boolean;
}

/** Everything a start was checked against: what `createGateway` and `serve` build on. */
export interface GatewayPlan {
  opts: GatewayRunOptions;
  env: NodeJS.ProcessEnv;
  startedAt: number;
  stateDir: string;
  configPath: string;
  snapshot: ConfigSnapshot;
  auth: ResolvedAuth;
  bind: BindMode;
  resolution: BindResolution;
  port: number;
  /** Held from here on; `serve` releases it on stop or when it cannot listen. */
  lock: { release(): Promise<void>; setPort(port: number): Promise<void> };
}

/** Why a start may not go ahead: lines of one sentence each, saying what to change. */
export type Refusal = { ok: false; refusal: string[] };

/** A start that may go ahead, or the refusal. */
export type Preflight = { ok: true; plan: GatewayPlan } | Refusal;

const log = createLogger("gateway");

const refused = (...refusal: string[]): Refusal => ({ ok: false, refusal });

/**
 * Checks a start before anything runs: the config loads and says gateway.mode=local,
 * the bind and port are valid, auth has its secret (and a strong one beyond loopback),
 * and no other gateway holds the lock.
 */
export async function preflight(opts: GatewayRunOptions, env: NodeJS.ProcessEnv): Promise<Preflight> {
  configureLogging({ consoleLevel: opts.verbose ? "debug" : "info" });
  const startedAt = Date.now();
  const stateDir = resolveStateDir(env);
  const configPath = resolveConfigPath(env, stateDir);
  await loadDotEnv(path.join(stateDir, ".env"), env);
  // Their values are redacted wherever they show up and kept from child processes.
  registerEnvSecrets(env);

  const loaded = await loadStartConfig(configPath, opts, env);
  if (!loaded.ok) return loaded;
  const { snapshot } = loaded;
  const config = snapshot.config;

  const bind = (opts.bind ?? config.gateway?.bind ?? "loopback") as BindMode;
  if (!BIND_MODES.includes(bind)) {
    return refused(`--bind must be one of ${BIND_MODES.join(", ")} (got ${JSON.stringify(opts.bind)}).`);
  }
  let port: number;
  let resolution: BindResolution;
  try {
    port = resolveGatewayPort({ cliPort: opts.port, env, configPort: config.gateway?.port });
  } catch (err) {
    return refused((err as Error).message);
  }
  const auth = resolveGatewayAuth(config.gateway, env, { token: opts.token, password: opts.password });
  registerSecret(auth.token);
  registerSecret(auth.password);
  const authRefusal = checkAuthSettings(auth, snapshot);
  if (authRefusal) return authRefusal;
  try {
    resolution = resolveBindHosts(bind, { customHost: config.gateway?.customBindHost, env });
  } catch (err) {
    return refused((err as Error).message);
  }
  const exposure = checkExposure({ auth, bind, resolution, port, opts, env });
  if (exposure) return exposure;

  const logging = config.logging;
  configureLogging({
    fileLevel: envLogThreshold(env) ?? logging?.level ?? "info",
    consoleLevel: opts.verbose ? "debug" : (envLogThreshold(env) ?? logging?.consoleLevel ?? "info"),
    ...(logging?.file ? { file: resolveUserPath(logging.file, env) } : { dir: resolveLogDir(stateDir) }),
  });

  reportOpenClawOnly(snapshot.openClawOnly, reportedOpenClawOnly, (msg) => log.warn(msg));

  const lockPath = resolveLockPath(stateDir, configPath);
  try {
    const lock = await acquireGatewayLock({ lockPath, configPath, port, force: opts.force, log });
    const plan = { opts, env, startedAt, stateDir, configPath, snapshot, auth, bind, resolution, port, lock };
    return { ok: true, plan };
  } catch (err) {
    if (err instanceof GatewayLockError) {
      return refused(
        `Gateway failed to start: ${err.message}`,
        "Stop it first, or pass --force to take over.",
      );
    }
    throw err;
  }
}

/** The config file, written minimal with --allow-unconfigured; refused when missing, invalid or not local. */
async function loadStartConfig(
  configPath: string,
  opts: GatewayRunOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ ok: true; snapshot: ConfigSnapshot } | Refusal> {
  let snapshot: ConfigSnapshot;
  try {
    snapshot = await loadConfig(configPath, env);
    if (!snapshot.exists && opts.allowUnconfigured) {
      snapshot = await writeMinimalConfig(configPath);
      log.info(
        `wrote a minimal config to ${configPath} (gateway.mode=local); edit it with \`openclaw config set\``,
      );
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      return refused(
        err.message,
        "Fix the file (or run `openclaw doctor`); the gateway does not start on an invalid config.",
      );
    }
    throw err;
  }
  if (!snapshot.exists) {
    return refused(
      `Missing config at ${configPath}.`,
      "Run `openclaw config set gateway.mode local`, or pass --allow-unconfigured to create one.",
    );
  }
  const mode = snapshot.config.gateway?.mode;
  if (mode !== "local" && !opts.allowUnconfigured) {
    return refused(
      `Gateway start blocked: set gateway.mode=local (current: ${mode ?? "unset"}) or pass --allow-unconfigured.`,
      "Fix: `openclaw config set gateway.mode local`.",
    );
  }
  return { ok: true, snapshot };
}

/** The auth mode has its secret, and no-auth is not combined with a wildcard browser origin. */
function checkAuthSettings(auth: ResolvedAuth, snapshot: ConfigSnapshot): Refusal | undefined {
  if (auth.mode === "token" && !auth.token) {
    return refused(
      "Gateway auth is set to token, but no token is configured.",
      "Set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or pass --token.",
    );
  }
  if (auth.mode === "password" && !auth.password) {
    return refused(
      "Gateway auth is set to password, but no password is configured.",
      "Set gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.",
    );
  }
  if (auth.mode === "none" && snapshot.config.gateway?.controlUi?.allowedOrigins?.includes("*")) {
    return refused(
      'Refusing to start: gateway.controlUi.allowedOrigins "*" lets every website control a gateway without auth; set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or list the exact origins.',
    );
  }
  return undefined;
}

/** Beyond loopback the gateway needs auth with a strong secret; a weak one on loopback is a warning. */
function checkExposure(where: {
  auth: ResolvedAuth;
  bind: BindMode;
  resolution: BindResolution;
  port: number;
  opts: GatewayRunOptions;
  env: NodeJS.ProcessEnv;
}): Refusal | undefined {
  const { auth, bind, resolution, port, opts, env } = where;
  const secret = checkStartSecret(auth, {
    bind,
    beyondLoopback: resolution.effective !== "loopback",
    cli: opts,
    env,
  });
  if (secret.refusal) return refused(...secret.refusal);
  if (secret.warning) log.warn(secret.warning);
  if (resolution.effective !== "loopback" && auth.mode === "none") {
    return refused(
      `Refusing to bind gateway to ${bind} without auth.`,
      `(${resolution.reason}.) Anyone who can reach ${formatWsUrl(resolution.hosts[0]!, port)} could control it.`,
      "Set OPENCLAW_GATEWAY_TOKEN (on Fly.io: `fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)`),",
      "or set gateway.auth.token in openclaw.json, or pass --token <token>.",
    );
  }
  return undefined;
}
