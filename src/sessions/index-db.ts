import { closeSync, openSync } from "node:fs";
import type { DatabaseSync, StatementSync } from "../infra/sqlite.js";
import { openDatabase, transaction } from "../infra/sqlite.js";

/** One session's index row (OpenClaw's SessionEntry; unknown fields are kept as they are). */
export interface SessionEntry {
  sessionId: string;
  updatedAt: number;
  createdAt?: number;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  contextTokens?: number;
  model?: string;
  modelProvider?: string;
  channel?: string;
  displayName?: string;
  label?: string;
  origin?: Record<string, unknown>;
  lastChannel?: string;
  lastTo?: string;
  /** Compactions written to this session's transcript (OpenClaw's counter). */
  compactionCount?: number;
  /** `compactionCount` when the memory flush last ran: one flush per compaction cycle. */
  memoryFlushCompactionCount?: number;
  memoryFlushAt?: number;
  [field: string]: unknown;
}

export interface PageQuery {
  /** Rows per page. */
  limit: number;
  /** Opaque cursor from the previous page's `nextCursor` (keyset paging: stable under inserts). */
  cursor?: string;
  /** Rows to skip (for UIs that jump to a page number); ignored when `cursor` is given. */
  offset?: number;
  /** Case-insensitive substring of the key, label/display name or channel. */
  search?: string;
}

export interface Page {
  sessions: { key: string; entry: SessionEntry }[];
  totalCount: number;
  hasMore: boolean;
  nextCursor?: string;
}

/**
 * The session index behind the store: everything the store needs from an engine, so
 * another one (Postgres for a multi-instance deployment) could replace SQLite here.
 * Every method costs O(log n) in the number of sessions, never O(n) (except a search).
 */
export interface SessionIndex {
  get(key: string): SessionEntry | undefined;
  /** Inserts or replaces rows (and meta values) in one durable transaction. */
  put(rows: readonly { key: string; entry: SessionEntry }[], meta?: Record<string, string>): void;
  delete(key: string): boolean;
  count(): number;
  page(q: PageQuery): Page;
  /** Small named values (migration markers). */
  meta(name: string): string | undefined;
  setMeta(name: string, value: string): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  key TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  label TEXT,
  channel TEXT,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_newest ON sessions(updated_at DESC, key DESC);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Longest search string accepted: a LIKE pattern is scanned against every row. */
export const MAX_SEARCH_CHARS = 200;

/** SQLite implementation: one file per agent, WAL, each change its own committed transaction. */
export class SqliteSessionIndex implements SessionIndex {
  private readonly db: DatabaseSync;
  private readonly stmts: Record<
    "get" | "put" | "del" | "count" | "first" | "after" | "offset" | "meta" | "setMeta",
    StatementSync
  >;
  /** Row count kept in step with put/delete, so a page needs no COUNT(*) scan. */
  private rows: number;
  private closed = false;

  constructor(readonly file: string) {
    // Created owner-only before SQLite opens it: its -wal and -shm files copy these permissions.
    closeSync(openSync(file, "a", 0o600));
    // Survives kill -9 without an fsync per commit on the event loop: acknowledged messages are
    // carried by the fsynced journal and transcripts, not by this index.
    this.db = openDatabase(file, { durability: "process-crash" });
    this.db.exec(SCHEMA);
    const cols = "key, entry";
    const order = "ORDER BY updated_at DESC, key DESC";
    this.stmts = {
      get: this.db.prepare("SELECT entry FROM sessions WHERE key = ?"),
      put: this.db.prepare(
        `INSERT INTO sessions (key, session_id, updated_at, label, channel, entry) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET session_id = excluded.session_id, updated_at = excluded.updated_at,
         label = excluded.label, channel = excluded.channel, entry = excluded.entry`,
      ),
      del: this.db.prepare("DELETE FROM sessions WHERE key = ?"),
      count: this.db.prepare("SELECT count(*) AS n FROM sessions"),
      first: this.db.prepare(`SELECT ${cols} FROM sessions ${order} LIMIT ?`),
      after: this.db.prepare(
        `SELECT ${cols} FROM sessions WHERE (updated_at < ? OR (updated_at = ? AND key < ?)) ${order} LIMIT ?`,
      ),
      offset: this.db.prepare(`SELECT ${cols} FROM sessions ${order} LIMIT ? OFFSET ?`),
      meta: this.db.prepare("SELECT value FROM meta WHERE name = ?"),
      setMeta: this.db.prepare(
        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      ),
    };
    this.rows = Number((this.stmts.count.get() as { n: number }).n);
  }

