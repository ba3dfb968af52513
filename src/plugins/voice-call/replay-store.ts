import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { appendWhole, isErrnoCode, writeFileAtomic } from "../../infra/fs.js";
import type { Logger } from "../../infra/logger.js";
import type { WebhookResponse } from "./providers/types.js";

/**
 * Webhooks already run, by replay key, until their replay window ends: kept in memory
 * and in an append-only file (`replay.jsonl` in the voice-call folder), so a replay
 * after a restart runs nothing either. A key is written (and fsynced) before its
 * webhook runs, so a crash at any point leaves it remembered; the answer follows in a
 * second line when it is known, so a replay after a restart gets it again.
 *
 * The file is compacted when loaded (expired keys, duplicates and a line torn by a
 * crash mid-append dropped) and whenever as many lines were appended since as there
 * may be live keys, so it stays within about twice the live set.
 */

/**
 * Keys remembered at most; the oldest go first. Only verified webhooks are recorded,
 * so only genuine traffic fills it: a live call sends one to three webhooks per turn,
 * so this is some ten hours of calls inside Twilio's 24 h window. A live key evicted
 * early is logged: its webhook could then run again if replayed.
 */
export const REPLAY_MAX_ENTRIES = 10_000;
/**
 * Answers larger than this are not written to the file (one is a few hundred bytes of
 * TwiML or `{}`): the file stays within entries × this. Such a webhook replayed after
 * a restart still runs nothing; it gets the provider's empty answer.
 */
export const REPLAY_MAX_STORED_ANSWER_CHARS = 2048;

/** One line of the file: key, expiry (ms since the epoch), and the answer once known. */
interface Line {
  k: string;
  x: number;
  a?: WebhookResponse;
}

interface Entry {
  expiresAt: number;
  /** The first request's answer; undefined when it was lost (a crash, or too large to keep). */
  answer?: Promise<WebhookResponse>;
  /** The settled answer, for compaction. */
  stored?: WebhookResponse;
}

export interface ReplayStoreOptions {
  log: Logger;
  maxEntries?: number;
  now?: () => number;
}

