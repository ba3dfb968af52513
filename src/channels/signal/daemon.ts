/**
 * A `signal-cli daemon --http` child process the gateway owns (when `channels.signal.httpUrl`
 * is not set): started on a free loopback port, restarted with backoff when it exits, and
 * given up on — with one clear sentence — when signal-cli or Java is missing or the
 * account is not registered, since restarting cannot fix those.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../infra/logger.js";
import { childProcessEnv } from "../../infra/secrets.js";
import type { ChannelStatus } from "../types.js";
import { createSignalRpc } from "./rpc.js";

export interface DaemonOptions {
  cliPath: string;
  account: string;
  log: Logger;
  setStatus(patch: Partial<ChannelStatus>): void;
  /** Restart delays; a JVM takes seconds to start, so the first wait for it is long. */
  backoff?: { minMs: number; maxMs: number };
  startTimeoutMs?: number;
}

export interface ManagedDaemon {
  url: string;
  /** Settles when the daemon first answers, or with the sentence saying why it never will. */
  ready: Promise<{ ok: true } | { ok: false; fatal: string }>;
  stop(): Promise<void>;
}

/** A daemon that ran this long was healthy: its next restart starts the backoff over. */
const STABLE_MS = 60_000;
const JAVA_MISSING = /JAVA_HOME|'java' command|java: (command )?not found|UnsupportedClassVersionError/i;

export async function startManagedDaemon(opts: DaemonOptions): Promise<ManagedDaemon> {
  const { log, setStatus } = opts;
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const rpc = createSignalRpc(url);
  const backoff = opts.backoff ?? { minMs: 1000, maxMs: 60_000 };
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  let child: ChildProcess | undefined;
  let stopped = false;
  let settleReady!: (r: ReadyResult) => void;
  const ready = new Promise<ReadyResult>((r) => (settleReady = r));

  // The connection's start gate logs the sentence once it is reported as an error.
  const fatal = (sentence: string) => {
    setStatus({ state: "error", connected: false, lastError: sentence });
    settleReady({ ok: false, fatal: sentence });
  };

  /** One run of the process: resolves when it exits (or failed to spawn). */
  async function runOnce(): Promise<RunResult> {
    const args = ["-a", opts.account, "daemon", "--http", `127.0.0.1:${port}`];
    log.debug(`starting ${opts.cliPath} ${args.join(" ")}`);
    const started = Date.now();
    // Its /proc/<pid>/environ is readable by the exec tool's commands: no gateway secrets in it.
    const proc = spawn(opts.cliPath, args, { stdio: ["ignore", "pipe", "pipe"], env: childProcessEnv() });
    child = proc;
    const lines = collectRecentOutput(proc, log);
    const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
      proc.once("error", (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
      proc.once("exit", (code) => resolve({ code }));
    });
    const isStopped = () => stopped;
    void waitUntilAnswering(rpc, exited, started, startTimeoutMs, isStopped).then((up) => {
      if (up) settleReady({ ok: true });
    });
    const { code, error } = await exited;
    child = undefined;
    return { ranMs: Date.now() - started, ...classifyExit(opts, code, error, lines.join("\n")) };
  }

  // Restarts with backoff; a run that was stable starts the backoff over.
  void (async () => {
    let delay = backoff.minMs;
    while (!stopped) {
      const run = await runOnce();
      if (stopped) return;
      if (run.fatal) return fatal(run.fatal);
      if (run.ranMs >= STABLE_MS) delay = backoff.minMs;
      const reason = `signal-cli ${run.reason}; restarting in ${Math.round(delay / 100) / 10} s`;
      log.warn(reason);
      setStatus({ state: "connecting", connected: false, lastError: reason });
      await sleep(delay);
      delay = Math.min(backoff.maxMs, delay * 2);
    }
  })();

  return {
    url,
    ready,
    async stop() {
      stopped = true;
      settleReady({ ok: false, fatal: "stopped" });
      if (child) await terminate(child);
    },
  };
}

type ReadyResult = { ok: true } | { ok: false; fatal: string };
type RunResult = { fatal?: string; ranMs: number; reason: string };

/** Logs the child's output at debug level and keeps its last lines to explain an exit. */
function collectRecentOutput(proc: ChildProcess, log: Logger): string[] {
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (!line.trim()) continue;
      lines.push(line.trim());
      if (lines.length > 20) lines.shift();
      log.debug(`signal-cli: ${line.trim()}`);
    }
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  return lines;
}

/** Why the process ended, with the sentence to show when restarting cannot help. */
function classifyExit(
  opts: Pick<DaemonOptions, "cliPath" | "account">,
  code: number | null,
  error: NodeJS.ErrnoException | undefined,
  output: string,
): Omit<RunResult, "ranMs"> {
  if (error?.code === "ENOENT" || error?.code === "EACCES") {
    return {
      reason: error.code,
      fatal: `signal-cli was not found at "${opts.cliPath}": install signal-cli (and Java 21+, or use its native build), set channels.signal.cliPath to its path, or point channels.signal.httpUrl at a running signal-cli daemon.`,
    };
  }
  if (JAVA_MISSING.test(output)) {
    return {
      reason: "java",
      fatal: `signal-cli could not run Java (${lastLine(output)}): install a Java 21+ runtime (see docs/docker.md), or use signal-cli's native build.`,
    };
  }
  if (/not registered/i.test(output)) {
    return {
      reason: "unregistered",
      fatal: `signal-cli has no registered account ${opts.account}: register it (signal-cli -a ${opts.account} register) or link it (signal-cli link), then restart the gateway.`,
    };
  }
  return { reason: `exited with code ${code}${output ? `: ${lastLine(output)}` : ""}` };
}

/** Polls /api/v1/check until the daemon answers, it exits, or start-up takes too long. */
async function waitUntilAnswering(
  rpc: ReturnType<typeof createSignalRpc>,
  exited: Promise<unknown>,
  since: number,
  startTimeoutMs: number,
  isStopped: () => boolean,
): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone && !isStopped() && Date.now() - since < startTimeoutMs) {
    if (await rpc.check()) return !gone && !isStopped();
    await sleep(200);
  }
  return false;
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exit = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM");
  const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await exit;
  clearTimeout(killer);
}

function lastLine(output: string): string {
  return output.split("\n").at(-1) ?? "";
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
