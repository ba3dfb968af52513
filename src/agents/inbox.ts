import { mkdir, open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { appendWhole, isErrnoCode } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";
import type { OutboundTarget } from "./outbound.js";

/** A message the gateway accepted; replayed after a crash until marked done. */
export interface InboxEntry {
  type: "accepted";
  id: string;
  sessionKey: string;
  text: string;
  images?: { data: string; mimeType: string }[];
  idempotencyKey?: string;
  origin?: Record<string, unknown>;
  /** Where the reply goes (chat, thread, message answered): a replay answers the same place. */
  replyTo?: OutboundTarget;
  at: number;
}

type Line = InboxEntry | { type: "done"; id: string };

/**
 * The write-ahead journal of accepted messages (`<state>/agents/inbox.jsonl`). A
 * message is acknowledged only after its `accepted` line is fsynced; `done` follows
 * when its turn has ended. On start, accepted-but-not-done messages are replayed.
 * Appends from all sessions are group-committed: one write and one fsync per batch.
 */
export class Inbox {
  private queue: { line: string; durable: boolean; resolve(): void; reject(e: Error): void }[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /** Opens the journal and returns the messages still to do (oldest first); compacts the file. */
  static async open(file: string, log: Logger): Promise<{ inbox: Inbox; pending: InboxEntry[] }> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const pending = new Map<string, InboxEntry>();
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if (!isErrnoCode(err, "ENOENT")) throw err;
    }
    for (const raw of text.split("\n")) {
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw);
      } catch {
        continue; // A torn last line: that message was never acknowledged.
      }
      if (line.type === "accepted") pending.set(line.id, line);
      else if (line.type === "done") pending.delete(line.id);
    }
    // Rewrite with only what is pending, so the journal stays small.
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, "w", 0o600);
    try {
      await handle.writeFile([...pending.values()].map((e) => `${JSON.stringify(e)}\n`).join(""));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    if (pending.size > 0) log.info(`replaying ${pending.size} message(s) accepted before the last stop`);
    return { inbox: new Inbox(file, log), pending: [...pending.values()] };
  }

  /** Resolves once the entry is on disk (fsynced). */
  accept(entry: InboxEntry): Promise<void> {
    return this.append(entry, true);
  }

  /** Marks a message handled (no fsync: a lost `done` only causes a harmless replay check). */
  done(id: string): void {
    void this.append({ type: "done", id }, false).catch((err: Error) =>
      this.log.warn(`inbox: ${err.message}`),
    );
  }

  private append(line: Line, durable: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line: `${JSON.stringify(line)}\n`, durable, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await appendWhole(this.file, batch.map((b) => b.line).join(""), {
          sync: batch.some((b) => b.durable),
        });
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err as Error);
      }
    }
    this.flushing = undefined;
  }
}
