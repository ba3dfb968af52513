import { describe, expect, it } from "vitest";
import { AuthRateLimiter, isLoopbackAddress } from "./rate-limit.js";

describe("AuthRateLimiter", () => {
  const options = { maxAttempts: 3, windowMs: 10_000, lockoutMs: 60_000, exemptLoopback: false };

  it("locks an address out after maxAttempts failures inside the window, then lets it go", () => {
    let now = 1_000_000;
    const limiter = new AuthRateLimiter(options, () => now);
    limiter.recordFailure("10.0.0.1");
    limiter.recordFailure("10.0.0.1");
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(0);
    limiter.recordFailure("10.0.0.1");
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(60_000);
    expect(limiter.retryAfterMs("10.0.0.2")).toBe(0);
    now += 59_000;
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(1_000);
    now += 1_000;
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(0);
  });

  it("forgets failures older than the window", () => {
    let now = 0;
    const limiter = new AuthRateLimiter(options, () => now);
    limiter.recordFailure("a");
    limiter.recordFailure("a");
    now += 10_001;
    limiter.recordFailure("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
  });

  it("exempts loopback only when asked", () => {
    const limiter = new AuthRateLimiter({ ...options, maxAttempts: 1, exemptLoopback: true });
    limiter.recordFailure("::ffff:127.0.0.1");
    expect(limiter.retryAfterMs("::ffff:127.0.0.1")).toBe(0);
    limiter.recordFailure("192.0.2.1");
    expect(limiter.retryAfterMs("192.0.2.1")).toBeGreaterThan(0);
  });

  it("stays bounded under an address-spraying attack", () => {
    const limiter = new AuthRateLimiter({ ...options, maxAttempts: 1 });
    for (let i = 0; i < 12_000; i++) limiter.recordFailure(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    // The newest addresses are still locked out; the table did not grow without bound.
    expect(limiter.retryAfterMs("10.0.46.223")).toBeGreaterThan(0);
    expect((limiter as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(
      10_000,
    );
  });

  it("recognises loopback addresses", () => {
    expect(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"].map(isLoopbackAddress)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["10.0.0.1", "::ffff:10.0.0.1", undefined].map(isLoopbackAddress)).toEqual([false, false, false]);
  });
});
