import { spawn } from "node:child_process";
import { constants } from "node:os";

const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR2"];

/**
 * Runs this same command in a child Node with `--experimental-sqlite` (Node 22.12, the one
 * supported version without node:sqlite by default), passing stdio through and signals on;
 * resolves with the child's exit code (128 + the signal's number when a signal ended it).
 */
export function runWithSqliteFlag(): Promise<number> {
  const child = spawn(
    process.execPath,
    ["--experimental-sqlite", ...process.execArgv, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on("error", (err) => {
      process.stderr.write(`cannot start Node with --experimental-sqlite: ${err.message}\n`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
