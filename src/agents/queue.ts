/**
 * Turn scheduling: each session key is a lane that runs one turn at a time, in
 * arrival order (nothing is dropped); across lanes at most `maxConcurrent` turns
 * run at once. A turn waiting for a slot does not block other lanes' queued turns
 * from being considered in FIFO order.
 */
export class TurnScheduler {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly lanes = new Map<string, Promise<unknown>>();

  constructor(private maxConcurrent: number) {}

  setMaxConcurrent(n: number): void {
    this.maxConcurrent = Math.max(1, n);
    this.pump();
  }

  /** Runs `task` after every earlier task of `lane` and once a global slot is free. */
  run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const result = previous.then(
      () => this.withSlot(task),
      () => this.withSlot(task),
    );
    const tail = result.catch(() => undefined);
    this.lanes.set(lane, tail);
    void tail.then(() => {
      if (this.lanes.get(lane) === tail) this.lanes.delete(lane);
    });
    return result;
  }

  /** Lanes with a running or queued turn. */
  activeLanes(): string[] {
    return [...this.lanes.keys()];
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!();
    }
  }
}

/**
 * Turns one session may have waiting or running. A person types far fewer; a flood
 * past it (7,000 `chat.send` took 1.1 GB and a 311 MB journal) is refused, not queued.
 */
export const MAX_QUEUED_TURNS_PER_SESSION = 32;
/**
 * Turns one submitter (a WS connection, an HTTP client address) may have in flight
 * across all sessions: a client fanning out over fresh session keys hits this instead.
 */
export const MAX_TURNS_IN_FLIGHT_PER_SUBMITTER = 64;

/** A turn refused because a queue is full: nothing was recorded; retry once replies come in. */
export class QueueFullError extends Error {
  readonly retryable = true;
  constructor(
    readonly scope: "session" | "submitter",
    readonly limit: number,
    sessionKey: string,
  ) {
    super(
      scope === "session"
        ? `session ${sessionKey} already has ${limit} turns queued (limit ${limit}); wait for its replies, then send again`
        : `this client already has ${limit} turns in flight (limit ${limit}); wait for replies, then send again`,
    );
    this.name = "QueueFullError";
  }
}

/**
 * Counts turns per session and per submitter from acceptance to the end of the run,
 * and refuses one over either limit before anything is journaled.
 */
export class TurnAdmission {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limits = {
      perSession: MAX_QUEUED_TURNS_PER_SESSION,
      perSubmitter: MAX_TURNS_IN_FLIGHT_PER_SUBMITTER,
    },
  ) {}

  /** Takes a place for one turn, or throws QueueFullError; call the result exactly when the turn ends. */
  admit(sessionKey: string, submitter?: string): () => void {
    const keys = [`session:${sessionKey}`];
    if ((this.counts.get(keys[0]!) ?? 0) >= this.limits.perSession)
      throw new QueueFullError("session", this.limits.perSession, sessionKey);
    if (submitter !== undefined) {
      keys.push(`submitter:${submitter}`);
      if ((this.counts.get(keys[1]!) ?? 0) >= this.limits.perSubmitter)
        throw new QueueFullError("submitter", this.limits.perSubmitter, sessionKey);
    }
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const n = (this.counts.get(key) ?? 1) - 1;
        if (n <= 0) this.counts.delete(key);
        else this.counts.set(key, n);
      }
    };
  }

  /** Turns counted for a session or a submitter (for tests and status). */
  count(scope: "session" | "submitter", key: string): number {
    return this.counts.get(`${scope}:${key}`) ?? 0;
  }
}
