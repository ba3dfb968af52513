import type { TurnOutcome } from "./runner.js";

/** How long a finished run's idempotency key is remembered in memory (the transcript remembers longer). */
const IDEMPOTENCY_TTL_MS = 10 * 60_000;
/** Keys kept at most: a client inventing a key per message cannot grow the map without bound. */
const IDEMPOTENCY_MAX = 2000;

export interface SeenRun {
  runId: string;
  sessionKey: string;
  done: Promise<TurnOutcome>;
  finished: boolean;
}

/**
 * Runs by idempotency key, so a client retrying `chat.send` (same key) gets the first
 * run back instead of a second answer. Oldest first; finished keys expire.
 */
export class IdempotencyCache {
  private readonly runs = new Map<string, SeenRun & { at: number }>();

  /** The run a key started, if it is still remembered. */
  lookup(key: string): SeenRun | undefined {
    this.prune();
    return this.runs.get(key);
  }

  remember(key: string, run: Omit<SeenRun, "finished">): void {
    const record = { ...run, finished: false, at: Date.now() };
    this.runs.set(key, record);
    void run.done
      .finally(() => {
        record.finished = true;
        record.at = Date.now();
      })
      .catch(() => undefined);
  }

  private prune(): void {
    const cutoff = Date.now() - IDEMPOTENCY_TTL_MS;
    for (const [key, record] of this.runs) {
      if ((record.finished && record.at < cutoff) || this.runs.size > IDEMPOTENCY_MAX) this.runs.delete(key);
      else break;
    }
  }
}
