import type { DatabaseSync, StatementSync } from "../infra/sqlite.js";
import { hasFts5, transaction } from "../infra/sqlite.js";
import type { TranscriptLine } from "./transcript.js";

/**
 * Full-text search over the user and assistant text of every transcript, in the session
 * index's own SQLite file (as OpenClaw keeps its index beside its transcript rows). A
 * message goes in when it is appended (`add` from the store's append hook), so a query
 * never reads a transcript file: it is one FTS5 lookup, newest match first, whatever the
 * number of sessions. Transcripts written before this index existed are read once, in the
 * background, the first time someone searches (the answer says `indexing` meanwhile).
 *
 * The trigram tokenizer makes a query a case-insensitive substring match that works the
 * same for Chinese (no spaces between words) as for English. It needs three characters:
 * a shorter query scans only the newest SHORT_QUERY_SCAN messages and says so.
 */

/** Messages a query of one or two characters looks at (a LIKE scan: bounded, newest first). */
export const SHORT_QUERY_SCAN = 20_000;
/** Characters of text kept per message in the index: a pasted log is searchable by its start. */
export const MAX_INDEXED_CHARS = 20_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS search_messages (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  role TEXT NOT NULL,
  ts TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS search_messages_session ON search_messages(session_id);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  text, content='search_messages', content_rowid='id', tokenize='trigram'
);
CREATE TABLE IF NOT EXISTS search_state (session_id TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS search_messages_entry ON search_messages(session_id, entry_id);
`;

/**
 * How far each transcript is indexed (added after the first release of the index): the
 * byte offset up to which every line is in, and whether the file may be ahead of that.
 */
const STATE_COLUMNS = {
  indexed_bytes: "INTEGER NOT NULL DEFAULT 0",
  dirty: "INTEGER NOT NULL DEFAULT 0",
};

/**
 * `search_state.dirty`: CLEAN, the index holds the file up to `indexed_bytes`; WRITING, a
 * process is (or was, until it died) appending, so lines past `indexed_bytes` may be
 * missing; REBUILD, a rewind moved the conversation to another branch, so the session's
 * rows are read again from its active branch only (as OpenClaw rebuilds its projection).
 */
export const DIRTY = { CLEAN: 0, WRITING: 1, REBUILD: 2 } as const;

export interface IndexState {
  sessionId: string;
  bytes: number;
  dirty: number;
}

export interface IndexedMessage {
  entryId: string;
  role: string;
  timestamp: string;
  text: string;
}

export interface SearchHit extends IndexedMessage {
  key: string;
  sessionId: string;
  archived: boolean;
  /** FTS5's bm25 relevance, negated (larger is better); 0 for a short-query scan. */
  score: number;
}

export interface SearchQuery {
  text: string;
  limit: number;
  /** Search archived sessions' transcripts too (default: active sessions only, as OpenClaw). */
  includeArchived?: boolean;
}

export class TranscriptSearchIndex {
  private readonly stmts: Record<
    | "indexed"
    | "insert"
    | "fts"
    | "rows"
    | "unmark"
    | "dropRows"
    | "state"
    | "setState"
    | "writing"
    | "advance"
    | "has",
    StatementSync
  >;

  private constructor(private readonly db: DatabaseSync) {
    db.exec(SCHEMA);
    const have = new Set(
      (db.prepare("PRAGMA table_info(search_state)").all() as { name: string }[]).map((c) => c.name),
    );
    for (const [name, type] of Object.entries(STATE_COLUMNS))
      if (!have.has(name)) db.exec(`ALTER TABLE search_state ADD COLUMN ${name} ${type}`);
    db.exec("CREATE INDEX IF NOT EXISTS search_state_dirty ON search_state(dirty, session_id)");
    this.stmts = {
      state: db.prepare(
        "SELECT session_id AS sessionId, indexed_bytes AS bytes, dirty FROM search_state WHERE session_id = ?",
      ),
      setState: db.prepare(
        `INSERT INTO search_state (session_id, indexed_bytes, dirty) VALUES (?, ?, ?)
         ON CONFLICT(session_id) DO UPDATE SET indexed_bytes = excluded.indexed_bytes, dirty = excluded.dirty`,
      ),
      writing: db.prepare(
        `UPDATE search_state SET dirty = max(dirty, ${DIRTY.WRITING}) WHERE session_id = ?`,
      ),
      advance: db.prepare(
        "UPDATE search_state SET indexed_bytes = ? WHERE session_id = ? AND indexed_bytes = ?",
      ),
      has: db.prepare("SELECT 1 AS y FROM search_messages WHERE session_id = ? AND entry_id = ? LIMIT 1"),
      indexed: db.prepare("SELECT 1 AS y FROM search_state WHERE session_id = ?"),
      insert: db.prepare(
        "INSERT INTO search_messages (session_id, entry_id, role, ts, text) VALUES (?, ?, ?, ?, ?) RETURNING id",
      ),
      fts: db.prepare("INSERT INTO search_fts (rowid, text) VALUES (?, ?)"),
      rows: db.prepare("SELECT id, text FROM search_messages WHERE session_id = ?"),
      unmark: db.prepare("DELETE FROM search_state WHERE session_id = ?"),
      dropRows: db.prepare("DELETE FROM search_messages WHERE session_id = ?"),
    };
  }

  /** The index, or undefined when this Node's SQLite has no FTS5 (before Node 22.16). */
  static open(db: DatabaseSync): TranscriptSearchIndex | undefined {
    return hasFts5(db) ? new TranscriptSearchIndex(db) : undefined;
  }

  /** Whether the session's transcript is in the index (so each new message must be added). */
  isIndexed(sessionId: string): boolean {
    return this.stmts.indexed.get(sessionId) !== undefined;
  }

  /** Adds messages; with `complete`, also records that the whole transcript (`bytes` long) is now in. */
  add(sessionId: string, messages: readonly IndexedMessage[], complete = false, bytes = 0): void {
    this.addMany([{ sessionId, messages, bytes }], complete);
  }

  /** How far the session's transcript is indexed (undefined: not indexed at all yet). */
  state(sessionId: string): IndexState | undefined {
    return this.stmts.state.get(sessionId) as IndexState | undefined;
  }

  /** Before an append: the file may now get ahead of the index (kept until caught up after a crash). */
  markWriting(sessionId: string): void {
    this.stmts.writing.run(sessionId);
  }

  /** After an append was indexed: `indexed_bytes` moves from `start` to `end` (only if nothing is missing before). */
  advance(sessionId: string, start: number, end: number): void {
    this.stmts.advance.run(end, sessionId, start);
  }

  /** A rewind: the session's rows are read again from its active branch before the next search. */
  markRebuild(sessionId: string): void {
    this.stmts.setState.run(sessionId, this.state(sessionId)?.bytes ?? 0, DIRTY.REBUILD);
  }

  /**
   * Catches a transcript up: `messages` read past `indexed_bytes` are added (those already
   * in, by entry id, are skipped), or with `replace` they are the whole active branch and
   * replace the session's rows; then the state says `bytes` are in, with `dirty`.
   */
  catchUp(
    sessionId: string,
    messages: readonly IndexedMessage[],
    at: { bytes: number; dirty: number; replace: boolean },
  ): void {
    transaction(this.db, () => {
      if (at.replace) this.dropRows(sessionId);
      const fresh = at.replace ? messages : messages.filter((m) => !this.stmts.has.get(sessionId, m.entryId));
      this.insertRows(sessionId, fresh);
      this.stmts.setState.run(sessionId, at.bytes, at.dirty);
    });
  }

  /** Up to `batch` sessions with `dirty` = the given value, after `afterId` (id order: resumable). */
  dirtyAfter(dirty: number, afterId: string, batch: number): IndexState[] {
    return this.db
      .prepare(
        `SELECT session_id AS sessionId, indexed_bytes AS bytes, dirty FROM search_state
         WHERE dirty = ? AND session_id > ? ORDER BY session_id LIMIT ?`,
      )
      .all(dirty, afterId, batch) as unknown as IndexState[];
  }

  /** `add` for many sessions in one transaction (an import, a bench fill). */
  addMany(
    sessions: readonly { sessionId: string; messages: readonly IndexedMessage[]; bytes?: number }[],
    complete = false,
  ): void {
    transaction(this.db, () => {
      for (const { sessionId, messages, bytes } of sessions) {
        this.insertRows(sessionId, messages);
        if (complete) this.stmts.setState.run(sessionId, bytes ?? 0, DIRTY.CLEAN);
      }
    });
  }

  /** Removes a session's messages (its transcript was deleted or reset). */
  drop(sessionId: string): void {
    transaction(this.db, () => {
      this.dropRows(sessionId);
      this.stmts.unmark.run(sessionId);
    });
  }

  private insertRows(sessionId: string, messages: readonly IndexedMessage[]): void {
    for (const m of messages) {
      const text = m.text.slice(0, MAX_INDEXED_CHARS);
      const { id } = this.stmts.insert.get(sessionId, m.entryId, m.role, m.timestamp, text) as {
        id: number;
      };
      this.stmts.fts.run(id, text);
    }
  }

  private dropRows(sessionId: string): void {
    const del = this.db.prepare("INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', ?, ?)");
    for (const row of this.stmts.rows.all(sessionId) as { id: number; text: string }[])
      del.run(row.id, row.text);
    this.stmts.dropRows.run(sessionId);
  }

  /**
   * Up to `batch` sessions after `afterKey` (key order) whose transcripts are not indexed:
   * one pass over the index by key, resumable, for the background backfill.
   */
  unindexedAfter(afterKey: string, batch: number): { pending: string[]; last: string | undefined } {
    const rows = this.db
      .prepare(
        `SELECT s.key, s.session_id AS sessionId, t.session_id AS done FROM
           (SELECT key, session_id FROM sessions WHERE key > ? ORDER BY key LIMIT ?) s
         LEFT JOIN search_state t ON t.session_id = s.session_id`,
      )
      .all(afterKey, batch) as { key: string; sessionId: string; done: string | null }[];
    return { pending: rows.filter((r) => r.done === null).map((r) => r.sessionId), last: rows.at(-1)?.key };
  }

  /** The newest matching messages first, each with its session's key. */
  query(q: SearchQuery): { hits: SearchHit[]; scanLimited: boolean } {
    const text = q.text.trim();
    const lifecycle = q.includeArchived ? "" : "AND s.archived = 0";
    const cols =
      "m.session_id AS sessionId, m.entry_id AS entryId, m.role, m.ts AS timestamp, m.text, s.key, s.archived";
    type Row = Omit<SearchHit, "archived"> & { archived: number };
    let rows: Row[];
    const short = [...text].length < 3;
    if (short) {
      rows = this.db
        .prepare(
          `SELECT ${cols}, 0 AS score FROM (SELECT * FROM search_messages ORDER BY id DESC LIMIT ${SHORT_QUERY_SCAN}) m
           JOIN sessions s ON s.session_id = m.session_id
           WHERE m.text LIKE ? ESCAPE '\\' ${lifecycle} ORDER BY m.id DESC LIMIT ?`,
        )
        .all(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, q.limit) as Row[];
    } else {
      rows = this.db
        .prepare(
          `SELECT ${cols}, -bm25(search_fts) AS score FROM search_fts f
           JOIN search_messages m ON m.id = f.rowid JOIN sessions s ON s.session_id = m.session_id
           WHERE search_fts MATCH ? ${lifecycle} ORDER BY f.rowid DESC LIMIT ?`,
        )
        .all(`"${text.replace(/"/g, '""')}"`, q.limit) as Row[];
    }
    // Whether the short scan left older messages out (an O(SHORT_QUERY_SCAN) probe, not a count).
    const older =
      short &&
      this.db
        .prepare(`SELECT id FROM search_messages ORDER BY id DESC LIMIT 1 OFFSET ${SHORT_QUERY_SCAN}`)
        .get() !== undefined;
    return { hits: rows.map((r) => ({ ...r, archived: r.archived === 1 })), scanLimited: older };
  }
}

/** What of a transcript line is searchable: the text blocks of user and assistant messages. */
export function indexedMessage(line: TranscriptLine): IndexedMessage | undefined {
  if (line.type !== "message" || !("message" in line) || !line.message) return undefined;
  const { role, content } = line.message;
  if (role !== "user" && role !== "assistant") return undefined;
  const blocks: unknown[] =
    typeof content === "string" ? [{ text: content }] : Array.isArray(content) ? content : [];
  const text = blocks
    .map((b) => (b && typeof b === "object" && "text" in b && typeof b.text === "string" ? b.text : ""))
    .filter(Boolean)
    .join("\n");
  return text ? { entryId: String(line.id), role, timestamp: String(line.timestamp), text } : undefined;
}
