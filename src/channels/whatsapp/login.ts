import type { ChannelLoginUpdate } from "../types.js";

export const NOT_LINKED =
  "WhatsApp is not linked: run `openclaw channels login --channel whatsapp` (or use Link WhatsApp on the Control UI's Channels screen) and scan the QR code in WhatsApp → Settings → Linked devices.";

/**
 * What a QR login has shown so far (the current QR, linked, or the reason it ended),
 * with waiters for the next change. Fed by the connection's events.
 */
export class LoginWatch {
  private qr: string | undefined;
  private linkedAs: string | undefined;
  private failure: string | undefined;
  private readonly waiters = new Set<() => void>();

  reset(): void {
    this.qr = undefined;
    this.linkedAs = undefined;
    this.failure = undefined;
  }

  onQr(qr: string): void {
    this.qr = qr;
    this.wake();
  }

  onLinked(self: string): void {
    this.linkedAs = self;
    this.wake();
  }

  onGiveUp(sentence: string): void {
    this.failure = sentence;
    this.wake();
  }

  /** Resolves when there is news compared with `after` (a QR already shown), or at the timeout. */
  async next(after: string | undefined, timeoutMs: number): Promise<ChannelLoginUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = this.current(after);
      if (now) return now;
      const left = deadline - Date.now();
      if (left <= 0) {
        return this.qr
          ? { connected: false, qr: this.qr, message: "still waiting for the scan" }
          : {
              connected: false,
              message: "WhatsApp sent no QR code in time: can the gateway reach WhatsApp's servers?",
            };
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  private current(after: string | undefined): ChannelLoginUpdate | undefined {
    if (this.linkedAs) return { connected: true, message: `linked as ${this.linkedAs}` };
    if (this.failure) return { connected: false, message: this.failure };
    if (this.qr && this.qr !== after) {
      return {
        connected: false,
        qr: this.qr,
        message: "scan this QR code in WhatsApp → Settings → Linked devices → Link a device",
      };
    }
    return undefined;
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}