export class ReplayStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** File writes, one at a time, in order. */
  private tail: Promise<void> = Promise.resolve();
  private appendedSinceCompaction = 0;
  private warnedFull = false;

  private constructor(
    readonly file: string,
    private readonly opts: ReplayStoreOptions,
  ) {
    this.maxEntries = opts.maxEntries ?? REPLAY_MAX_ENTRIES;
    this.now = opts.now ?? Date.now;
  }

  /** Loads and compacts the file. Never rejects: an unreadable file is logged and started afresh. */
  static async open(file: string, opts: ReplayStoreOptions): Promise<ReplayStore> {
    const store = new ReplayStore(file, opts);
    await store.load();
    return store;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * An earlier webhook with this key, still in its window: its answer (or undefined
   * inside when lost). Extends the window to `until` when this copy verifies longer.
   */
  repeat(key: string, until: number): { answer?: Promise<WebhookResponse> } | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    if (until > entry.expiresAt) {
      entry.expiresAt = until;
      void this.append({ k: key, x: until }, false);
    }
    return { answer: entry.answer };
  }

  /**
   * Records a webhook about to run. Repeats see it at once (they wait for `settle`);
   * `persisted` resolves once the key is on disk (or failed to get there, logged).
   */
  claim(
    key: string,
    until: number,
  ): { persisted: Promise<void>; settle(answer: Promise<WebhookResponse>): void } {
    let resolve!: (answer: Promise<WebhookResponse>) => void;
    const answer = new Promise<WebhookResponse>((r) => {
      resolve = r;
    });
    // A failed first run fails its repeats the same way; unobserved, it is no crash.
    answer.catch(() => undefined);
    const entry: Entry = { expiresAt: until, answer };
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.trim();
    const persisted = this.append({ k: key, x: until }, true);
    return {
      persisted,
      settle: (result) => {
        resolve(result);
        void result.then(
          (response) => {
            entry.stored = response;
            if (response.body.length <= REPLAY_MAX_STORED_ANSWER_CHARS) {
              void this.append({ k: key, x: entry.expiresAt, a: response }, false);
            }
          },
          () => undefined,
        );
      },
    };
  }

  /** Waits for every write so far (tests, shutdown). */
  flush(): Promise<void> {
    return this.tail;
  }

  private async load(): Promise<void> {
    let text = "";
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if (!isErrnoCode(err, "ENOENT")) {
        this.opts.log.error(
          `replay memory ${this.file} unreadable, starting empty: ${(err as Error).message}`,
        );
      }
    }
    const lines = text.split("\n").filter(Boolean);
    for (const line of lines) {
      const rec = parseLine(line);
      if (!rec) continue; // torn by a crash mid-append, or not ours
      const known = this.entries.get(rec.k);
      const entry: Entry = known ?? { expiresAt: rec.x };
      entry.expiresAt = Math.max(entry.expiresAt, rec.x);
      if (rec.a) {
        entry.stored = rec.a;
        entry.answer = Promise.resolve(rec.a);
      }
      if (!known) this.entries.set(rec.k, entry);
    }
    this.trim(true);
    // A torn last line would swallow the next append: rewrite whenever anything is off.
    if (lines.length !== this.entries.size || (text && !text.endsWith("\n"))) await this.compact();
  }

  /**
   * Drops expired keys from the oldest end (`all`: everywhere) and evicts the oldest
   * beyond the cap, saying so once per compaction when one was still in its window.
   */
  private trim(all = false): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      const live = entry.expiresAt > now;
      if (live && this.entries.size <= this.maxEntries) {
        if (all) continue;
        break;
      }
      if (live && !this.warnedFull) {
        this.warnedFull = true;
        this.opts.log.warn(
          `replay memory full (${this.maxEntries} webhooks): the oldest are forgotten inside their window, so a replay of one would run again`,
        );
      }
      this.entries.delete(key);
    }
  }

  private append(line: Line, sync: boolean): Promise<void> {
    const data = `${JSON.stringify(line)}\n`;
    const write = this.tail.then(async () => {
      if (this.appendedSinceCompaction >= this.maxEntries) await this.rewrite();
      await appendWhole(this.file, data, { sync });
      this.appendedSinceCompaction++;
    });
    this.tail = write.catch((err: Error) => {
      this.opts.log.error(
        `replay memory ${this.file}: ${err.message}; a replay after a restart could run a webhook again`,
      );
    });
    return this.tail;
  }

  private compact(): Promise<void> {
    this.tail = this.tail
      .then(() => this.rewrite())
      .catch((err: Error) => this.opts.log.error(`replay memory ${this.file}: ${err.message}`));
    return this.tail;
  }

  /** The live keys, one line each, replacing the file in one step. */
  private async rewrite(): Promise<void> {
    this.trim(true);
    this.warnedFull = false;
    let text = "";
    for (const [k, entry] of this.entries) {
      const a =
        entry.stored && entry.stored.body.length <= REPLAY_MAX_STORED_ANSWER_CHARS ? entry.stored : undefined;
      text += `${JSON.stringify({ k, x: entry.expiresAt, ...(a ? { a } : {}) } satisfies Line)}\n`;
    }
    await writeFileAtomic(this.file, text);
    this.appendedSinceCompaction = 0;
  }
}

function parseLine(line: string): Line | undefined {
  try {
    const rec = JSON.parse(line) as Partial<Line>;
    if (typeof rec?.k !== "string" || typeof rec.x !== "number") return undefined;
    const a = rec.a;
    const answer =
      a && typeof a.status === "number" && typeof a.contentType === "string" && typeof a.body === "string"
        ? { status: a.status, contentType: a.contentType, body: a.body }
        : undefined;
    return { k: rec.k, x: rec.x, ...(answer ? { a: answer } : {}) };
  } catch {
    return undefined;
  }
}
