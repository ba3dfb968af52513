/**
 * What every channel adapter shares besides the lazy lifecycle (lazy-adapter.ts): the
 * hooks a connection gets, the retry policy with its defaults, and the bookkeeping of
 * `started` (settled once: connected, given up, or first failure) and of giving up.
 */
import type { Logger } from "../infra/logger.js";
import type { RetryPolicy } from "./retry.js";
import type { ChannelAdapterHooks, ChannelState, ChannelStatus } from "./types.js";

/** What a channel's connection module gets from its adapter. */
export interface ConnectionHooks extends ChannelAdapterHooks {
  log: Logger;
  setStatus(patch: Partial<ChannelStatus>): void;
}

/**
 * Send retries unless `channels.<name>.retry` says otherwise: 3 tries ride out a
 * restarting chat-app edge; 0.5 s doubling up to 30 s stays under a user's patience.
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, minDelayMs: 500, maxDelayMs: 30_000 };

/** The configured retry policy (any key may be left out) over the channel's defaults. */
export function resolveRetry(
  configured: Partial<RetryPolicy> | undefined,
  defaults: RetryPolicy = DEFAULT_RETRY,
): RetryPolicy {
  const minDelayMs = configured?.minDelayMs ?? defaults.minDelayMs;
  return {
    attempts: Math.max(1, configured?.attempts ?? defaults.attempts),
    minDelayMs,
    // A max below the min would make the first backoff the longest.
    maxDelayMs: Math.max(minDelayMs, configured?.maxDelayMs ?? defaults.maxDelayMs),
  };
}

/**
 * Backoff between first-connection attempts (1 s doubling, at most a minute): the chat
 * app may be down for a while; a minute keeps the log quiet without leaving it long.
 */
export function connectBackoffMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}

/** A connection's start/fail bookkeeping (see createStartGate). */
export interface StartGate {
  /** Settles once: connected, given up, or after a first failed attempt; never rejects. */
  readonly started: Promise<void>;
  settle(): void;
  /** Whether the connection gave up for good. */
  readonly failed: boolean;
  /**
   * Gives up for good (once; later calls return false): logs the sentence, reports it as
   * the channel's `lastError` in `state` (default "error"), and settles `started`.
   */
  fail(sentence: string, state?: ChannelState): boolean;
}

export function createStartGate(hooks: Pick<ConnectionHooks, "log" | "setStatus">): StartGate {
  let settle!: () => void;
  const started = new Promise<void>((resolve) => (settle = resolve));
  let failed = false;
  return {
    started,
    settle: () => settle(),
    get failed() {
      return failed;
    },
    fail(sentence, state = "error") {
      if (failed) return false;
      failed = true;
      hooks.log.error(sentence);
      hooks.setStatus({ state, connected: false, lastError: sentence });
      settle();
      return true;
    },
  };
}
