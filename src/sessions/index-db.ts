import { closeSync, openSync } from "node:fs";
import type { DatabaseSync, StatementSync } from "../infra/sqlite.js";
import { openDatabase, transaction } from "../infra/sqlite.js";
import { countSql, encodeCursor, type PageQuery, pageSql } from "./index-query.js";
import { TranscriptSearchIndex } from "./search-index.js";

export type { ArchivedFilter, PageQuery, SortDir, SortKey } from "./index-query.js";
export { SORT_KEYS } from "./index-query.js";

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
  /** When the session was archived (OpenClaw's field): hidden from the default list, kept on disk. */
  archivedAt?: number;
  /** When the session was pinned (OpenClaw's field): pinned sessions lead the default list. */
  pinnedAt?: number;
  /** When the user last read it, and when they marked it unread (OpenClaw's fields; see sessionRow). */
  lastReadAt?: number;
  markedUnreadAt?: number;
  [field: string]: unknown;
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
  /** Full-text search of user and assistant messages (undefined: this SQLite has no FTS5). */
  readonly search: TranscriptSearchIndex | undefined;
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
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Columns added in schema 2 (sorting and archive): filled from each row's JSON once, then
 * written with every put. One index per order, led by `archived`, so the default list
 * (active only) and the archived list are each one index range.
 */
const SCHEMA_2_COLUMNS = {
  created_at: "INTEGER NOT NULL DEFAULT 0",
  total_tokens: "INTEGER NOT NULL DEFAULT 0",
  sort_name: "TEXT NOT NULL DEFAULT ''",
  archived: "INTEGER NOT NULL DEFAULT 0",
};
const SCHEMA_2 = `
UPDATE sessions SET
  created_at = coalesce(json_extract(entry, '$.createdAt'), updated_at),
  total_tokens = coalesce(json_extract(entry, '$.totalTokens'), 0),
  sort_name = lower(coalesce(label, key)),
  archived = json_extract(entry, '$.archivedAt') IS NOT NULL;
DROP INDEX IF EXISTS sessions_newest;
CREATE INDEX IF NOT EXISTS sessions_by_updated ON sessions(archived, updated_at, key);
CREATE INDEX IF NOT EXISTS sessions_by_created ON sessions(archived, created_at, key);
CREATE INDEX IF NOT EXISTS sessions_by_tokens ON sessions(archived, total_tokens, key);
CREATE INDEX IF NOT EXISTS sessions_by_name ON sessions(archived, sort_name, key);
CREATE INDEX IF NOT EXISTS sessions_by_session_id ON sessions(session_id);
INSERT INTO meta (name, value) VALUES ('schema', '2') ON CONFLICT(name) DO UPDATE SET value = '2';
`;

/** Schema 3: pins (0 = not pinned), and the index the default order (pinned first) reads. */
const SCHEMA_3 = `
ALTER TABLE sessions ADD COLUMN pinned_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET pinned_at = coalesce(json_extract(entry, '$.pinnedAt'), 0);
CREATE INDEX IF NOT EXISTS sessions_by_pin ON sessions(archived, pinned_at, updated_at, key);
INSERT INTO meta (name, value) VALUES ('schema', '3') ON CONFLICT(name) DO UPDATE SET value = '3';
`;

/** Longest search string accepted: a LIKE pattern is scanned against every row. */
export const MAX_SEARCH_CHARS = 200;

/** SQLite implementation: one file per agent, WAL, each change its own committed transaction. */
export class SqliteSessionIndex implements SessionIndex {
  private readonly db: DatabaseSync;
  private readonly stmts: Record<
    "get" | "archived" | "put" | "del" | "count" | "meta" | "setMeta",
    StatementSync
  >;
  /** Rows per lifecycle ([active, archived]) kept in step with put/delete: a page needs no COUNT(*) scan. */
  private readonly rows: [number, number];
  private closed = false;
  readonly search: TranscriptSearchIndex | undefined;

