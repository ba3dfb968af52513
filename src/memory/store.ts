import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type DatabaseSync, openDatabase, type StatementSync, transaction } from "../infra/sqlite.js";
import { type Chunk, tokenize } from "./chunk.js";

/**
 * The memory search index: a cache of the Markdown files (they are the truth), kept in
 * plain SQLite tables so it works on every Node with node:sqlite (FTS5 only exists from
 * 22.16). An inverted index (term → chunk, term frequency) answers keyword queries
 * scored with BM25. Each file is replaced in one transaction: a crash leaves the old or
 * the new version of that file, never half of one; a file that cannot be opened as a
 * database is deleted and rebuilt from the notes.
 */
const SCHEMA_VERSION = "1";
/** BM25's usual constants: term-frequency saturation and length normalisation. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/**
 * SQLite page cache of the index connection, in KiB (negative = KiB in PRAGMA terms). The
 * default 2 MB stays resident in an idle gateway once a search filled it; a query reads a
 * few index ranges (postings of its terms, the covering chunks_length index), and the OS
 * page cache holds the file anyway, so 512 KiB costs no measurable search time.
 */
export const INDEX_CACHE_KIB = 512;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL,
  text TEXT NOT NULL, hash TEXT NOT NULL, length INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
CREATE INDEX IF NOT EXISTS chunks_length ON chunks(id, length);
CREATE TABLE IF NOT EXISTS postings (term TEXT NOT NULL, chunk_id INTEGER NOT NULL, tf INTEGER NOT NULL,
  PRIMARY KEY (term, chunk_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_chunk ON postings(chunk_id);
CREATE TABLE IF NOT EXISTS embeddings (hash TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL,
  PRIMARY KEY (hash, model)) WITHOUT ROWID;
`;

export interface IndexedFile {
  path: string;
  size: number;
  mtime: number;
  hash: string;
}

export interface ChunkRow {
  id: number;
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  hash: string;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export class MemoryStore {
  /** Chunk count and mean length in terms (what BM25 needs of the whole corpus); dropped on any change. */
  private totals: { n: number; avg: number } | undefined;
  /** Bumped on every change to the chunks: caches built from them (vectors) compare it. */
  generation = 0;

  /**
   * Prepared statements, one per SQL text for the life of the connection. node:sqlite frees a
   * statement's native memory only when the garbage collector finalizes it: preparing one per
   * call (2,000 per sync of 2,000 notes) left megabytes of native memory in an idle gateway.
   */
  private readonly statements = new Map<string, StatementSync>();

  private constructor(readonly db: DatabaseSync) {}

  private sql(text: string): StatementSync {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /** Opens the index at `file`, rebuilding it from scratch when it is unreadable or from another version. */
  static open(file: string): MemoryStore {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      return MemoryStore.init(openDatabase(file, { durability: "process-crash" }));
    } catch {
      // Not a database (a torn copy, a stray file) or an older layout: the notes are the truth.
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
      return MemoryStore.init(openDatabase(file, { durability: "process-crash" }));
    }
  }

  private static init(db: DatabaseSync): MemoryStore {
    // A cache of the notes: NORMAL keeps it consistent through a crash (WAL) and may only lose
    // the last commits on power loss, which the next sync redoes from the files. FULL would
    // cost an fsync per indexed file.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec(`PRAGMA cache_size = -${INDEX_CACHE_KIB}`);
    db.exec(SCHEMA);
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
      | { value: string }
      | undefined;
    if (row && row.value !== SCHEMA_VERSION) {
      db.close();
      throw new Error(`memory index schema ${row.value} is not ${SCHEMA_VERSION}`);
    }
    if (!row) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    return new MemoryStore(db);
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  /**
   * What the index holds for each file, streamed one row at a time (a sync compares them
   * with the listing; nothing is kept in memory between syncs). Finish the iteration before
   * writing through this store.
   */
  *fileRows(): Generator<IndexedFile> {
    const statement = this.sql("SELECT path, size, mtime, hash FROM files");
    // StatementSync.iterate exists from Node 22.13; on 22.12 the (small) rows come at once.
    const rows = typeof statement.iterate === "function" ? statement.iterate() : statement.all();
    for (const row of rows) yield row as unknown as IndexedFile;
  }

  /** Runs `fn` (several replaceFile/removeFile calls) as one transaction: all of a sync lands, or none. */
  batch(fn: () => void): void {
    transaction(this.db, fn);
  }

  /** Replaces everything indexed for one file (call inside `batch`). */
  replaceFile(file: IndexedFile, chunks: readonly Chunk[]): void {
    this.totals = undefined;
    this.generation++;
    {
      this.deleteChunks(file.path);
      const insertChunk = this.sql(
        "INSERT INTO chunks (path, start_line, end_line, text, hash, length) VALUES (?, ?, ?, ?, ?, ?)",
      );
      const insertPosting = this.sql("INSERT INTO postings (term, chunk_id, tf) VALUES (?, ?, ?)");
      for (const chunk of chunks) {
        const terms = tokenize(chunk.text);
        const { lastInsertRowid } = insertChunk.run(
          file.path,
          chunk.startLine,
          chunk.endLine,
          chunk.text,
          sha256(chunk.text),
          terms.length,
        );
        const counts = new Map<string, number>();
        for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
        for (const [term, tf] of counts) insertPosting.run(term, lastInsertRowid, tf);
      }
      this.sql(
        "INSERT INTO files (path, size, mtime, hash) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash",
      ).run(file.path, file.size, file.mtime, file.hash);
    }
  }

  /** Notes the new size and mtime of a file whose content did not change (a `touch`, a checkout). */
  touchFile(file: IndexedFile): void {
    this.sql("UPDATE files SET size = ?, mtime = ? WHERE path = ?").run(file.size, file.mtime, file.path);
  }

  /** Drops a vanished file (call inside `batch`). */
  removeFile(rel: string): void {
    this.totals = undefined;
    this.generation++;
    this.deleteChunks(rel);
    this.sql("DELETE FROM files WHERE path = ?").run(rel);
  }

  private deleteChunks(rel: string): void {
    this.sql("DELETE FROM postings WHERE chunk_id IN (SELECT id FROM chunks WHERE path = ?)").run(rel);
    this.sql("DELETE FROM chunks WHERE path = ?").run(rel);
  }

  counts(): { files: number; chunks: number; terms: number } {
    const one = (sql: string) => (this.sql(sql).get() as { n: number }).n;
    return {
      files: one("SELECT count(*) AS n FROM files"),
      chunks: one("SELECT count(*) AS n FROM chunks"),
      terms: one("SELECT count(DISTINCT term) AS n FROM postings"),
    };
  }

  private corpus(): { n: number; avg: number } {
    if (!this.totals) {
      const row = this.sql("SELECT count(*) AS n, avg(length) AS avg FROM chunks").get() as {
        n: number;
        avg: number | null;
      };
      this.totals = { n: row.n, avg: row.avg || 1 };
    }
    return this.totals;
  }

  /** BM25 scores of the chunks holding any query term, best first (`limit` of them). */
  keywordSearch(query: string, limit: number): { id: number; score: number }[] {
    const terms = [...new Set(tokenize(query))];
    if (terms.length === 0) return [];
    const { n, avg } = this.corpus();
    if (n === 0) return [];
    // The primary key (term, chunk_id) holds tf; each chunk's length comes from the covering
    // index chunks_length (id, length), not the chunk rows with their text, nor a map of all
    // lengths kept in memory.
    const postings = this.sql(
      "SELECT p.chunk_id, p.tf, c.length FROM postings p JOIN chunks c INDEXED BY chunks_length ON c.id = p.chunk_id WHERE p.term = ?",
    );
    postings.setReturnArrays?.(true);
    const scores = new Map<number, number>();
    for (const term of terms) {
      const rows = postings.all(term) as unknown as unknown[];
      if (rows.length === 0) continue;
      const idf = Math.log(1 + (n - rows.length + 0.5) / (rows.length + 0.5));
      for (const row of rows) {
        const [id, tf, length] = Array.isArray(row)
          ? (row as [number, number, number])
          : [
              (row as { chunk_id: number }).chunk_id,
              (row as { tf: number }).tf,
              (row as { length: number }).length,
            ];
        const norm = tf + BM25_K1 * (1 - BM25_B + (BM25_B * length) / avg);
        scores.set(id, (scores.get(id) ?? 0) + (idf * (tf * (BM25_K1 + 1))) / norm);
      }
    }
    return [...scores]
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  chunks(ids: readonly number[]): ChunkRow[] {
    if (ids.length === 0) return [];
    // Not kept: the SQL text differs with the number of ids, and this runs once per search.
    const rows = this.db
      .prepare(
        `SELECT id, path, start_line AS startLine, end_line AS endLine, text, hash FROM chunks WHERE id IN (${ids.map(() => "?").join(",")})`,
      )
      .all(...ids) as unknown as ChunkRow[];
    return rows;
  }

  allChunks(): ChunkRow[] {
    return this.sql(
      "SELECT id, path, start_line AS startLine, end_line AS endLine, text, hash FROM chunks",
    ).all() as unknown as ChunkRow[];
  }

  cachedVector(hash: string, model: string): Float32Array | undefined {
    const row = this.sql("SELECT vector FROM embeddings WHERE hash = ? AND model = ?").get(hash, model) as
      | { vector: Uint8Array }
      | undefined;
    if (!row) return undefined;
    const bytes = row.vector;
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  storeVector(hash: string, model: string, vector: Float32Array): void {
    this.sql("INSERT OR REPLACE INTO embeddings (hash, model, vector) VALUES (?, ?, ?)").run(
      hash,
      model,
      new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength),
    );
  }
}
