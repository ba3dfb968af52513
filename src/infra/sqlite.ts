import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * The one SQL engine of the gateway: Node's built-in `node:sqlite` (SQLite 3.4x, no native
 * addon to build or download, what OpenClaw itself uses). It is there without a flag from
 * Node 22.13; on 22.12 the entry point (src/index.ts) restarts Node with
 * `--experimental-sqlite` before anything loads. FTS5 is compiled in from Node 22.16 only
 * (measured: 22.13–22.15 answer "no such module: fts5"), so callers must not require it:
 * `hasFts5()` says whether it is there.
 */
export type { DatabaseSync, StatementSync };

/** Whether this Node has `node:sqlite` without a flag (or was started with the flag). */
export function sqliteAvailable(): boolean {
  silenceSqliteWarning();
  return process.getBuiltinModule?.("node:sqlite") !== undefined;
}

function sqlite(): typeof import("node:sqlite") {
  silenceSqliteWarning();
  const mod = process.getBuiltinModule?.("node:sqlite") as typeof import("node:sqlite") | undefined;
  if (!mod) {
    throw new Error(
      `this Node (${process.version}) has no node:sqlite: use Node >= 22.13, or start it with --experimental-sqlite`,
    );
  }
  return mod;
}

/** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

export interface OpenOptions {
  readOnly?: boolean;
  /**
   * What a committed transaction survives. `power-loss` (default, `synchronous = FULL`):
   * every commit waits for an fsync, on the event loop since node:sqlite is synchronous (0.5 ms
   * to 40 ms here). `process-crash` (`synchronous = NORMAL` in WAL mode): a commit survives
   * kill -9 of this process but may be lost with the machine's power; for data the gateway
   * can rebuild or that another fsynced file already carries (the session index beside the
   * journal and transcripts, the memory index beside the notes).
   */
  durability?: "power-loss" | "process-crash";
}

/**
 * Opens (creating if needed) a database file in WAL mode (readers never block the writer)
 * with the durability asked for.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): DatabaseSync {
  const { DatabaseSync } = sqlite();
  const db = new DatabaseSync(file, { readOnly: opts.readOnly ?? false });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!opts.readOnly) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${opts.durability === "process-crash" ? "NORMAL" : "FULL"}`);
    db.exec("PRAGMA foreign_keys = ON");
  }
  return db;
}

/** Runs `fn` in one transaction (BEGIN IMMEDIATE: takes the write lock first); rolls back on throw. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  let result: T;
  try {
    result = fn();
  } catch (err) {
    // (`db.isTransaction` exists from Node 22.16 only; a failed COMMIT is rolled back by SQLite.)
    db.exec("ROLLBACK");
    throw err;
  }
  db.exec("COMMIT");
  return result;
}

/** Whether this SQLite build has FTS5 (Node >= 22.16). */
export function hasFts5(db: DatabaseSync): boolean {
  try {
    db.exec("CREATE VIRTUAL TABLE temp.__fts5_probe USING fts5(x)");
    db.exec("DROP TABLE temp.__fts5_probe");
    return true;
  } catch {
    return false;
  }
}

/**
 * Node prints "ExperimentalWarning: SQLite is an experimental feature" on first use (22.x
 * and 24.x): a user would read it as a problem with the gateway. Only that warning is
 * dropped; every other warning still prints.
 */
let silenced = false;
export function silenceSqliteWarning(): void {
  if (silenced) return;
  silenced = true;
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === "ExperimentalWarning" && /SQLite/i.test(text)) return;
    (original as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
