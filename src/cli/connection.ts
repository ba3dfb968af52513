import { loadConfig } from "../config/load.js";
import { resolveConfigPath, resolveGatewayPort, resolveLockPath, resolveStateDir } from "../config/paths.js";
import { GatewayClient, GatewayResponseError, GatewayTransportError } from "../gateway/client.js";
import { inspectGatewayLock } from "../gateway/lock.js";

export interface ClientFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

/**
 * Connects to the gateway as the CLI. Without `--url` it targets the local gateway
 * (port from OPENCLAW_GATEWAY_PORT, else the running gateway's lock file, else
 * openclaw.json; token by the same rules the gateway uses);
 * with `--url` credentials must be passed explicitly or via `gateway.remote`.
 */
export async function connectFromCli(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env) {
  const stateDir = resolveStateDir(env);
  const configPath = resolveConfigPath(env, stateDir);
  const { config } = await loadConfig(configPath, env).catch(() => ({
    config: {} as never,
  }));
  const gateway = (config as { gateway?: import("../config/schema.js").GatewayConfig }).gateway;
  const remote = flags.url !== undefined;
  // The running gateway's lock records the port it really bound (`--port 0`, `--port` overrides).
  const lock = env.OPENCLAW_GATEWAY_PORT
    ? undefined
    : await inspectGatewayLock(resolveLockPath(stateDir, configPath));
  const port = (lock?.alive && lock.owner?.port) || resolveGatewayPort({ env, configPort: gateway?.port });
  const url = flags.url ?? `ws://127.0.0.1:${port}`;
  const token =
    flags.token ?? (remote ? gateway?.remote?.token : env.OPENCLAW_GATEWAY_TOKEN || gateway?.auth?.token);
  const password =
    flags.password ??
    (remote ? gateway?.remote?.password : env.OPENCLAW_GATEWAY_PASSWORD || gateway?.auth?.password);
  const timeoutMs = flags.timeout ? Number(flags.timeout) : 10_000;
  return { ...(await GatewayClient.connect({ url, token, password, timeoutMs })), url };
}

/**
 * One RPC through the running gateway (it owns the state files then), or, when no gateway
 * answers on this machine, `offline()` working on the state dir directly.
 */
export async function callGatewayOrOffline<T>(
  method: string,
  params: unknown,
  offline: () => Promise<T>,
): Promise<T> {
  let client: GatewayClient | undefined;
  try {
    ({ client } = await connectFromCli({ timeout: "3000" }));
  } catch (err) {
    if (!(err instanceof GatewayTransportError)) throw err;
  }
  if (!client) return offline();
  try {
    return (await client.request(method, params)) as T;
  } finally {
    await client.close();
  }
}

/** Runs one RPC for a CLI command and prints the result; returns the exit code. */
export async function callAndPrint(
  method: string,
  params: unknown,
  flags: ClientFlags,
  format: (payload: unknown) => string = (p) => JSON.stringify(p, null, 2),
): Promise<number> {
  try {
    const { client } = await connectFromCli(flags);
    try {
      const payload = await client.request(method, params, flags.timeout ? Number(flags.timeout) : 30_000);
      process.stdout.write(`${flags.json ? JSON.stringify(payload, null, 2) : format(payload)}\n`);
      return 0;
    } finally {
      await client.close();
    }
  } catch (err) {
    if (err instanceof GatewayResponseError) {
      process.stderr.write(`error: ${err.message} [${err.error.code}]\n`);
      return 1;
    }
    if (err instanceof GatewayTransportError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
