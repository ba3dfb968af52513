import type { Logger } from "../infra/logger.js";
import { activeBranch, LEAF_ENTRY } from "./branch.js";
import { DIRTY, type IndexState, indexedMessage, type TranscriptSearchIndex } from "./search-index.js";
import type { AppendHooks, Transcript, TranscriptLine, TranscriptReader } from "./transcript.js";

/**
 * Keeps the search index level with the transcripts when the process dies between writing
 * a line and indexing it, and when a rewind leaves messages on another branch.
 *
 * Before its first append in this process a session is marked WRITING (one index write per
 * session per process, not per message); each indexed append moves the session's
 * `indexed_bytes` past its line. A WRITING mark found from an earlier process means lines
 * past `indexed_bytes` may be missing: they are read (from that offset only, never the
 * whole file) and added, before this process appends to the session or before a search,
 * CATCH_UP_BATCH sessions per step. A `leaf` marker (a rewind) marks the session REBUILD:
 * before the next search its rows are replaced by its active branch, so a message the
 * conversation left behind is not found as if it were still said (OpenClaw's index also
 * holds the active branch only).
 */

/** Sessions caught up per step (before one search answers): the rest follow in later steps. */
export const CATCH_UP_BATCH = 50;

const messagesOf = (lines: readonly TranscriptLine[]) => lines.flatMap((l) => indexedMessage(l) ?? []);

export class SearchCatchUp {
  /** Sessions this process appends to: their WRITING mark is its own, not one left by a crash. */
  private readonly writing = new Set<string>();
  /** Where the pass over WRITING marks left by earlier processes is; undefined once done. */
  private recoverAfter: string | undefined = "";
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly search: TranscriptSearchIndex,
    private readonly transcript: (sessionId: string) => Transcript,
    private readonly log: Logger,
  ) {}

  /** The hooks the store gives each transcript. */
  hooks(sessionId: string): AppendHooks {
    return {
      before: (read) => this.beforeAppend(sessionId, read),
      after: (entry, at) => {
        try {
          if (entry.type === LEAF_ENTRY) return this.search.markRebuild(sessionId);
          // A transcript not indexed yet gets this message with the rest when the backfill reads it.
          if (!this.search.isIndexed(sessionId)) return;
          const message = indexedMessage(entry);
          if (message) this.search.add(sessionId, [message]);
          this.search.advance(sessionId, at.start, at.end);
        } catch (err) {
          this.log.warn(
            `cannot add a message of ${sessionId} to the search index: ${(err as Error).message}`,
          );
        }
      },
    };
  }

  /**
   * One bounded step: rewound sessions, then those an earlier process left behind. True
   * while work remains. A step already under way is joined (a search waits for it), not doubled.
   */
  step(): Promise<boolean> {
    this.running ??= this.runStep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runStep(): Promise<boolean> {
    let budget = CATCH_UP_BATCH;
    for (const state of this.search.dirtyAfter(DIRTY.REBUILD, "", budget)) {
      await this.transcript(state.sessionId).withReader((read) => this.catchUp(state.sessionId, read));
      budget--;
    }
    while (this.recoverAfter !== undefined && budget > 0) {
      const rows = this.search.dirtyAfter(DIRTY.WRITING, this.recoverAfter, budget);
      if (rows.length === 0) this.recoverAfter = undefined;
      for (const { sessionId } of rows) {
        this.recoverAfter = sessionId;
        if (this.writing.has(sessionId)) continue;
        await this.transcript(sessionId).withReader((read) => this.catchUp(sessionId, read));
        budget--;
      }
    }
    return this.recoverAfter !== undefined || this.search.dirtyAfter(DIRTY.REBUILD, "", 1).length > 0;
  }

  private async beforeAppend(sessionId: string, read: TranscriptReader): Promise<void> {
    if (this.writing.has(sessionId)) return;
    try {
      const state = this.search.state(sessionId);
      if (!state) return; // Not indexed: the backfill reads it whole.
      if (state.dirty !== DIRTY.CLEAN) await this.catchUp(sessionId, read, state, DIRTY.WRITING);
      else this.search.markWriting(sessionId);
      this.writing.add(sessionId);
    } catch (err) {
      // The append goes on: the transcript is what counts; the next step retries the index.
      this.log.warn(`cannot prepare the search index of ${sessionId}: ${(err as Error).message}`);
    }
  }

  /** Reads what the index lacks (inside the transcript's queue) and records how far it now is. */
  private async catchUp(
    sessionId: string,
    read: TranscriptReader,
    state: IndexState | undefined = this.search.state(sessionId),
    dirty: number = this.writing.has(sessionId) ? DIRTY.WRITING : DIRTY.CLEAN,
  ): Promise<void> {
    if (!state) return;
    // Lines after the last indexed one, unless a rewind (or a replaced file) calls for a full read.
    if (state.dirty === DIRTY.WRITING && state.bytes > 0) {
      const tail = await read.tail(state.bytes);
      if (tail.lines && !tail.lines.some((l) => l.type === LEAF_ENTRY)) {
        this.search.catchUp(sessionId, messagesOf(tail.lines), { bytes: tail.end, dirty, replace: false });
        return;
      }
    }
    const { lines, size } = await read.all();
    this.search.catchUp(sessionId, messagesOf(activeBranch(lines)), { bytes: size, dirty, replace: true });
  }
}
