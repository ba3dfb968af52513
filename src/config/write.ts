import { readFile, rename } from "node:fs/promises";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import { VERSION } from "../version.js";
import { isPlainObject } from "./include.js";
import {
  ConfigError,
  type ConfigSnapshot,
  hashConfigText,
  parseConfigDocument,
  snapshotFromText,
} from "./load.js";

/** `openclaw.json.bak` plus `.bak.1` … `.bak.4`, as OpenClaw keeps. */
export const BACKUP_COUNT = 5;

/** The file changed since the editor read it (its `baseHash` is stale). */
export class ConfigConflictError extends Error {
  readonly code = "CONFLICT";
  constructor(
    readonly file: string,
    readonly currentHash: string,
  ) {
    super(
      `${file} changed since it was read (baseHash is stale); read it again (config.get) and re-apply your edit`,
    );
    this.name = "ConfigConflictError";
  }
}

export interface WriteConfigOptions {
  file: string;
  /** The new document (as the file should hold it: `${VAR}` and `$include` unresolved). */
  document: Record<string, unknown>;
  /** sha256 of the file the edit started from ("" = no file); omit to skip the check. */
  baseHash?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Problems the caller has with the new config (one line each); any refuses the write.
   * Callers pass bundled plugins' checks (`plugins/validate.ts`) and the running gateway's:
   * config sits below both and knows neither.
   */
  check?: (snapshot: ConfigSnapshot) => string[];
}

/** Paths of the backup ring, newest first. */
export function backupPaths(file: string): string[] {
  return Array.from({ length: BACKUP_COUNT }, (_, i) => (i === 0 ? `${file}.bak` : `${file}.bak.${i}`));
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier write to `file` in this process has finished. */
function serialize<T>(file: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return run;
}

async function readCurrent(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return "";
    throw err;
  }
}

/** Shifts the ring (.bak → .bak.1 …, the oldest falls off) and saves `text` as `.bak`. */
async function rotateBackups(file: string, text: string): Promise<void> {
  const ring = backupPaths(file);
  for (let i = ring.length - 1; i > 0; i--) {
    await rename(ring[i - 1]!, ring[i]!).catch((err) => {
      if (!isErrnoCode(err, "ENOENT")) throw err;
    });
  }
  await writeFileAtomic(ring[0]!, text, 0o600);
}

/** Stamps `meta.lastTouchedVersion` / `meta.lastTouchedAt`, as every OpenClaw write does. */
function stampMeta(document: Record<string, unknown>, now: Date): Record<string, unknown> {
  const meta = isPlainObject(document.meta) ? document.meta : {};
  return { ...document, meta: { ...meta, lastTouchedVersion: VERSION, lastTouchedAt: now.toISOString() } };
}

/**
 * Validates and writes a config document: the whole config (includes, `${VAR}`) must
 * be valid first; then the current file goes to the backup ring and the new text
 * replaces it atomically (temp + fsync + rename, mode 0600). Writes to one file are
 * serialized within the process, and a stale `baseHash` fails with ConfigConflictError.
 *
 * The file is written as formatted JSON (valid JSON5): comments in a hand-written
 * file are not kept (the previous text stays in `openclaw.json.bak`).
 */
export function writeConfig(opts: WriteConfigOptions): Promise<ConfigSnapshot> {
  return serialize(opts.file, async () => {
    const current = await readCurrent(opts.file);
    if (opts.baseHash !== undefined && opts.baseHash !== hashConfigText(current)) {
      throw new ConfigConflictError(opts.file, hashConfigText(current));
    }
    const document = stampMeta(opts.document, new Date());
    const text = `${JSON.stringify(document, null, 2)}\n`;
    const snapshot = snapshotFromText(opts.file, text, opts.env ?? process.env);
    const problems = opts.check?.(snapshot) ?? [];
    if (problems.length > 0) throw new ConfigError(opts.file, problems);
    if (current !== "") await rotateBackups(opts.file, current);
    await writeFileAtomic(opts.file, text, 0o600);
    return snapshot;
  });
}

/** `config.apply`: whole JSON5 text, parsed then written like any other edit. */
export function writeConfigText(opts: Omit<WriteConfigOptions, "document"> & { raw: string }) {
  return writeConfig({ ...opts, document: parseConfigDocument(opts.file, opts.raw) });
}