  get(key: string): SessionEntry | undefined {
    const row = this.stmts.get.get(key) as { entry: string } | undefined;
    return row ? (JSON.parse(row.entry) as SessionEntry) : undefined;
  }

  put(rows: readonly { key: string; entry: SessionEntry }[], meta: Record<string, string> = {}): void {
    const added = transaction(this.db, () => {
      for (const [name, value] of Object.entries(meta)) this.stmts.setMeta.run(name, value);
      let n = 0;
      for (const { key, entry } of rows) {
        const existed = this.stmts.get.get(key) !== undefined;
        const label = entry.label ?? entry.displayName;
        this.stmts.put.run(
          key,
          entry.sessionId,
          Math.trunc(entry.updatedAt) || 0,
          typeof label === "string" ? label : null,
          typeof entry.channel === "string" ? entry.channel : null,
          JSON.stringify(entry),
        );
        if (!existed) n++;
      }
      return n;
    });
    this.rows += added;
  }

  delete(key: string): boolean {
    const removed = Number(this.stmts.del.run(key).changes) > 0;
    if (removed) this.rows--;
    return removed;
  }

  count(): number {
    return this.rows;
  }

  page(q: PageQuery): Page {
    const limit = q.limit;
    // One row more than asked tells whether another page follows.
    let raw: { key: string; entry: string }[];
    let totalCount = this.rows;
    if (q.search) {
      raw = this.searchPage(q, limit + 1);
      totalCount = this.searchCount(q.search);
    } else if (q.cursor) {
      const at = decodeCursor(q.cursor);
      raw = this.stmts.after.all(at.updatedAt, at.updatedAt, at.key, limit + 1) as typeof raw;
    } else if (q.offset) {
      raw = this.stmts.offset.all(limit + 1, q.offset) as typeof raw;
    } else {
      raw = this.stmts.first.all(limit + 1) as typeof raw;
    }
    const hasMore = raw.length > limit;
    const sessions = raw
      .slice(0, limit)
      .map((r) => ({ key: r.key, entry: JSON.parse(r.entry) as SessionEntry }));
    const last = sessions.at(-1);
    return {
      sessions,
      totalCount,
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor(last.entry.updatedAt, last.key) } : {}),
    };
  }

  meta(name: string): string | undefined {
    return (this.stmts.meta.get(name) as { value: string } | undefined)?.value;
  }

  setMeta(name: string, value: string): void {
    this.stmts.setMeta.run(name, value);
  }

  close(): void {
    // (`db.isOpen` exists from Node 22.15 only.)
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private searchWhere(): string {
    const like = "LIKE ? ESCAPE '\\'";
    return `(key ${like} OR label ${like} OR channel ${like})`;
  }

  private searchPage(q: PageQuery, limit: number): { key: string; entry: string }[] {
    const pattern = likePattern(q.search ?? "");
    const where = [this.searchWhere()];
    const args: (string | number)[] = [pattern, pattern, pattern];
    if (q.cursor) {
      const at = decodeCursor(q.cursor);
      where.push("(updated_at < ? OR (updated_at = ? AND key < ?))");
      args.push(at.updatedAt, at.updatedAt, at.key);
    }
    const sql = `SELECT key, entry FROM sessions WHERE ${where.join(" AND ")}
      ORDER BY updated_at DESC, key DESC LIMIT ? OFFSET ?`;
    return this.db.prepare(sql).all(...args, limit, q.cursor ? 0 : (q.offset ?? 0)) as {
      key: string;
      entry: string;
    }[];
  }

  private searchCount(search: string): number {
    const pattern = likePattern(search);
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM sessions WHERE ${this.searchWhere()}`)
      .get(pattern, pattern, pattern) as { n: number };
    return Number(row.n);
  }
}

/** `%text%` with LIKE's wildcards in `text` taken literally (SQLite's LIKE is case-insensitive for ASCII). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function encodeCursor(updatedAt: number, key: string): string {
  return Buffer.from(JSON.stringify([updatedAt, key])).toString("base64url");
}

function decodeCursor(cursor: string): { updatedAt: number; key: string } {
  try {
    const [updatedAt, key] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof updatedAt === "number" && typeof key === "string") return { updatedAt, key };
  } catch {
    // Falls through to the error below.
  }
  throw new Error("cursor is not one this gateway returned: pass the nextCursor of the previous page");
}
