import { lstatSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { chunkMarkdown } from "./chunk.js";
import type { EmbeddingProvider } from "./embeddings.js";
import {
  isLongTermMemory,
  isMemoryPath,
  listMemoryFiles,
  MAX_INDEXED_FILE_BYTES,
  type MemoryFileStat,
} from "./files.js";
import { MemoryStore, sha256 } from "./store.js";
import { MemoryWatcher } from "./watch.js";

export {
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  type MemorySearchSettings,
  resolveEmbeddingProvider,
} from "./embeddings.js";

export {
  dailyNotePaths,
  isLongTermMemory,
  isMemoryPath,
  localDate,
  MEMORY_DIR,
  MEMORY_FILES,
} from "./files.js";

import { packVectors, topByCosine, type VectorTable } from "./vectors.js";

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

/** OpenClaw's hybrid defaults: 70 % vector, 30 % keyword, 4× candidates from each, scores below 0.35 dropped. */
export const HYBRID_DEFAULTS = { vectorWeight: 0.7, textWeight: 0.3, candidateMultiplier: 4, minScore: 0.35 };

export interface HybridOptions {
  vectorWeight?: number;
  textWeight?: number;
  candidateMultiplier?: number;
  minScore?: number;
}

/**
 * A sync commits every ~1 MB of re-indexed text: a cold index of 5 MB of notes never holds
 * all their chunks in memory at once (idle RSS stays near the gateway's own), and each
 * commit is one transaction (a crash leaves whole files indexed; the next sync does the rest).
 */
export const SYNC_BATCH_CHARS = 1_000_000;

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
  private constructor(
    readonly workspace: string,
    readonly dbFile: string,
    /** @internal The tables (for bench/memory.mjs to time a query without its sync). */
    readonly store: MemoryStore,
  ) {}

  private watcher: MemoryWatcher | undefined;
  private lastFullCheck = 0;

  private embeddings: EmbeddingProvider | undefined;
  private hybrid: Required<HybridOptions> = HYBRID_DEFAULTS;
  /** Chunk vectors in memory (unit length), for brute-force cosine; rebuilt when the chunks change. */
  private vectors: VectorTable | undefined;
  private onFallback: ((why: string) => void) | undefined;
  private defaultMaxResults = DEFAULT_MAX_RESULTS;

  /**
   * `watch`: follow the folders with inotify so searches skip the check while nothing
   * changed (the gateway). `embeddings`: hybrid search (vectors + keywords).
   */
  static open(
    workspace: string,
    dbFile: string,
    opts: {
      watch?: boolean;
      embeddings?: EmbeddingProvider;
      hybrid?: HybridOptions;
      /** `memorySearch.query.maxResults`: results when the caller does not say. */
      maxResults?: number;
      onFallback?: (why: string) => void;
    } = {},
  ): MemoryIndex {
    const index = new MemoryIndex(workspace, dbFile, MemoryStore.open(dbFile));
    if (opts.watch) index.watcher = new MemoryWatcher();
    index.embeddings = opts.embeddings;
    index.hybrid = { ...HYBRID_DEFAULTS, ...opts.hybrid };
    index.onFallback = opts.onFallback;
    if (opts.maxResults) index.defaultMaxResults = opts.maxResults;
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
   * Brings the index up to date with the files; `force` re-reads every file. Changes are
   * committed in transactions of ~SYNC_BATCH_CHARS: a crash leaves each file indexed as
   * before or after, and the next sync finds the remaining differences again.
   */
  sync(opts: { force?: boolean } = {}): SyncReport {
    const report: SyncReport = { indexed: 0, removed: 0, unchanged: 0 };
    const changes: (() => void)[] = [];
    let pendingChars = 0;
    // Cleared before looking: an edit during this sync marks it dirty again.
    if (this.watcher) this.watcher.dirty = false;
    this.lastFullCheck = Date.now();
    const dirs: string[] = [];
    const files = listMemoryFiles(this.workspace, dirs);
    this.watcher?.follow(dirs);
    const { changed, removed, unchanged } = this.compare(files, opts.force === true);
    report.unchanged = unchanged;
    for (const [file, knownHash] of changed) {
      let body: string;
      try {
        body = readFileSync(path.join(this.workspace, file.path), "utf8");
      } catch {
        continue; // Deleted between the listing and the read: the next sync drops it.
      }
      if (body.length > MAX_INDEXED_FILE_BYTES) body = body.slice(0, MAX_INDEXED_FILE_BYTES);
      const row = { path: file.path, size: file.size, mtime: file.mtimeMs, hash: sha256(body) };
      if (!opts.force && knownHash === row.hash) {
        changes.push(() => this.store.touchFile(row));
        report.unchanged++;
      } else {
        const chunks = chunkMarkdown(body);
        changes.push(() => this.store.replaceFile(row, chunks));
        report.indexed++;
        pendingChars += body.length;
        if (pendingChars > SYNC_BATCH_CHARS) {
          this.commit(changes.splice(0));
          pendingChars = 0;
        }
      }
    }
    for (const gone of removed) changes.push(() => this.store.removeFile(gone));
    report.removed = removed.length;
    this.commit(changes);
    return report;
  }

  /**
   * Sorts the listed files against what the index holds, streaming the index's rows once
   * (nothing about the files is kept in memory between syncs, and no lookup per file):
   * files whose size or mtime differ (with the hash indexed for them, if any), indexed
   * paths that are gone, and the count of unchanged files.
   */
  private compare(
    files: readonly MemoryFileStat[],
    force: boolean,
  ): { changed: [MemoryFileStat, string | undefined][]; removed: string[]; unchanged: number } {
    const listed = new Map(files.map((f) => [f.path, f]));
    const knownHash = new Map<string, string>();
    const removed: string[] = [];
    let unchanged = 0;
    for (const row of this.store.fileRows()) {
      const file = listed.get(row.path);
      if (!file) removed.push(row.path);
      else if (!force && row.size === file.size && row.mtime === file.mtimeMs) {
        listed.delete(row.path);
        unchanged++;
      } else knownHash.set(row.path, row.hash);
    }
    const changed = [...listed.values()].map((f): [MemoryFileStat, string | undefined] => [
      f,
      knownHash.get(f.path),
    ]);
    return { changed, removed, unchanged };
  }

  /** Applies queued changes in one transaction. */
  private commit(changes: (() => void)[]): void {
    if (changes.length === 0) return;
    this.store.batch(() => {
      for (const change of changes) change();
    });
  }

  /** Keyword (BM25) search over the chunks, after a sync. */
  async search(query: string, opts: SearchOptions = {}): Promise<MemorySearchResult[]> {
    await this.syncIfChanged();
    const maxResults = Math.min(opts.maxResults ?? this.defaultMaxResults, MAX_RESULTS_CAP);
    // Over-fetch: hits from MEMORY.md may be filtered out below.
    const pool = maxResults * this.hybrid.candidateMultiplier;
    let hits: { id: number; score: number }[] | undefined;
    let minScore = opts.minScore ?? DEFAULT_KEYWORD_MIN_SCORE;
    if (this.embeddings) {
      try {
        hits = await this.hybridHits(query, pool);
        minScore = opts.minScore ?? this.hybrid.minScore;
      } catch (err) {
        this.onFallback?.((err as Error).message);
      }
    }
    // BM25 is unbounded; s/(1+s) maps it onto 0..1 so minScore means the same as OpenClaw's.
    hits ??= this.store.keywordSearch(query, pool).map((h) => ({ id: h.id, score: h.score / (1 + h.score) }));
    const rows = new Map(this.store.chunks(hits.map((h) => h.id)).map((r) => [r.id, r]));
    const results: MemorySearchResult[] = [];
    for (const hit of hits) {
      const row = rows.get(hit.id);
      if (!row) continue;
      if (opts.includeLongTerm === false && isLongTermMemory(row.path)) continue;
      const score = hit.score;
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

  /**
   * Vector and keyword candidates merged: vectorWeight × cosine + textWeight × keyword
   * score. The query's embedding is one request; the chunks' come from the cache.
   */
  private async hybridHits(query: string, pool: number): Promise<{ id: number; score: number }[]> {
    const table = await this.chunkVectors();
    const [q] = await this.embeddings!.embed([query]);
    const { vectorWeight, textWeight } = this.hybrid;
    const merged = new Map<number, number>();
    for (const hit of topByCosine(table, q!, pool)) merged.set(hit.id, vectorWeight * Math.max(0, hit.score));
    for (const hit of this.store.keywordSearch(query, pool)) {
      merged.set(hit.id, (merged.get(hit.id) ?? 0) + textWeight * (hit.score / (1 + hit.score)));
    }
    return [...merged].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
  }

  /**
   * Every chunk's vector: from the cache by content hash and model, so only new or
   * changed chunks are sent to the provider; kept in memory until the chunks change.
   */
  private async chunkVectors(): Promise<VectorTable> {
    const generation = this.store.generation;
    if (this.vectors?.generation === generation) return this.vectors;
    const { model } = this.embeddings!;
    const byId = new Map<number, Float32Array>();
    const missing: { id: number; hash: string; text: string }[] = [];
    for (const chunk of this.store.allChunks()) {
      const cached = this.store.cachedVector(chunk.hash, model);
      if (cached) byId.set(chunk.id, cached);
      else missing.push(chunk);
    }
    if (missing.length > 0) {
      const embedded = await this.embeddings!.embed(missing.map((c) => c.text));
      this.store.batch(() => {
        missing.forEach((c, i) => {
          this.store.storeVector(c.hash, model, embedded[i]!);
          byId.set(c.id, embedded[i]!);
        });
      });
    }
    this.vectors = packVectors(generation, byId);
    return this.vectors;
  }

  /** The memory files as they are on disk now (workspace-relative paths, size, mtime). */
  files(): MemoryFileStat[] {
    return listMemoryFiles(this.workspace);
  }

  /**
   * Lines of one memory file (for the memory.get RPC): a memory path only, no symlink on
   * the way, inside the workspace; undefined when it is not one.
   */
  read(
    rel: string,
    from = 1,
    lines = 400,
  ): { path: string; from: number; text: string; totalLines: number } | undefined {
    const norm = path.posix.normalize(rel.replaceAll("\\", "/"));
    if (!isMemoryPath(norm)) return undefined;
    const abs = path.join(this.workspace, norm);
    try {
      if (!lstatSync(abs).isFile()) return undefined;
      const real = realpathSync(abs);
      if (real !== path.join(realpathSync(this.workspace), norm)) return undefined; // a symlinked folder on the way
      const all = readFileSync(real, "utf8").split("\n");
      return {
        path: norm,
        from,
        text: all.slice(from - 1, from - 1 + lines).join("\n"),
        totalLines: all.length,
      };
    } catch {
      return undefined;
    }
  }

  /** The embedding provider in use ("none": keyword search only). */
  provider(): string {
    return this.embeddings?.id ?? "none";
  }

  mode(): "keyword" | "hybrid" {
    return this.embeddings ? "hybrid" : "keyword";
  }

  status(): {
    workspace: string;
    dbPath: string;
    files: number;
    chunks: number;
    terms: number;
    provider: string;
  } {
    return {
      workspace: this.workspace,
      dbPath: this.dbFile,
      ...this.store.counts(),
      provider: this.provider(),
    };
  }
}
