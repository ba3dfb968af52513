import { readFileSync } from "node:fs";
import { chunkMarkdown } from "./chunk.js";
import { isLongTermMemory, listMemoryFiles, MAX_INDEXED_FILE_BYTES } from "./files.js";
import { MemoryStore, sha256 } from "./store.js";
import { MemoryWatcher } from "./watch.js";

export {
  dailyNotePaths,
  isLongTermMemory,
  isMemoryPath,
  localDate,
  MEMORY_DIR,
  MEMORY_FILES,
} from "./files.js";

/** OpenClaw's memory_search default: six results. */
export const DEFAULT_MAX_RESULTS = 6;
/**
 * Keyword-only scores are BM25 mapped onto 0..1, which depends on the corpus size (one
 * note gives a low score to a perfect hit): by default any matching chunk counts and
 * BM25 only ranks. An explicit minScore still filters on the mapped score.
 */
export const DEFAULT_KEYWORD_MIN_SCORE = 0;
/** Hard cap on results per query, whatever the caller asks (keeps a tool result small). */
export const MAX_RESULTS_CAP = 50;
/** Snippet length per hit (OpenClaw's ~700 characters): enough to answer, then memory_get for more. */
export const SNIPPET_MAX_CHARS = 700;

export interface MemorySearchResult {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
  source: "memory";
}

export interface SearchOptions {
  maxResults?: number;
  minScore?: number;
  /** False in group sessions: MEMORY.md is the owner's private memory. */
  includeLongTerm?: boolean;
}

/**
 * Even with a watcher, every note is checked at least this often: a safety net for
 * events a filesystem does not deliver (network mounts, some container overlays).
 */
export const FULL_CHECK_INTERVAL_MS = 10_000;

export interface SyncReport {
  indexed: number;
  removed: number;
  unchanged: number;
}

/**
 * One workspace's memory index. Every search first syncs it with the files (a stat
 * per file; a changed size or mtime re-reads the file, a changed hash re-indexes it,
 * a vanished file is dropped), so edits by the agent, over SSH or by `git pull` are
 * found by the next search and deleted notes leave no stale hits.
 */
export class MemoryIndex {
  /** What the index holds per file (size, mtime, hash), kept in memory between syncs. */
  private known: Map<string, import("./store.js").IndexedFile> | undefined;

  private constructor(
    readonly workspace: string,
    readonly dbFile: string,
    /** @internal The tables (for bench/memory.mjs to time a query without its sync). */
    readonly store: MemoryStore,
  ) {}

  private watcher: MemoryWatcher | undefined;
  private lastFullCheck = 0;

  /** `watch`: follow the folders with inotify so searches skip the check while nothing changed (the gateway). */
  static open(workspace: string, dbFile: string, opts: { watch?: boolean } = {}): MemoryIndex {
    const index = new MemoryIndex(workspace, dbFile, MemoryStore.open(dbFile));
    if (opts.watch) index.watcher = new MemoryWatcher();
    return index;
  }

  close(): void {
    this.watcher?.close();
    this.store.close();
  }

  /**
   * Syncs unless the watcher says nothing changed. One turn of the event loop first, so
   * an event for an edit made before this call (already queued by the kernel) is seen.
   */
  private async syncIfChanged(): Promise<void> {
    const w = this.watcher;
    if (!w) {
      this.sync();
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (w.dirty || !w.reliable || Date.now() - this.lastFullCheck > FULL_CHECK_INTERVAL_MS) this.sync();
  }

  /**
   * Brings the index up to date with the files; `force` re-reads every file. All changes
   * of one sync are one transaction: a crash leaves the index as it was, and the next
   * sync finds the same differences again.
   */
  sync(opts: { force?: boolean } = {}): SyncReport {
    this.known ??= this.store.files();
    const unseen = new Map(this.known);
    const report: SyncReport = { indexed: 0, removed: 0, unchanged: 0 };
    const changes: (() => void)[] = [];
    // Cleared before looking: an edit during this sync marks it dirty again.
    if (this.watcher) this.watcher.dirty = false;
    this.lastFullCheck = Date.now();
    const dirs: string[] = [];
    const files = listMemoryFiles(this.workspace, dirs);
    this.watcher?.follow(dirs);
    for (const file of files) {
      const known = unseen.get(file.path);
      unseen.delete(file.path);
      if (!opts.force && known && known.size === file.size && known.mtime === file.mtimeMs) {
        report.unchanged++;
        continue;
      }
      let body: string;
      try {
        body = readFileSync(file.abs, "utf8");
      } catch {
        continue; // Deleted between the listing and the read: the next sync drops it.
      }
      if (body.length > MAX_INDEXED_FILE_BYTES) body = body.slice(0, MAX_INDEXED_FILE_BYTES);
      const row = { path: file.path, size: file.size, mtime: file.mtimeMs, hash: sha256(body) };
      if (!opts.force && known?.hash === row.hash) {
        changes.push(() => this.store.touchFile(row));
        report.unchanged++;
      } else {
        const chunks = chunkMarkdown(body);
        changes.push(() => this.store.replaceFile(row, chunks));
        report.indexed++;
      }
    }
    for (const gone of unseen.keys()) {
      changes.push(() => this.store.removeFile(gone));
      report.removed++;
    }
    if (changes.length > 0) {
      try {
        this.store.batch(() => {
          for (const change of changes) change();
        });
      } finally {
        this.known = undefined; // Re-read from the table: it is the truth of what was committed.
      }
      this.known = this.store.files();
    }
    return report;
  }

  /** Keyword (BM25) search over the chunks, after a sync. */
  async search(query: string, opts: SearchOptions = {}): Promise<MemorySearchResult[]> {
    await this.syncIfChanged();
    const maxResults = Math.min(opts.maxResults ?? DEFAULT_MAX_RESULTS, MAX_RESULTS_CAP);
    const minScore = opts.minScore ?? DEFAULT_KEYWORD_MIN_SCORE;
    // Over-fetch: hits from MEMORY.md may be filtered out below.
    const hits = this.store.keywordSearch(query, maxResults * 4);
    const rows = new Map(this.store.chunks(hits.map((h) => h.id)).map((r) => [r.id, r]));
    const results: MemorySearchResult[] = [];
    for (const hit of hits) {
      const row = rows.get(hit.id);
      if (!row) continue;
      if (opts.includeLongTerm === false && isLongTermMemory(row.path)) continue;
      // BM25 is unbounded; s/(1+s) maps it onto 0..1 so minScore means the same as OpenClaw's.
      const score = hit.score / (1 + hit.score);
      if (score < minScore) continue;
      results.push({
        path: row.path,
        startLine: row.startLine,
        endLine: row.endLine,
        score: Math.round(score * 1000) / 1000,
        snippet: row.text.length > SNIPPET_MAX_CHARS ? `${row.text.slice(0, SNIPPET_MAX_CHARS)}…` : row.text,
        source: "memory",
      });
      if (results.length >= maxResults) break;
    }
    return results;
  }

  /** The embedding provider in use ("none": keyword search only). */
  provider(): string {
    return "none";
  }

  mode(): "keyword" | "hybrid" {
    return "keyword";
  }

  status(): {
    workspace: string;
    dbPath: string;
    files: number;
    chunks: number;
    terms: number;
    provider: string;
  } {
    return { workspace: this.workspace, dbPath: this.dbFile, ...this.store.counts(), provider: "none" };
  }
}
