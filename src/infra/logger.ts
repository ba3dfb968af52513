import { createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from "node:fs";
import path from "node:path";
import { redactText } from "./redact.js";

// Call sites register secrets through the logger; the registry lives with the redaction rules.
export { registerSecret } from "./secrets.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/**
 * Thresholds a config may name: ours plus OpenClaw's `trace` (shown as debug, our finest),
 * `fatal` (as error, our coarsest) and `silent` (nothing at all).
 */
export const LOG_THRESHOLDS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogThreshold = (typeof LOG_THRESHOLDS)[number];

/** `OPENCLAW_LOG_LEVEL` (set by the CLI's `--log-level`): wins over the config for file and console. */
export function envLogThreshold(env: NodeJS.ProcessEnv): LogThreshold | undefined {
  const level = env.OPENCLAW_LOG_LEVEL;
  return (LOG_THRESHOLDS as readonly string[]).includes(level ?? "") ? (level as LogThreshold) : undefined;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(subsystem: string): Logger;
}

export interface LogRecord {
  time: string;
  level: LogLevel;
  subsystem: string;
  msg: string;
  [field: string]: unknown;
}

interface LoggingState {
  consoleLevel: LogThreshold;
  fileLevel: LogThreshold;
  /** Directory for daily files, or an explicit file path (`logging.file`). */
  fileTarget?: { dir: string } | { file: string };
  stream?: WriteStream;
  streamPath?: string;
  streamDay?: string;
  listeners: Set<(record: LogRecord) => void>;
}

const KEEP_DAILY_FILES = 7;
const state: LoggingState = {
  consoleLevel: "info",
  fileLevel: "info",
  listeners: new Set(),
};

/** Position of a level, or of the lowest level a threshold lets through (silent: none). */
const rank = (level: LogThreshold): number =>
  level === "trace"
    ? 0
    : level === "fatal"
      ? rank("error")
      : level === "silent"
        ? LOG_LEVELS.length
        : LOG_LEVELS.indexOf(level);

/** Configures where and how much is logged. Safe to call again on config reload. */
export function configureLogging(opts: {
  consoleLevel?: LogThreshold;
  fileLevel?: LogThreshold;
  /** Explicit log file (`logging.file`); otherwise daily files in `dir`. */
  file?: string;
  dir?: string;
}): void {
  if (opts.consoleLevel) state.consoleLevel = opts.consoleLevel;
  if (opts.fileLevel) state.fileLevel = opts.fileLevel;
  const target = opts.file ? { file: opts.file } : opts.dir ? { dir: opts.dir } : undefined;
  if (JSON.stringify(target) !== JSON.stringify(state.fileTarget)) {
    state.stream?.end();
    state.stream = undefined;
    state.streamPath = undefined;
    state.fileTarget = target;
  }
}

/** The file records are written to now (for `logs.tail`), if file logging is on. */
export function currentLogFile(): string | undefined {
  return state.fileTarget ? resolveFilePath(new Date()) : undefined;
}

/** Observes every record (after redaction); returns an unsubscribe function. */
export function onLogRecord(listener: (record: LogRecord) => void): () => void {
  state.listeners.add(listener);
  return () => state.listeners.delete(listener);
}

/** Flushes and closes the log file (at shutdown). */
export function closeLogging(): Promise<void> {
  const stream = state.stream;
  state.stream = undefined;
  state.streamPath = undefined;
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => stream.end(resolve));
}

export function createLogger(subsystem: string): Logger {
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) =>
    emit(level, subsystem, msg, fields);
  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
    child: (name) => createLogger(`${subsystem}/${name}`),
  };
}

function emit(level: LogLevel, subsystem: string, rawMsg: string, fields?: Record<string, unknown>): void {
  // Registered secrets, URL passwords and URL query values become `***` (see redact.ts).
  const msg = redactText(rawMsg);
  const toConsole = rank(level) >= rank(state.consoleLevel);
  const toFile = state.fileTarget !== undefined && rank(level) >= rank(state.fileLevel);
  if (!toConsole && !toFile && state.listeners.size === 0) return;

  if (toConsole) {
    const line = `[${subsystem}] ${msg}\n`;
    if (rank(level) >= rank("warn")) process.stderr.write(line);
    else process.stdout.write(line);
  }
  const record: LogRecord = { time: new Date().toISOString(), level, subsystem, msg };
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      if (!(key in record)) record[key] = typeof value === "string" ? redactText(value) : value;
    }
  }
  if (toFile) writeRecord(record);
  for (const listener of state.listeners) listener(record);
}

function resolveFilePath(now: Date): string {
  const target = state.fileTarget!;
  if ("file" in target) return target.file;
  return path.join(target.dir, `openclaw-${now.toISOString().slice(0, 10)}.log`);
}

function writeRecord(record: LogRecord): void {
  const now = new Date(record.time);
  const file = resolveFilePath(now);
  if (file !== state.streamPath) openStream(file);
  state.stream?.write(`${JSON.stringify(record)}\n`);
}

function openStream(file: string): void {
  state.stream?.end();
  state.streamPath = file;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (state.fileTarget && "dir" in state.fileTarget) pruneOldFiles(state.fileTarget.dir);
    const stream = createWriteStream(file, { flags: "a", mode: 0o600 });
    stream.on("error", (err) => {
      // A full or read-only disk must not take the gateway down; the console still works.
      process.stderr.write(`[logging] cannot write ${file}: ${err.message}; file logging paused\n`);
      if (state.stream === stream) state.stream = undefined;
    });
    state.stream = stream;
  } catch (err) {
    process.stderr.write(`[logging] cannot open ${file}: ${(err as Error).message}; file logging paused\n`);
    state.stream = undefined;
  }
}

function pruneOldFiles(dir: string): void {
  const daily = readdirSync(dir)
    .filter((name) => /^openclaw-\d{4}-\d{2}-\d{2}\.log$/.test(name))
    .sort();
  for (const name of daily.slice(0, Math.max(0, daily.length - KEEP_DAILY_FILES))) {
    rmSync(path.join(dir, name), { force: true });
  }
}
