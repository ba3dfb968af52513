import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../infra/logger.js";

/** `channels.<name>.retry`: attempts in all, exponential backoff between them. */
export interface RetryPolicy {
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** The backoff before attempt `attempt + 1` (attempt is 1-based). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
}

/**
 * Runs a chat-app call, retrying per the policy. Each retry is logged; after the last
 * one (or when `delay` says another try cannot help) the failure is logged and thrown
 * as `<channel>: <what> failed after N attempt(s): …`, never swallowed.
 */
export async function withChannelRetry<T>(
  opts: {
    channel: string;
    what: string;
    policy: RetryPolicy;
    log: Logger;
    describe?: (err: unknown) => string;
    /** Ms before another try, or undefined when another try cannot help; default: backoff. */
    delay?: (err: unknown, attempt: number) => number | undefined;
  },
  call: () => Promise<T>,
): Promise<T> {
  const describe = opts.describe ?? ((err: unknown) => (err as Error).message);
  const delayFor = opts.delay ?? ((_err: unknown, attempt: number) => backoffMs(opts.policy, attempt));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const delay = attempt >= opts.policy.attempts ? undefined : delayFor(err, attempt);
      if (delay === undefined) {
        const message = `${opts.what} failed after ${attempt} attempt(s): ${describe(err)}`;
        opts.log.error(message);
        throw new Error(`${opts.channel}: ${message}`, { cause: err });
      }
      opts.log.warn(
        `${opts.what} failed (attempt ${attempt}/${opts.policy.attempts}): ${describe(err)}; retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}
