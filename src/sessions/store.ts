import { randomUUID } from "node:crypto";
import { mkdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";
import { activeBranch } from "./branch.js";
import {
  type Page,
  type PageQuery,
  type SessionEntry,
  type SessionIndex,
  SqliteSessionIndex,
} from "./index-db.js";
import { importLegacyLayout } from "./legacy.js";
import { importOpenClawAgentDb } from "./openclaw-import.js";
import { SearchCatchUp } from "./search-catchup.js";
import { indexedMessage, type SearchHit, type SearchQuery } from "./search-index.js";
import { Transcript, type TranscriptEntry, type TranscriptHeader } from "./transcript.js";

/** Transcripts kept in memory (with their parsed lines); idle ones beyond this are dropped. */
const MAX_OPEN_TRANSCRIPTS = 128;
/**
 * Index entries kept in memory: the sessions a gateway is talking in at once. The rest
 * stay in SQLite (a point lookup costs microseconds), so memory does not grow with the store.
 */
const MAX_CACHED_ENTRIES = 512;
/** The store's own index file, beside the transcripts (OpenClaw never reads or moves it). */
export const INDEX_FILE = "openclaw-lite-sessions.sqlite";
/** Sessions the search backfill looks at per step (one index read, then their transcripts). */
const BACKFILL_BATCH = 200;

export type { Page, PageQuery, SearchHit, SessionEntry };

export interface TranscriptSearchResult {
  hits: SearchHit[];
  /** A query under three characters looked at the newest messages only. */
  scanLimited: boolean;
  /** Older transcripts are still being indexed: the answer may miss some of them. */
  indexing: boolean;
}

/**
 * `agents/<agentId>/sessions/`: a SQLite index (sessionKey → entry, one committed row
 * per change) and one append-only `<sessionId>.jsonl` transcript per session. Only the
 * sessions in use are held in memory. The first open migrates `sessions.json` (left in
 * place, still readable by OpenClaw) and the transcripts it does not name.
 */
export class SessionStore {
  private readonly cache = new Map<string, SessionEntry>();
  /** Entries whose index write failed (disk full): kept here and retried on the next change. */
  private readonly unsaved = new Map<string, SessionEntry>();
  private readonly transcripts = new Map<string, Transcript>();
  /** The background pass that indexes transcripts written before the search index (once per process). */
  private backfill: Promise<void> | undefined;
  private backfillDone = false;
  /** Catches the index up after a crash or a rewind (undefined: this SQLite has no FTS5). */
  private readonly catchUp: SearchCatchUp | undefined;
  /** Catch-up work was left after the last step (the next search, or the background pass, goes on). */
  private catchingUp = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly index: SessionIndex,
    private readonly log: Logger,
    private readonly cwd?: string,
  ) {
    this.catchUp = index.search && new SearchCatchUp(index.search, (id) => this.transcript(id), log);
  }

  static async open(dir: string, log: Logger, opts: { cwd?: string } = {}): Promise<SessionStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const index = new SqliteSessionIndex(path.join(dir, INDEX_FILE));
    try {
      await importLegacyLayout(dir, index, log);
      await importOpenClawAgentDb(dir, index, log);
    } catch (err) {
      index.close();
      throw err;
    }
    return new SessionStore(dir, index, log, opts.cwd);
  }

  /** The index file (for tools and tests that inspect it). */
  get indexPath(): string {
    return path.join(this.dir, INDEX_FILE);
  }

  /** Number of sessions, O(1). */
  count(): number {
    return this.index.count();
  }

  /** One page of sessions, newest first. */
  page(q: PageQuery): Page {
    const page = this.index.page(q);
    // A change not yet on disk is what the user last saw: show it.
    for (const row of page.sessions) row.entry = this.unsaved.get(row.key) ?? row.entry;
    return page;
  }

  get(key: string): SessionEntry | undefined {
    const hit = this.unsaved.get(key) ?? this.cache.get(key);
    if (hit) {
      this.remember(key, hit);
      return hit;
    }
    const entry = this.index.get(key);
    if (entry) this.remember(key, entry);
    return entry;
  }

  /** The entry for `key`, creating the session (and its transcript header) on first use. */
  async ensure(key: string, init: Partial<SessionEntry> = {}): Promise<SessionEntry> {
    return this.get(key) ?? this.create(key, init);
  }

  /** Merges `patch` into the entry and writes the row (O(1)); returns the new entry. */
  update(key: string, patch: Partial<SessionEntry>): SessionEntry {
    const current = this.get(key);
    if (!current) throw new Error(`no session ${key}`);
    const next = { ...current, ...patch, updatedAt: patch.updatedAt ?? Date.now() };
    this.remember(key, next);
    this.unsaved.set(key, next);
    this.saveUnsaved();
    return next;
  }

  transcript(sessionId: string): Transcript {
    let t = this.transcripts.get(sessionId);
    if (t) {
      // Most recently used last, so the oldest idle ones are dropped first.
      this.transcripts.delete(sessionId);
    } else {
      t = new Transcript(path.join(this.dir, `${sessionId}.jsonl`), this.log, this.catchUp?.hooks(sessionId));
    }
    this.transcripts.set(sessionId, t);
    if (this.transcripts.size > MAX_OPEN_TRANSCRIPTS) {
      for (const [id, old] of this.transcripts) {
        if (this.transcripts.size <= MAX_OPEN_TRANSCRIPTS) break;
        if (old.idle && id !== sessionId) this.transcripts.delete(id);
      }
    }
    return t;
  }

  /**
   * A new session under `key` whose transcript starts with `entries` (a fork). Crash-safe:
   * the whole file is written to a temp file, fsynced and renamed into place before the
   * index names it, so a crash leaves either no session or a complete one.
   */
  async createWith(
    key: string,
    entries: readonly TranscriptEntry[],
    init: Partial<SessionEntry>,
  ): Promise<SessionEntry> {
    if (this.get(key)) throw new Error(`session ${key} exists already`);
    const { entry, header } = this.newEntry(key, init);
    const text = [header, ...entries].map((l) => `${JSON.stringify(l)}\n`).join("");
    await writeFileAtomic(path.join(this.dir, `${entry.sessionId}.jsonl`), text);
    this.index.put([{ key, entry }]);
    // Its active branch only, and how many bytes are in (see search-catchup.ts).
    this.index.search?.add(
      entry.sessionId,
      activeBranch(entries).flatMap((e) => indexedMessage(e) ?? []),
      true,
      Buffer.byteLength(text),
    );
    this.remember(key, entry);
    return entry;
  }

  /** Starts a fresh session under `key`; the old transcript is kept as `<id>.jsonl.reset.<time>`. */
  async reset(key: string): Promise<SessionEntry> {
    const old = this.get(key);
    if (old) await this.archive(old.sessionId, "reset");
    if (old) this.index.search?.drop(old.sessionId);
    return this.create(key, old ? pickCarriedFields(old) : {});
  }

  /** Removes `key` from the index; its transcript is kept as `<id>.jsonl.deleted.<time>`. */
  async delete(key: string): Promise<boolean> {
    const old = this.get(key);
    if (!old) return false;
    this.index.delete(key);
    this.cache.delete(key);
    this.unsaved.delete(key);
    await this.archive(old.sessionId, "deleted");
    this.index.search?.drop(old.sessionId);
    return true;
  }

  /**
   * Searches user and assistant messages (undefined: this Node's SQLite has no FTS5). The
   * first search starts indexing transcripts written before the index, in the background.
   */
  searchTranscripts(q: SearchQuery): TranscriptSearchResult | undefined {
    const search = this.index.search;
    if (!search) return undefined;
    this.backfill ??= this.runBackfill().catch((err) => {
      this.log.error(`cannot index transcripts of ${this.dir} for search: ${(err as Error).message}`);
    });
    return { ...search.query(q), indexing: !this.backfillDone || this.catchingUp };
  }

  /**
   * One bounded step of catching the search index up (messages a crash kept out of it,
   * sessions a rewind moved to another branch): the gateway takes one before each search.
   */
  async catchUpSearch(): Promise<void> {
    if (!this.catchUp) return;
    try {
      this.catchingUp = await this.catchUp.step();
    } catch (err) {
      this.log.warn(`cannot catch up the search index of ${this.dir}: ${(err as Error).message}`);
    }
  }

  /** Resolves when the search backfill (if started) has finished. */
  async searchReady(): Promise<void> {
    await this.backfill;
  }

  /** Resolves once every change is on disk (each change is written when made; this retries failed ones). */
  async flush(): Promise<void> {
    this.saveUnsaved();
  }

  close(): void {
    this.closed = true;
    this.saveUnsaved();
    this.index.close();
  }

  private async runBackfill(): Promise<void> {
    const search = this.index.search;
    // First what a crash or a rewind left behind (bounded steps, the transcripts' tails only).
    while (this.catchUp && !this.closed && (await this.catchUp.step()));
    this.catchingUp = false;
    let after = "";
    while (search && !this.closed) {
      const { pending, last } = search.unindexedAfter(after, BACKFILL_BATCH);
      for (const sessionId of pending) {
        if (this.closed) return;
        await this.transcript(sessionId).withReader(async (read) => {
          const { lines, size } = await read.all();
          // The active branch only: what a rewind left behind is not found (see search-catchup.ts).
          search.add(
            sessionId,
            activeBranch(lines).flatMap((l) => indexedMessage(l) ?? []),
            true,
            size,
          );
        });
      }
      if (last === undefined) break;
      after = last;
    }
    this.backfillDone = true;
  }

  private remember(key: string, entry: SessionEntry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > MAX_CACHED_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private saveUnsaved(): void {
    if (this.unsaved.size === 0) return;
    const rows = [...this.unsaved].map(([key, entry]) => ({ key, entry }));
    try {
      this.index.put(rows);
      for (const { key, entry } of rows) if (this.unsaved.get(key) === entry) this.unsaved.delete(key);
    } catch (err) {
      // The transcripts still hold everything; the next change retries the rows.
      this.log.error(`cannot save ${this.indexPath}: ${(err as Error).message}`);
    }
  }

  private newEntry(key: string, init: Partial<SessionEntry>) {
    const now = Date.now();
    const entry: SessionEntry = { ...init, sessionId: randomUUID(), createdAt: now, updatedAt: now };
    const header = {
      type: "session",
      version: 3,
      id: entry.sessionId,
      timestamp: new Date(now).toISOString(),
      sessionKey: key,
      ...(this.cwd ? { cwd: this.cwd } : {}),
    } satisfies TranscriptHeader;
    return { entry, header };
  }

  private async create(key: string, init: Partial<SessionEntry>): Promise<SessionEntry> {
    const { entry, header } = this.newEntry(key, init);
    const { type: _type, version: _version, ...fields } = header;
    const transcript = this.transcript(entry.sessionId);
    await transcript.init(fields);
    // A new session must be in the index (committed) before anything is written to it:
    // after a crash the index is how a replayed message finds the transcript it was added to.
    this.index.put([{ key, entry }]);
    // Nothing to read back: from here on each message is indexed as it is appended.
    const { size } = await stat(transcript.path);
    this.index.search?.add(entry.sessionId, [], true, size);
    this.unsaved.delete(key);
    this.remember(key, entry);
    return entry;
  }

  private async archive(sessionId: string, why: "reset" | "deleted"): Promise<void> {
    const from = path.join(this.dir, `${sessionId}.jsonl`);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    await rename(from, `${from}.${why}.${stamp}`).catch((err) => {
      if (!isErrnoCode(err, "ENOENT")) throw err;
    });
    this.transcripts.delete(sessionId);
  }
}

/** What a reset keeps: where the session talks (so replies still route), not its history or usage. */
function pickCarriedFields(old: SessionEntry): Partial<SessionEntry> {
  const { channel, displayName, origin, lastChannel, lastTo } = old;
  return Object.fromEntries(
    Object.entries({ channel, displayName, origin, lastChannel, lastTo }).filter(([, v]) => v !== undefined),
  );
}
