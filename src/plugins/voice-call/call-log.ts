import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../infra/logger.js";

/**
 * The call log (calls.jsonl): one JSON line per thing that happened on a call. Lines are
 * written one at a time so they keep the order things happened in; a failing disk is
 * logged, never fatal to the call.
 */
export class CallLog {
  private ready?: Promise<unknown>;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  record(entry: Record<string, unknown>): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`;
    this.tail = this.tail
      .then(async () => {
        this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
        await this.ready;
        await appendFile(path.join(this.dir, "calls.jsonl"), line, { mode: 0o600 });
      })
      .catch((err: Error) => this.log.warn(`call log: ${err.message}`));
    return this.tail;
  }
}