  constructor(readonly file: string) {
    // Created owner-only before SQLite opens it: its -wal and -shm files copy these permissions.
    closeSync(openSync(file, "a", 0o600));
    // Survives kill -9 without an fsync per commit on the event loop: acknowledged messages are
    // carried by the fsynced journal and transcripts, not by this index.
    this.db = openDatabase(file, { durability: "process-crash" });
    this.db.exec(SCHEMA);
    this.migrate();
    this.stmts = {
      get: this.db.prepare("SELECT entry FROM sessions WHERE key = ?"),
      archived: this.db.prepare("SELECT archived FROM sessions WHERE key = ?"),
      put: this.db.prepare(
        `INSERT INTO sessions (key, session_id, updated_at, label, channel, entry, created_at, total_tokens, sort_name, archived, pinned_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET session_id = excluded.session_id, updated_at = excluded.updated_at,
         label = excluded.label, channel = excluded.channel, entry = excluded.entry, created_at = excluded.created_at,
         total_tokens = excluded.total_tokens, sort_name = excluded.sort_name, archived = excluded.archived,
         pinned_at = excluded.pinned_at`,
      ),
      del: this.db.prepare("DELETE FROM sessions WHERE key = ? RETURNING archived"),
      count: this.db.prepare("SELECT archived, count(*) AS n FROM sessions GROUP BY archived"),
      meta: this.db.prepare("SELECT value FROM meta WHERE name = ?"),
      setMeta: this.db.prepare(
        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      ),
    };
    this.rows = [0, 0];
    for (const row of this.stmts.count.all() as { archived: number; n: number }[]) {
      this.rows[row.archived ? 1 : 0] = Number(row.n);
    }
    this.search = TranscriptSearchIndex.open(this.db);
  }

  get(key: string): SessionEntry | undefined {
    const row = this.stmts.get.get(key) as { entry: string } | undefined;
    return row ? (JSON.parse(row.entry) as SessionEntry) : undefined;
  }

  put(rows: readonly { key: string; entry: SessionEntry }[], meta: Record<string, string> = {}): void {
    const delta = transaction(this.db, () => {
      for (const [name, value] of Object.entries(meta)) this.stmts.setMeta.run(name, value);
      const d: [number, number] = [0, 0];
      for (const { key, entry } of rows) {
        const before = this.stmts.archived.get(key) as { archived: number } | undefined;
        if (before) d[before.archived ? 1 : 0]--;
        const label = entry.label ?? entry.displayName;
        const updatedAt = Math.trunc(entry.updatedAt) || 0;
        const archived = typeof entry.archivedAt === "number" ? 1 : 0;
        this.stmts.put.run(
          key,
          entry.sessionId,
          updatedAt,
          typeof label === "string" ? label : null,
          typeof entry.channel === "string" ? entry.channel : null,
          JSON.stringify(entry),
          Math.trunc(Number(entry.createdAt ?? updatedAt)) || 0,
          Math.trunc(Number(entry.totalTokens ?? 0)) || 0,
          (typeof label === "string" ? label : key).toLowerCase(),
          archived,
          archived ? 0 : Math.trunc(Number(entry.pinnedAt ?? 0)) || 0,
        );
        d[archived]++;
      }
      return d;
    });
    this.rows[0] += delta[0];
    this.rows[1] += delta[1];
  }

  delete(key: string): boolean {
    const row = this.stmts.del.get(key) as { archived: number } | undefined;
    if (row) this.rows[row.archived ? 1 : 0]--;
    return row !== undefined;
  }

  count(): number {
    return this.rows[0] + this.rows[1];
  }

  page(q: PageQuery): Page {
    const limit = q.limit;
    // One row more than asked tells whether another page follows.
    const { sql, args } = pageSql({ ...q, limit: limit + 1 });
    const raw = this.db.prepare(sql).all(...args) as {
      key: string;
      entry: string;
      v: string | number;
      p: number;
    }[];
    const filter = q.archived ?? "all";
    let totalCount = filter === "all" ? this.count() : this.rows[filter === "archived" ? 1 : 0];
    if (q.search) {
      const count = countSql(q);
      totalCount = Number((this.db.prepare(count.sql).get(...count.args) as { n: number }).n);
    }
    const hasMore = raw.length > limit;
    const kept = raw.slice(0, limit);
    const sessions = kept.map((r) => ({ key: r.key, entry: JSON.parse(r.entry) as SessionEntry }));
    const last = kept.at(-1);
    return {
      sessions,
      totalCount,
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor(q, last.v, last.key, last.p) } : {}),
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

  /** Adds schema 2's and 3's columns and indexes to an index written by an older version (once). */
  private migrate(): void {
    const have = new Set(
      (this.db.prepare("PRAGMA table_info(sessions)").all() as { name: string }[]).map((c) => c.name),
    );
    if (!have.has("archived")) {
      transaction(this.db, () => {
        for (const [name, type] of Object.entries(SCHEMA_2_COLUMNS)) {
          this.db.exec(`ALTER TABLE sessions ADD COLUMN ${name} ${type}`);
        }
        this.db.exec(SCHEMA_2);
      });
    }
    if (!have.has("pinned_at")) transaction(this.db, () => this.db.exec(SCHEMA_3));
  }
}
