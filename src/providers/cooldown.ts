/** Backoff after consecutive failures: 1 min, 5 min, 25 min, then 1 h at most (OpenClaw's schedule). */
export function cooldownMs(errorCount: number, retryAfterMs = 0): number {
  const backoff = Math.min(60_000 * 5 ** Math.max(0, errorCount - 1), 3_600_000);
  // A server's retry-after may ask for longer than our schedule, never beyond the cap.
  return Math.min(Math.max(backoff, retryAfterMs), 3_600_000);
}

export interface CooldownState {
  errorCount: number;
  cooldownUntil?: number;
  lastUsed?: number;
}

/**
 * In-memory cooldowns for things without a persisted record (a model, or a
 * provider's env/config key). Auth profiles keep theirs in auth-profiles.json.
 */
export class Cooldowns {
  private readonly state = new Map<string, CooldownState>();

  constructor(private readonly now: () => number) {}

  isCooling(key: string): boolean {
    return (this.state.get(key)?.cooldownUntil ?? 0) > this.now();
  }

  fail(key: string, retryAfterMs?: number): number {
    const s = this.state.get(key) ?? { errorCount: 0 };
    s.errorCount += 1;
    s.cooldownUntil = this.now() + cooldownMs(s.errorCount, retryAfterMs);
    this.state.set(key, s);
    return s.cooldownUntil;
  }

  succeed(key: string): void {
    this.state.delete(key);
  }
}
