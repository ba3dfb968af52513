import type { Logger } from "../infra/logger.js";
import type { SessionStore } from "../sessions/store.js";
import type { Clock } from "./clock.js";
import { parseDuration } from "./schedule.js";

/** OpenClaw's default `cron.sessionRetention`: a job's run session is kept a day after its last run. */
export const DEFAULT_SESSION_RETENTION_MS = 24 * 3_600_000;
/** Rows read per page while looking for cron sessions (one SQLite query each; bounds memory per step). */
const PRUNE_PAGE_SIZE = 200;
/**
 * Least time between two sweeps: sessions expiring moments apart are pruned together, so a
 * sweep (one scan of the session index) runs at most once a minute however many jobs run.
 */
export const MIN_SWEEP_GAP_MS = 60_000;
/** `agent:<agentId>:cron:<jobId>` (and OpenClaw's `…:cron:<jobId>:run:<runId>`): an isolated run session. */
const CRON_SESSION_KEY = /^agent:[^:]+:cron:([^:]+)(?::run:[^:]+)?$/;

/**
 * `cron.sessionRetention` in milliseconds: a duration ("24h", "7d"), `false` to keep run
 * sessions forever (undefined), absent for OpenClaw's default of 24 hours.
 */
export function resolveSessionRetention(value: string | false | undefined): number | undefined {
  if (value === false) return undefined;
  if (value === undefined) return DEFAULT_SESSION_RETENTION_MS;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new Error(`cron.sessionRetention "${value}" is not a duration: use e.g. "24h", "7d", or false`);
  }
  return ms;
}

/** The job id of an isolated cron run session key, or undefined for any other session. */
export function cronJobIdOfSession(key: string): string | undefined {
  return CRON_SESSION_KEY.exec(key)?.[1];
}

/**
 * Deletes the cron run sessions (index row; the transcript is archived as `.deleted.<time>`)
 * last used at or before `cutoffMs`, except those of jobs in `running`. Resolves with the last use
 * of the oldest other one kept (when the next one expires), or undefined when none is left.
 */
export async function pruneCronSessions(
  stores: Iterable<SessionStore>,
  cutoffMs: number,
  running: ReadonlySet<string>,
): Promise<{ deleted: string[]; oldestKeptMs: number | undefined }> {
  const deleted: string[] = [];
  let oldestKeptMs: number | undefined;
  for (const store of stores) {
    const expired: string[] = [];
    let cursor: string | undefined;
    do {
      // ":cron:" narrows the scan; the key pattern decides (a label could contain it too).
      const page = store.page({ limit: PRUNE_PAGE_SIZE, search: ":cron:", ...(cursor ? { cursor } : {}) });
      for (const { key, entry } of page.sessions) {
        const jobId = cronJobIdOfSession(key);
        if (jobId === undefined) continue;
        // A running job's session is neither pruned nor timed: its run's end re-arms the sweep.
        if (running.has(jobId)) continue;
        if (entry.updatedAt <= cutoffMs) expired.push(key);
        else oldestKeptMs = Math.min(oldestKeptMs ?? Infinity, entry.updatedAt);
      }
      cursor = page.nextCursor;
    } while (cursor);
    // Deleted after the scan, so the keyset cursor never skips a row.
    for (const key of expired) if (await store.delete(key)) deleted.push(key);
  }
  return { deleted, oldestKeptMs };
}

export interface SessionReaperOptions {
  clock: Clock;
  /** Current `cron.sessionRetention` in ms (read at every sweep: a reload applies from the next one). */
  retentionMs: () => number | undefined;
  /** The session stores of the agents, opened on demand. */
  stores: () => Promise<SessionStore[]>;
  /** Jobs running now: their sessions are never pruned under them. */
  running: () => ReadonlySet<string>;
  log: Logger;
}

/**
 * Prunes cron run sessions past `cron.sessionRetention` on one timer of the scheduler's
 * clock, armed only for when the oldest kept session expires (or a new run's does): no
 * periodic polling, so an idle gateway with nothing to prune has no timer at all.
 */
export class SessionReaper {
  private cancelTimer: (() => void) | undefined;
  private dueAtMs: number | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = true;
  private lastSweepAtMs = -Infinity;

  constructor(private readonly opts: SessionReaperOptions) {}

  /**
   * Sweeps once a minute after start (sessions that expired while the gateway was down),
   * then as they expire. Not at once: start-up opens no session store for this.
   */
  start(): void {
    this.stopped = false;
    this.armAt(this.opts.clock.now() + MIN_SWEEP_GAP_MS);
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  /** When the next sweep is due (for status and tests). */
  nextSweepAtMs(): number | undefined {
    return this.dueAtMs;
  }

  /** Resolves when a sweep under way has finished. */
  async idle(): Promise<void> {
    await this.sweeping;
  }

  /** A run just used a cron session at `atMs`: make sure a sweep comes when it expires. */
  sessionUsed(atMs: number): void {
    const retention = this.opts.retentionMs();
    if (this.stopped || retention === undefined) return;
    this.armAt(atMs + retention);
  }

  /** Arms the timer for `atMs` unless an earlier sweep is already due. */
  private armAt(wantedMs: number): void {
    const atMs = Math.max(wantedMs, this.lastSweepAtMs + MIN_SWEEP_GAP_MS);
    if (this.stopped || (this.dueAtMs !== undefined && this.dueAtMs <= atMs)) return;
    this.cancel();
    this.dueAtMs = atMs;
    this.cancelTimer = this.opts.clock.setTimer(
      () => {
        this.cancelTimer = undefined;
        this.dueAtMs = undefined;
        this.sweeping = this.sweep().finally(() => {
          this.sweeping = undefined;
        });
      },
      Math.max(0, atMs - this.opts.clock.now()),
    );
  }

  private cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.dueAtMs = undefined;
  }

  private async sweep(): Promise<void> {
    const retention = this.opts.retentionMs();
    if (retention === undefined || this.stopped) return;
    const now = this.opts.clock.now();
    this.lastSweepAtMs = now;
    try {
      const stores = await this.opts.stores();
      const { deleted, oldestKeptMs } = await pruneCronSessions(stores, now - retention, this.opts.running());
      if (deleted.length > 0) {
        this.opts.log.info(`pruned ${deleted.length} cron run session(s) older than cron.sessionRetention`);
      }
      if (oldestKeptMs !== undefined) this.armAt(oldestKeptMs + retention);
    } catch (err) {
      // The next run's session re-arms a sweep; nothing is lost by waiting for it.
      this.opts.log.warn(`could not prune cron run sessions: ${(err as Error).message}`);
    }
  }
}
