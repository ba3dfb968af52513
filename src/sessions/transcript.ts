import { randomUUID } from "node:crypto";
import { open, readFile, stat, truncate } from "node:fs/promises";
import { appendWhole, isErrnoCode } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";
import { activeBranch, branchPointBefore, LEAF_ENTRY } from "./branch.js";

/** First line of every transcript (pi-coding-agent format, as OpenClaw writes it), plus our sessionKey. */
export interface TranscriptHeader {
  type: "session";
  version: 3;
  id: string;
  timestamp: string;
  cwd?: string;
  sessionKey?: string;
}

export interface TranscriptMessage {
  role: "user" | "assistant" | "toolResult";
  content: unknown[];
  provider?: string;
  model?: string;
  usage?: Record<string, unknown>;
  stopReason?: string;
  [field: string]: unknown;
}

export interface TranscriptEntry {
  type: string;
  id: string;
  parentId?: string | null;
  timestamp: string;
  message?: TranscriptMessage;
  [field: string]: unknown;
}

export type TranscriptLine = TranscriptHeader | TranscriptEntry;

/**
 * What the session store's search index is told about appends: `before` runs inside the
 * append queue before the line is written (it records that the file may be ahead of the
 * index, so a crash between the write and `after` is caught up later), `after` once the
 * line is on disk, with the byte range it holds.
 */
export interface AppendHooks {
  before?(read: TranscriptReader): void | Promise<void>;
  after?(entry: TranscriptEntry, at: { start: number; end: number }): void;
}

/** Reads of a transcript from inside its append queue. */
export interface TranscriptReader {
  /** Every line, and the file's size in bytes. */
  all(): Promise<{ lines: TranscriptLine[]; size: number }>;
  /** The complete lines from byte `offset` on and the offset past them (undefined lines: the file is shorter). */
  tail(offset: number): Promise<{ lines: TranscriptLine[] | undefined; end: number }>;
}

/** Every parseable line of `text` (an unreadable one is skipped, as a torn or hand-edited line). */
function parseLines(text: string, onBad?: (line: number) => void): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    if (!raw) continue;
    try {
      lines.push(JSON.parse(raw));
    } catch {
      onBad?.(i + 1);
    }
  }
  return lines;
}

/** Longer transcripts are read from disk each time rather than held in memory. */
const MAX_CACHED_LINES = 2000;

/**
 * One session's append-only JSONL file. Appends are serialised; `durable` appends
 * are fsynced before they resolve (an acknowledged user message survives a crash).
 * A torn last line (a crash mid-write) is cut off before the next append or read.
 */
export class Transcript {
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private checked = false;
  private lastId: string | null | undefined;
  /**
   * Parsed lines, kept after the first read so a turn does not re-read the whole file,
   * with the file size they correspond to (another writer would change it).
   */
  private cache: { lines: TranscriptLine[]; size: number } | undefined;

  constructor(
    readonly path: string,
    private readonly log: Logger,
    /** The search index's view of each append (see AppendHooks). */
    private readonly hooks: AppendHooks = {},
  ) {}

