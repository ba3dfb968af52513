/**
 * What the gateway is still waiting for before it is ready (`/readyz`, `health`):
 * each part (startup, a channel) registers as pending with a reason and is cleared
 * once started. Ready means nothing is pending.
 */
export class Readiness {
  private readonly pending = new Map<string, string>();

  wait(part: string, reason: string): void {
    this.pending.set(part, reason);
  }

  done(part: string): void {
    this.pending.delete(part);
  }

  snapshot(): { ready: boolean; failing: string[] } {
    const failing = [...this.pending].map(([part, reason]) => `${part}: ${reason}`);
    return { ready: failing.length === 0, failing };
  }
}
