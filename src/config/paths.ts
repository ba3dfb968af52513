import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";

export const DEFAULT_GATEWAY_PORT = 18789;

/** `gateway.bind` and `--bind`: here, not in ./schema.ts, so checking `--bind` loads no zod (#23). */
export const BIND_MODES = ["loopback", "lan", "tailnet", "auto", "custom"] as const;
export type BindMode = (typeof BIND_MODES)[number];

type Env = NodeJS.ProcessEnv;

function expandHome(p: string, env: Env): string {
  if (p === "~" || p.startsWith("~/")) return path.join(env.OPENCLAW_HOME || os.homedir(), p.slice(1));
  return p;
}

/** `OPENCLAW_STATE_DIR`, else `~/.openclaw` (home overridable with `OPENCLAW_HOME`). */
export function resolveStateDir(env: Env = process.env): string {
  const fromEnv = env.OPENCLAW_STATE_DIR?.trim();
  if (fromEnv) return path.resolve(expandHome(fromEnv, env));
  return path.join(env.OPENCLAW_HOME || os.homedir(), ".openclaw");
}

/** `OPENCLAW_CONFIG_PATH`, else `<state dir>/openclaw.json`. */
export function resolveConfigPath(env: Env = process.env, stateDir = resolveStateDir(env)): string {
  const fromEnv = env.OPENCLAW_CONFIG_PATH?.trim();
  if (fromEnv) return path.resolve(expandHome(fromEnv, env));
  return path.join(stateDir, "openclaw.json");
}

/** Resolves `~` in a user-supplied path (workspace, log file). */
export function resolveUserPath(p: string, env: Env = process.env, base?: string): string {
  return base === undefined ? path.resolve(expandHome(p, env)) : path.resolve(base, expandHome(p, env));
}

/** Parses a TCP port (0 = pick a free one). Returns undefined for anything else. */
export function parsePort(value: unknown): number | undefined {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** Port precedence: `--port` > `OPENCLAW_GATEWAY_PORT` > `gateway.port` > 18789. */
export function resolveGatewayPort(opts: {
  cliPort?: string | number;
  env?: Env;
  configPort?: number;
}): number {
  const env = opts.env ?? process.env;
  for (const [source, value] of [
    ["--port", opts.cliPort],
    ["OPENCLAW_GATEWAY_PORT", env.OPENCLAW_GATEWAY_PORT],
  ] as const) {
    if (value === undefined || value === "") continue;
    const port = parsePort(value);
    if (port === undefined)
      throw new Error(`${source} must be a port number 0-65535 (got ${JSON.stringify(value)})`);
    return port;
  }
  return opts.configPort ?? DEFAULT_GATEWAY_PORT;
}

/** `<state dir>/gateway.<first 8 hex of sha1(config path)>.lock`, as the Fly.io guide shows. */
export function resolveLockPath(stateDir: string, configPath: string): string {
  const hash = createHash("sha1").update(configPath).digest("hex").slice(0, 8);
  return path.join(stateDir, `gateway.${hash}.lock`);
}

/** Daily JSON-lines log files live here unless `logging.file` says otherwise. */
export function resolveLogDir(stateDir: string): string {
  return path.join(stateDir, "logs");
}
