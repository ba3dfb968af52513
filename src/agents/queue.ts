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
