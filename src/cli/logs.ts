import type { Command } from "commander";
import type { LogTail } from "../gateway/methods/logs.js";
import { addClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";

/** OpenClaw's defaults for `openclaw logs`. */
const DEFAULT_LIMIT = "200";
const DEFAULT_MAX_BYTES = "250000";
const DEFAULT_INTERVAL_MS = "1000";
/** Shortest poll interval `--follow` accepts: faster only loads the gateway for nothing. */
const MIN_INTERVAL_MS = 100;

interface LogsFlags extends ClientFlags {
  follow?: boolean;
  json?: boolean;
  limit: string;
  maxBytes: string;
  interval: string;
  plain?: boolean;
  utc?: boolean;
  localTime?: boolean;
  color?: boolean;
}

/** What `logs.tail` answers. */
type Tail = LogTail;

interface Record_ {
  time?: string;
  level?: string;
  subsystem?: string;
  msg?: string;
  [field: string]: unknown;
}

function wholeNumber(raw: string, flag: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be a whole number ≥ ${min}, got ${raw}`);
  return n;
}

const LEVEL_COLOR: Record<string, string> = { error: "31", warn: "33", debug: "90" };

/** One log line for people: `time level [subsystem] message`, coloured unless told not to. */
export function formatLogLine(line: string, opts: { utc?: boolean; color: boolean }): string {
  let record: Record_;
  try {
    record = JSON.parse(line) as Record_;
  } catch {
    return line;
  }
  const at = record.time ? new Date(record.time) : undefined;
  const when =
    at && !Number.isNaN(at.getTime())
      ? opts.utc
        ? at.toISOString().replace("T", " ").slice(0, 19)
        : `${at.toLocaleDateString("sv")} ${at.toLocaleTimeString("sv")}`
      : "";
  const level = (record.level ?? "info").padEnd(5);
  const text = `${when} ${level} [${record.subsystem ?? "-"}] ${record.msg ?? ""}`.trim();
  const color = LEVEL_COLOR[record.level ?? ""];
  return opts.color && color ? `\u001b[${color}m${text}\u001b[0m` : text;
}

/** `--json`: OpenClaw's line-delimited events, `{"type":"log",…}` per record. */
function jsonEvent(line: string): string {
  try {
    const { msg, ...rest } = JSON.parse(line) as Record_;
    return JSON.stringify({ type: "log", ...rest, message: msg });
  } catch {
    return JSON.stringify({ type: "log", raw: line });
  }
}

/** `openclaw logs [--follow] [--json]`: the gateway's log file through `logs.tail`, as OpenClaw does. */
export function registerLogsCommand(program: Command): void {
  addClientOptions(
    program.command("logs").description("tail the gateway's log file over RPC (works remotely)"),
  )
    .option("--follow", "keep printing new lines")
    .option("--json", "line-delimited JSON events")
    .option("--limit <n>", "most lines to print at first", DEFAULT_LIMIT)
    .option("--max-bytes <n>", "most bytes to read from the file per call", DEFAULT_MAX_BYTES)
    .option("--interval <ms>", "poll interval while following", DEFAULT_INTERVAL_MS)
    .option("--plain", "plain text, no colours")
    .option("--utc", "timestamps in UTC")
    .option("--local-time", "timestamps in local time (the default)")
    .action(async (flags: LogsFlags) => {
      process.exitCode = await runLogs(flags);
    });
}

async function runLogs(flags: LogsFlags): Promise<number> {
  let limit: number;
  let maxBytes: number;
  let interval: number;
  try {
    limit = wholeNumber(flags.limit, "--limit", 1);
    maxBytes = wholeNumber(flags.maxBytes, "--max-bytes", 1);
    interval = wholeNumber(flags.interval, "--interval", MIN_INTERVAL_MS);
  } catch (err) {
    if (flags.json)
      process.stdout.write(
        `${JSON.stringify({ ok: false, error: { type: "cli_error", message: (err as Error).message } })}\n`,
      );
    else process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  const color =
    !flags.plain && flags.color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
  const print = (lines: string[]) => {
    for (const line of lines)
      process.stdout.write(
        `${flags.json ? jsonEvent(line) : formatLogLine(line, { utc: flags.utc, color })}\n`,
      );
  };
  const { connectFromCli } = await import("./connection.js");
  const { client } = await connectFromCli(flags).catch((err: Error) => {
    process.stderr.write(`error: ${err.message}\n`);
    return { client: undefined };
  });
  if (!client) return 1;
  try {
    let tail = (await client.request("logs.tail", { limit, maxBytes })) as Tail;
    if (flags.json)
      process.stdout.write(
        `${JSON.stringify({ type: "meta", file: tail.file, cursor: tail.cursor, size: tail.size })}\n`,
      );
    else if (!tail.file) process.stderr.write("the gateway writes no log file\n");
    print(tail.lines);
    if (!flags.follow) return 0;
    const { setTimeout: delay } = await import("node:timers/promises");
    const stopped = new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    let done = false;
    void stopped.then(() => (done = true));
    while (!done) {
      await Promise.race([delay(interval), stopped]);
      if (done) break;
      tail = (await client.request("logs.tail", { cursor: tail.cursor, maxBytes })) as Tail;
      print(tail.lines);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}
