import type { Logger } from "../../infra/logger.js";
import type { CallLog } from "./call-log.js";
import type { VoiceCallConfig } from "./config.js";

/**
 * A live call sends a webhook at least every few seconds (each listen ends in one, even
 * in silence). One quiet for this long was hung up unseen: Twilio reports an inbound
 * hang-up only to a number's status callback, which may not be set.
 */
const DEFAULT_STALE_SECONDS = 120;
/** Ended calls kept in memory for `voicecall.status` (the call log has them all). */
const KEEP_ENDED_CALLS = 100;

export type CallState = "ringing" | "active" | "ended";
export type CallMode = "notify" | "conversation";

export interface CallRecord {
  callId: string;
  direction: "inbound" | "outbound";
  from: string;
  to: string;
  state: CallState;
  mode: CallMode;
  sessionKey: string;
  startedAt: number;
  endedAt?: number;
  endReason?: string;
  /** What was said, in order: the caller's words and the spoken answers. */
  transcript: { who: "caller" | "agent"; text: string; at: number }[];
}

export interface Call extends CallRecord {
  /** Said when an outbound call is answered. */
  openingMessage?: string;
  /** The agent's answer being worked out, if any. */
  pending?: Promise<string>;
  abort?: AbortController;
  silences: number;
  maxTimer?: NodeJS.Timeout;
  /** Last webhook for this call (ms). */
  lastSeen: number;
}

export interface CallTableOptions {
  config: VoiceCallConfig;
  sessionKey(callId: string): string;
  callLog: CallLog;
  log: Logger;
  /** Hangs up a call that reached `maxDurationSeconds`. */
  hangup(callId: string): Promise<void>;
}

/**
 * The calls' lifecycle: opened (ringing), live, ended by a hang-up, the duration limit
 * or the stale-call reaper; capacity counted over the live ones; each step in the call log.
 */
export class CallTable {
  private readonly calls = new Map<string, Call>();

  constructor(private readonly opts: CallTableOptions) {}

  get(callId: string): Call | undefined {
    return this.calls.get(callId);
  }

  all(): Call[] {
    return [...this.calls.values()];
  }

  /** The call if it is not over, marked as seen now (a webhook or command for it arrived). */
  live(callId: string): Call | undefined {
    const call = this.calls.get(callId);
    if (!call || call.state === "ended") return undefined;
    call.lastSeen = Date.now();
    return call;
  }

  /** Throws when `maxConcurrentCalls` calls are live (after ending the stale ones). */
  checkCapacity(): void {
    this.reapStale();
    const max = this.opts.config.maxConcurrentCalls ?? 1;
    const live = this.all().filter((c) => c.state !== "ended").length;
    if (live >= max) throw new Error(`already on ${max} call${max === 1 ? "" : "s"} (maxConcurrentCalls)`);
  }

  open(init: Pick<CallRecord, "callId" | "direction" | "from" | "to" | "mode">): Call {
    const call: Call = {
      ...init,
      state: "ringing",
      sessionKey: this.opts.sessionKey(init.callId),
      startedAt: Date.now(),
      transcript: [],
      silences: 0,
      lastSeen: Date.now(),
    };
    this.calls.set(call.callId, call);
    const maxMs = (this.opts.config.maxDurationSeconds ?? 300) * 1000;
    call.maxTimer = setTimeout(() => {
      this.opts.log.info(`call ${call.callId} reached maxDurationSeconds; hanging up`);
      void this.opts.hangup(call.callId).catch((err: Error) => this.opts.log.warn(`hang-up: ${err.message}`));
    }, maxMs);
    call.maxTimer.unref();
    void this.opts.callLog.record({
      callId: call.callId,
      event: "started",
      direction: call.direction,
      from: call.from,
      to: call.to,
    });
    this.pruneEnded();
    return call;
  }

  async end(call: Call, reason: string): Promise<void> {
    if (call.state === "ended") return;
    call.state = "ended";
    call.endedAt = Date.now();
    call.endReason = reason;
    clearTimeout(call.maxTimer);
    call.abort?.abort();
    this.opts.log.info(
      `call ${call.callId} ended (${reason}) after ${Math.round((call.endedAt - call.startedAt) / 1000)} s`,
    );
    await this.opts.callLog.record({ callId: call.callId, event: "ended", reason });
  }

  /** Adds to the transcript and the call log. */
  heard(call: Call, who: "caller" | "agent", text: string): void {
    call.transcript.push({ who, text, at: Date.now() });
    void this.opts.callLog.record({ callId: call.callId, event: who === "caller" ? "heard" : "said", text });
  }

  /** Ends calls that went quiet without a hang-up webhook (`staleCallReaperSeconds`, default 120). */
  private reapStale(): void {
    const seconds = this.opts.config.staleCallReaperSeconds || DEFAULT_STALE_SECONDS;
    const limit = Date.now() - seconds * 1000;
    for (const call of this.calls.values()) {
      if (call.state !== "ended" && !call.pending && call.lastSeen < limit) {
        void this.end(call, `no webhook for ${seconds} s (hung up unseen)`);
      }
    }
  }

  private pruneEnded(): void {
    const ended = this.all().filter((c) => c.state === "ended");
    for (const call of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED_CALLS))) {
      this.calls.delete(call.callId);
    }
  }
}

/** What callers of the manager see of a call: the record without its timers and pending work. */
export function publicRecord(call: Call): CallRecord {
  const { callId, direction, from, to, state, mode, sessionKey, startedAt, endedAt, endReason, transcript } =
    call;
  return {
    callId,
    direction,
    from,
    to,
    state,
    mode,
    sessionKey,
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    ...(endReason ? { endReason } : {}),
    transcript: [...transcript],
  };
}
