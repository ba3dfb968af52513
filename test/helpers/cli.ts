import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export const CLI_PATH = path.resolve(import.meta.dirname, "../../dist/index.js");

/** A clean environment: nothing from the developer's shell leaks into a test gateway. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(OPENCLAW_|FLY_|KUBERNETES_|ANTHROPIC_|OPENAI_|GOOGLE_|GEMINI_|BRAVE_|SEARXNG_|DISCORD_|TELEGRAM_|TWILIO_|TELNYX_|NGROK_)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function tempDir(prefix = "openclaw-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A loopback port free right now, for a gateway whose URL must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    proc.on("error", reject);
    proc.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface RunningGateway {
  proc: ChildProcess;
  pid: number;
  port: number;
  host: string;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first stdout/stderr line matching `pattern` (past or future). */
  waitForLine(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and resolves with the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const LISTENING = /^\[gateway\] listening on ws:\/\/(\S+?):(\d+) \(PID (\d+)\)$/m;

/**
 * Spawns `openclaw gateway …` and resolves once it prints its listening line.
 * Rejects with the output if the process exits first.
 */
export function startGateway(args: string[], env: NodeJS.ProcessEnv): Promise<RunningGateway> {
  const proc = spawn(process.execPath, [CLI_PATH, "gateway", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<{ pattern: RegExp; resolve(m: RegExpMatchArray): void }>();
  const check = () => {
    for (const waiter of waiters) {
      const m = `${stdout}\n${stderr}`.match(waiter.pattern);
      if (m) {
        waiters.delete(waiter);
        waiter.resolve(m);
      }
    }
  };
  proc.stdout!.on("data", (d) => {
    stdout += d;
    check();
  });
  proc.stderr!.on("data", (d) => {
    stderr += d;
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("close", (code, signal) => resolve({ code, signal })),
  );
  const waitForLine = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const multiline = new RegExp(
        pattern.source,
        pattern.flags.includes("m") ? pattern.flags : `${pattern.flags}m`,
      );
      waiters.add({ pattern: multiline, resolve });
      check();
      void exited.then(() => {
        check();
        reject(
          new Error(`gateway exited before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`),
        );
      });
    });
  return waitForLine(LISTENING).then((m) => ({
    proc,
    pid: Number(m[3]),
    port: Number(m[2]),
    host: m[1]!,
    output: () => ({ stdout, stderr }),
    waitForLine,
    exited,
    stop: (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  }));
}
