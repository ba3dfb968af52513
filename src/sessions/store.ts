import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";
import { Transcript, type TranscriptHeader } from "./transcript.js";

/** Transcripts kept in memory (with their parsed lines); idle ones beyond this are dropped. */
const MAX_OPEN_TRANSCRIPTS = 128;

/** One row of `sessions.json` (OpenClaw's SessionEntry; unknown fields are kept as they are). */
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
  origin?: Record<string, unknown>;
  lastChannel?: string;
  lastTo?: string;
  [field: string]: unknown;
}

/**
 * `agents/<agentId>/sessions/`: the `sessions.json` index (sessionKey → entry,
 * rewritten atomically, saves coalesced) and one `<sessionId>.jsonl` transcript per
 * session. The transcripts are the record; the index can be rebuilt from their
 * headers when it is lost or corrupt.
 */
export class SessionStore {
  private entries = new Map<string, SessionEntry>();
  private readonly transcripts = new Map<string, Transcript>();
  private saving: Promise<void> | undefined;
  private dirty = false;

  private constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly cwd?: string,
  ) {}

  static async open(dir: string, log: Logger, opts: { cwd?: string } = {}): Promise<SessionStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new SessionStore(dir, log, opts.cwd);
    await store.load();
    return store;
  }

  get indexPath(): string {
    return path.join(this.dir, "sessions.json");
  }

  list(): [string, SessionEntry][] {
    return [...this.entries].sort((a, b) => b[1].updatedAt - a[1].updatedAt);
  }

  get(key: string): SessionEntry | undefined {
    return this.entries.get(key);
  }

  /** The entry for `key`, creating the session (and its transcript header) on first use. */
  async ensure(key: string, init: Partial<SessionEntry> = {}): Promise<SessionEntry> {
    const existing = this.entries.get(key);
    if (existing) return existing;
    return this.create(key, init);
  }

  /** Merges `patch` into the entry and schedules an index save; returns the new entry. */
  update(key: string, patch: Partial<SessionEntry>): SessionEntry {
    const current = this.entries.get(key);
    if (!current) throw new Error(`no session ${key}`);
    const next = { ...current, ...patch, updatedAt: patch.updatedAt ?? Date.now() };
    this.entries.set(key, next);
    this.scheduleSave();
    return next;
  }

  transcript(sessionId: string): Transcript {
    let t = this.transcripts.get(sessionId);
    if (t) {
      // Most recently used last, so the oldest idle ones are dropped first.
      this.transcripts.delete(sessionId);
    } else {
      t = new Transcript(path.join(this.dir, `${sessionId}.jsonl`), this.log);
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

  /** Starts a fresh session under `key`; the old transcript is kept as `<id>.jsonl.reset.<time>`. */
  async reset(key: string): Promise<SessionEntry> {
    const old = this.entries.get(key);
    if (old) await this.archive(old.sessionId, "reset");
    this.entries.delete(key);
    return this.create(key, old ? pickCarriedFields(old) : {});
  }

  /** Removes `key` from the index; its transcript is kept as `<id>.jsonl.deleted.<time>`. */
  async delete(key: string): Promise<boolean> {
    const old = this.entries.get(key);
    if (!old) return false;
    this.entries.delete(key);
    await this.archive(old.sessionId, "deleted");
    this.scheduleSave();
    await this.flush();
    return true;
  }

  /** Resolves once every scheduled index save is on disk. */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
  }

  private async create(key: string, init: Partial<SessionEntry>): Promise<SessionEntry> {
    const now = Date.now();
    const entry: SessionEntry = { ...init, sessionId: randomUUID(), createdAt: now, updatedAt: now };
    const header: Omit<TranscriptHeader, "type" | "version"> = {
      id: entry.sessionId,
      timestamp: new Date(now).toISOString(),
      sessionKey: key,
      ...(this.cwd ? { cwd: this.cwd } : {}),
    };
    await this.transcript(entry.sessionId).init(header);
    this.entries.set(key, entry);
    this.scheduleSave();
    // A new session must be in the index before anything is written to it: after a
    // crash the index is how a replayed message finds the transcript it was added to.
    await this.flush();
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

  private scheduleSave(): void {
    this.dirty = true;
    if (this.saving) return;
    this.saving = (async () => {
      // Let updates made in the same turn of the event loop join this save.
      await Promise.resolve();
      while (this.dirty) {
        this.dirty = false;
        const snapshot = Object.fromEntries(this.entries);
        try {
          await writeFileAtomic(this.indexPath, `${JSON.stringify(snapshot, null, 2)}\n`, 0o600);
        } catch (err) {
          // The transcripts still hold everything; the next change retries the index.
          this.log.error(`cannot save ${this.indexPath}: ${(err as Error).message}`);
          break;
        }
      }
      this.saving = undefined;
    })();
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.indexPath, "utf8");
    } catch (err) {
      if (isErrnoCode(err, "ENOENT")) {
        await this.rebuildFromTranscripts("missing");
        return;
      }
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Record<string, SessionEntry>;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      for (const [key, entry] of Object.entries(parsed)) {
        if (entry && typeof entry.sessionId === "string") this.entries.set(key, entry);
      }
    } catch (err) {
      const aside = `${this.indexPath}.corrupt-${Date.now()}`;
      await rename(this.indexPath, aside);
      this.log.warn(
        `${this.indexPath} was unreadable (${(err as Error).message}); moved it to ${aside} and rebuilt the index from transcripts`,
      );
      await this.rebuildFromTranscripts("corrupt");
    }
  }

  /** Recreates index rows from transcript headers (the newest transcript per session key wins). */
  private async rebuildFromTranscripts(why: "missing" | "corrupt"): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith(".jsonl"));
    for (const name of names) {
      const transcript = this.transcript(name.slice(0, -".jsonl".length));
      const lines = await transcript.read();
      const header = lines[0] as TranscriptHeader | undefined;
      if (header?.type !== "session" || typeof header.sessionKey !== "string") continue;
      const last = lines.at(-1);
      const updatedAt = Date.parse(last?.timestamp ?? header.timestamp) || Date.now();
      const existing = this.entries.get(header.sessionKey);
      if (existing && existing.updatedAt >= updatedAt) continue;
      this.entries.set(header.sessionKey, {
        sessionId: header.id,
        createdAt: Date.parse(header.timestamp),
        updatedAt,
      });
    }
    if (this.entries.size > 0) {
      this.log.info(`rebuilt ${this.indexPath} (${why}) from ${this.entries.size} transcript(s)`);
      this.scheduleSave();
      await this.flush();
    }
  }
}

/** What a reset keeps: where the session talks (so replies still route), not its history or usage. */
function pickCarriedFields(old: SessionEntry): Partial<SessionEntry> {
  const { channel, displayName, origin, lastChannel, lastTo } = old;
  return Object.fromEntries(
    Object.entries({ channel, displayName, origin, lastChannel, lastTo }).filter(([, v]) => v !== undefined),
  );
}
