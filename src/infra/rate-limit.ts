import { addressKey } from "./net-address.js";

export interface RateLimitOptions {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  maxAttempts: 10,
  windowMs: 60_000,
  lockoutMs: 5 * 60_000,
  // Not exempt by default: behind a reverse proxy or tunnel on the same host every
  // client arrives from loopback, and exempting it would switch the limiter off.
  exemptLoopback: false,
};

/** Bounds the limiter's memory when an attacker sprays failures from many addresses. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Sliding-window failure counter per client (addresses grouped by `addressKey`: all of
 * loopback is one client, IPv6 counts per /64), with a lockout once exceeded.
 */
export class AuthRateLimiter {
  private readonly entries = new Map<string, { failures: number[]; lockedUntil: number }>();

  constructor(
    private options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  configure(options: RateLimitOptions): void {
    this.options = options;
  }

  /** Milliseconds the address must wait, or 0 when it may try. */
  retryAfterMs(address: string): number {
    if (this.isExempt(address)) return 0;
    const entry = this.entries.get(addressKey(address));
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.now());
  }

  recordFailure(address: string): void {
    if (this.isExempt(address)) return;
    const now = this.now();
    const key = addressKey(address);
    const entry = this.entries.get(key) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.options.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.options.maxAttempts) {
      entry.lockedUntil = now + this.options.lockoutMs;
      entry.failures = [];
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_TRACKED_ADDRESSES) this.prune(now);
  }

  reset(address: string): void {
    this.entries.delete(addressKey(address));
  }

  private prune(now: number): void {
    for (const [address, entry] of this.entries) {
      const live = entry.lockedUntil > now || entry.failures.some((t) => now - t < this.options.windowMs);
      if (!live) this.entries.delete(address);
    }
    // Still too many (an address-spraying attacker): drop the oldest-touched entries.
    for (const address of this.entries.keys()) {
      if (this.entries.size <= MAX_TRACKED_ADDRESSES) break;
      this.entries.delete(address);
    }
  }

  private isExempt(address: string): boolean {
    return this.options.exemptLoopback && isLoopbackAddress(address);
  }
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || a.startsWith("127.");
}