  /** Creates the file with its header if it does not exist yet. */
  async init(header: Omit<TranscriptHeader, "type" | "version">): Promise<void> {
    await this.enqueue(async () => {
      const handle = await open(this.path, "wx", 0o600).catch((err) => {
        if (isErrnoCode(err, "EEXIST")) return undefined;
        throw err;
      });
      if (!handle) return;
      try {
        await handle.writeFile(`${JSON.stringify({ type: "session", version: 3, ...header })}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      this.checked = true;
      this.lastId = null;
      const first: TranscriptHeader = { type: "session", version: 3, ...header };
      this.cache = { lines: [first], size: Buffer.byteLength(`${JSON.stringify(first)}\n`) };
    });
  }

  /** Appends a message entry (id and parentId chained automatically) and returns it. */
  appendMessage(message: TranscriptMessage, opts: { durable?: boolean } = {}): Promise<TranscriptEntry> {
    return this.append({ type: "message", message }, opts);
  }

  append(
    entry: Omit<TranscriptEntry, "id" | "parentId" | "timestamp"> & { timestamp?: string },
    opts: { durable?: boolean } = {},
  ): Promise<TranscriptEntry> {
    return this.enqueue(() => this.appendNow(entry, opts));
  }

  /** The append itself; the caller holds the queue. */
  private async appendNow(
    entry: Omit<TranscriptEntry, "id" | "parentId" | "timestamp"> & { timestamp?: string },
    opts: { durable?: boolean },
  ): Promise<TranscriptEntry> {
    await this.repairOnce();
    if (this.lastId === undefined) this.lastId = (await this.readLines()).at(-1)?.id ?? null;
    const full: TranscriptEntry = {
      ...entry,
      id: randomUUID().slice(0, 8),
      parentId: this.lastId,
      timestamp: entry.timestamp ?? new Date().toISOString(),
    } as TranscriptEntry;
    const line = `${JSON.stringify(full)}\n`;
    await this.hooks.before?.(this.reader);
    const at = await appendWhole(this.path, line, { sync: opts.durable });
    this.lastId = full.id;
    this.hooks.after?.(full, at);
    if (this.cache && this.cache.lines.length < MAX_CACHED_LINES) {
      this.cache.lines.push(full);
      this.cache.size += Buffer.byteLength(line);
    } else {
      this.cache = undefined;
    }
    return full;
  }

  /**
   * The conversation as it stands: the lines of the active branch (header first), without
   * what a rewind left behind on another branch (see `branch.ts`).
   */
  async read(): Promise<TranscriptLine[]> {
    return activeBranch(await this.readAll());
  }

  /**
   * Rewinds the conversation to just before `entryId` by appending a `leaf` marker
   * (durably): nothing is rewritten, the earlier branch stays in the file.
   */
  rewindBefore(entryId: string): Promise<TranscriptEntry> {
    // One queued task: no other append can land between reading the branch and the marker.
    return this.enqueue(async () => {
      await this.repairOnce();
      const targetId = branchPointBefore(await this.readLines(), entryId);
      return this.appendNow({ type: LEAF_ENTRY, targetId }, { durable: true });
    });
  }

  /**
   * Appends a `leaf` marker (durably) whose target `choose` picks from the current lines,
   * in one queued step: no append lands between the check and the marker. `choose` throws
   * to refuse (a branch switch to what is not a branch's end).
   */
  moveLeaf(choose: (lines: TranscriptLine[]) => string | null): Promise<TranscriptEntry> {
    return this.enqueue(async () => {
      await this.repairOnce();
      const targetId = choose(await this.readLines());
      return this.appendNow({ type: LEAF_ENTRY, targetId }, { durable: true });
    });
  }

  /** Every parseable line (header first); unparseable middle lines are skipped with a warning. */
  readAll(): Promise<TranscriptLine[]> {
    return this.enqueue(async () => {
      await this.repairOnce();
      const size = await stat(this.path).then(
        (s) => s.size,
        () => 0,
      );
      if (this.cache?.size === size) return [...this.cache.lines];
      const lines = await this.readLines(true);
      this.cache = lines.length < MAX_CACHED_LINES ? { lines, size } : undefined;
      return [...lines];
    });
  }

  /**
   * Runs `fn` on every line inside the append queue: no append lands between the read and
   * `fn` (the search backfill marks a transcript indexed knowing nothing was missed).
   */
  withLines<T>(fn: (lines: TranscriptLine[]) => T): Promise<T> {
    return this.enqueue(async () => {
      await this.repairOnce();
      return fn(await this.readLines());
    });
  }

  /**
   * Runs `fn` inside the append queue with readers of the file as it is (the search index
   * catching up: no append lands between its read and its write).
   */
  withReader<T>(fn: (read: TranscriptReader) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      await this.repairOnce();
      return fn(this.reader);
    });
  }

  /** Unqueued reads, for code already inside the queue (`withReader`, `AppendHooks.before`). */
  private readonly reader: TranscriptReader = {
    all: async () => {
      const size = await stat(this.path).then(
        (s) => s.size,
        () => 0,
      );
      return { lines: await this.readLines(), size };
    },
    tail: async (offset) => {
      const handle = await open(this.path, "r").catch((err) => {
        if (isErrnoCode(err, "ENOENT")) return undefined;
        throw err;
      });
      if (!handle) return { lines: undefined, end: 0 };
      try {
        const { size } = await handle.stat();
        if (size < offset) return { lines: undefined, end: size };
        const bytes = Buffer.alloc(size - offset);
        await handle.read(bytes, 0, bytes.length, offset);
        // Complete lines only: a torn last line is not there yet.
        const whole = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
        return { lines: parseLines(whole.toString("utf8")), end: offset + whole.length };
      } finally {
        await handle.close();
      }
    },
  };

  /** No append or read in progress (safe to drop this object). */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** Message entries only, oldest first. */
  async messages(): Promise<TranscriptEntry[]> {
    return (await this.read()).filter((l): l is TranscriptEntry => l.type === "message");
  }

  private async readLines(warn = false): Promise<TranscriptLine[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if (isErrnoCode(err, "ENOENT")) return [];
      throw err;
    }
    return parseLines(
      text,
      warn ? (n) => this.log.warn(`skipping unreadable line ${n} of ${this.path}`) : undefined,
    );
  }

  /** Cuts a torn final line (no trailing newline) left by a crash mid-append. */
  private async repairOnce(): Promise<void> {
    if (this.checked) return;
    this.checked = true;
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (err) {
      if (isErrnoCode(err, "ENOENT")) return;
      throw err;
    }
    if (size === 0) return;
    const text = await readFile(this.path);
    if (text[text.length - 1] === 0x0a) return;
    const keep = text.lastIndexOf(0x0a) + 1;
    this.log.warn(`repaired ${this.path}: removed a torn last line (${size - keep} bytes) left by a crash`);
    await truncate(this.path, keep);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.queue.then(task, task).finally(() => this.pending--);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
