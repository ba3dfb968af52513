import type { Command } from "commander";
import { addClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";

/**
 * The exit code `openclaw gateway restart` asks the gateway to leave with (EX_TEMPFAIL):
 * non-zero, so a supervisor with an on-failure policy (Fly machines, Docker `--restart`,
 * systemd `Restart=on-failure`) starts it again; it re-reads everything on start.
 */
export const RESTART_EXIT_CODE = 75;

/** How long `gateway stop`/`restart` wait for the process to go, polling its pid. */
const STOP_WAIT_MS = 15_000;
const STOP_POLL_MS = 100;

interface LocalGateway {
  pid: number;
  port: number;
  startedAt: string;
  configPath: string;
}

/** The gateway that holds this state dir's lock, if it is alive. */
async function localGateway(): Promise<{ gateway?: LocalGateway; why?: string; lockPath: string }> {
  const { resolveConfigPath, resolveLockPath, resolveStateDir } = await import("../config/paths.js");
  const { inspectGatewayLock } = await import("../gateway/lock.js");
  const stateDir = resolveStateDir();
  const lockPath = resolveLockPath(stateDir, resolveConfigPath(process.env, stateDir));
  const lock = await inspectGatewayLock(lockPath);
  if (!lock) return { lockPath, why: "no gateway lock on this state dir" };
  if (!lock.alive || !lock.owner) return { lockPath, why: `stale lock (${lock.why ?? "not running"})` };
  const { pid, port, startedAt, configPath } = lock.owner;
  return { lockPath, gateway: { pid, port, startedAt, configPath } };
}

/** A round trip to the gateway: connect (auth included) and `health`. */
async function probe(
  flags: ClientFlags,
): Promise<{ ok: boolean; url?: string; ms: number; error?: string; health?: unknown }> {
  const { connectFromCli } = await import("./connection.js");
  const started = performance.now();
  try {
    const { client, url } = await connectFromCli(flags);
    try {
      const health = await client.request("health", {});
      return { ok: true, url, ms: Math.round(performance.now() - started), health };
    } finally {
      await client.close();
    }
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

function print(flags: { json?: boolean }, value: unknown, text: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals the local gateway and waits (bounded) until its process is gone. */
async function signalAndWait(
  signal: NodeJS.Signals,
  flags: { json?: boolean },
  verb: string,
): Promise<number> {
  const { gateway, why } = await localGateway();
  if (!gateway) {
    print(flags, { ok: false, reason: why }, `no running gateway on this machine: ${why}`);
    return 1;
  }
  process.kill(gateway.pid, signal);
  const deadline = Date.now() + STOP_WAIT_MS;
  const { setTimeout: delay } = await import("node:timers/promises");
  while (alive(gateway.pid) && Date.now() < deadline) await delay(STOP_POLL_MS);
  const gone = !alive(gateway.pid);
  print(
    flags,
    { ok: gone, pid: gateway.pid, signal },
    gone
      ? `gateway (pid ${gateway.pid}) ${verb}`
      : `gateway (pid ${gateway.pid}) still running after ${STOP_WAIT_MS / 1000} s`,
  );
  return gone ? 0 : 1;
}

/** `openclaw gateway status|probe|health|stop|restart`, as OpenClaw names them. */
export function registerGatewayControl(gateway: Command): void {
  addClientOptions(gateway.command("status").description("is a gateway running here, and does it answer?"))
    .option("--json", "print JSON")
    .action(async (flags: ClientFlags) => {
      const local = await localGateway();
      const answer = await probe(flags);
      const value = {
        local: local.gateway ?? null,
        localReason: local.why,
        lockPath: local.lockPath,
        rpc: answer,
      };
      const lines = [
        local.gateway
          ? `process  pid ${local.gateway.pid}, port ${local.gateway.port}, since ${local.gateway.startedAt}`
          : `process  none (${local.why})`,
        answer.ok ? `rpc      ok (${answer.url}, ${answer.ms} ms)` : `rpc      failed: ${answer.error}`,
      ];
      print(flags, value, lines.join("\n"));
      process.exitCode = answer.ok ? 0 : 1;
    });
  addClientOptions(
    gateway.command("probe").description("connect, authenticate and ask for health; exit 1 if that fails"),
  )
    .option("--json", "print JSON")
    .action(async (flags: ClientFlags) => {
      const answer = await probe(flags);
      print(
        flags,
        answer,
        answer.ok ? `reachable: ${answer.url} (${answer.ms} ms)` : `unreachable: ${answer.error}`,
      );
      process.exitCode = answer.ok ? 0 : 1;
    });
  addClientOptions(
    gateway.command("health").description("the running gateway's health (same as `openclaw health`)"),
  )
    .option("--json", "print raw JSON")
    .action(async (flags: ClientFlags) => {
      const { callAndPrint } = await import("./connection.js");
      const { formatHealth } = await import("./rpc-commands.js");
      process.exitCode = await callAndPrint("health", {}, flags, formatHealth);
    });
  gateway
    .command("stop")
    .description("stop the gateway running on this state dir (SIGTERM; it shuts down cleanly)")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await signalAndWait("SIGTERM", flags, "stopped");
    });
  gateway
    .command("restart")
    .description(
      `make the gateway exit with code ${RESTART_EXIT_CODE} so its supervisor (Fly, Docker --restart, systemd) starts it again`,
    )
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await signalAndWait("SIGUSR1", flags, "exited for its supervisor to restart it");
    });
}
