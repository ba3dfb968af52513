import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../infra/logger.js";
import type { PluginChatResult } from "../types.js";
import type { VoiceCallConfig } from "./config.js";
import type {
  CallAction,
  CallEvent,
  VoiceProvider,
  WebhookRequest,
  WebhookResponse,
} from "./providers/types.js";
import { ReplayStore } from "./replay-store.js";

/** A webhook waits this long for the agent before asking the provider to hold (Twilio gives up at 15 s). */
export const ANSWER_SLICE_MS = 8_000;
/** Silent turns in a row before the call is ended. */
const MAX_SILENCES = 3;
/**
 * A live call sends a webhook at least every few seconds (each listen ends in one, even
 * in silence). One quiet for this long was hung up unseen: Twilio reports an inbound
 * hang-up only to a number's status callback, which may not be set.
 */
const DEFAULT_STALE_SECONDS = 120;

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

interface Call extends CallRecord {
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

export interface CallManagerOptions {
  provider: VoiceProvider;
  config: VoiceCallConfig;
  /** The webhook URL the provider calls, e.g. https://x.ngrok.app/voice/webhook (undefined: not known yet). */
  webhookUrl(): string | undefined;
  chat(req: {
    sessionKey: string;
    text: string;
    signal: AbortSignal;
    origin: Record<string, unknown>;
  }): Promise<PluginChatResult>;
  sessionKey(callId: string): string;
  /** Folder of the call log (calls.jsonl) and the replay memory (replay.jsonl). */
  storeDir: string;
  log: Logger;
  /** Overridable in tests. */
  answerSliceMs?: number;
}

/**
 * Calls as agent sessions. Each provider webhook is verified (403 when not), checked
 * against replays (a repeated request gets the first answer again and runs nothing
 * twice, also after a restart: see replay-store.ts), turned into call events, and
 * answered: a greeting, then each thing the
 * caller says goes to the agent and its answer is spoken back, until hang-up.
 *
 * Twilio answers inline (TwiML in the webhook response); when the agent needs longer
 * than one webhook allows, the call holds and comes back (`resume`) for the answer.
 * Telnyx webhooks are answered at once and the call is driven through its API.
 */
export class CallManager {
  private readonly calls = new Map<string, Call>();
  /** Webhooks already run (opened at the first webhook). */
  private replayStore?: Promise<ReplayStore>;
  private storeReady?: Promise<unknown>;
  private logTail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: CallManagerOptions) {}

  get(callId: string): CallRecord | undefined {
    const call = this.calls.get(callId);
    return call && publicRecord(call);
  }

  list(): CallRecord[] {
    return [...this.calls.values()].map(publicRecord);
  }

  async handleWebhook(req: WebhookRequest): Promise<WebhookResponse> {
    const { provider, config, log } = this.opts;
    // Unsigned webhooks (development only) have nothing trustworthy to key replays on.
    if (config.skipSignatureVerification) return this.process(req);
    const verified = provider.verifyWebhook(req);
    if (!verified.ok) {
      log.warn(`${provider.name} webhook refused: ${verified.reason}`);
      return { status: 403, contentType: "text/plain; charset=utf-8", body: "invalid signature\n" };
    }
    const { replayKey, replayUntil } = verified;
    this.replayStore ??= ReplayStore.open(path.join(this.opts.storeDir, "replay.jsonl"), { log });
    const store = await this.replayStore;
    // From here to claim() nothing awaits: a copy arriving meanwhile sees the claim.
    const earlier = store.repeat(replayKey, replayUntil);
    if (earlier) {
      log.info(
        `${provider.name} webhook repeated (${replayKey.slice(0, 20)}…): answered as before, nothing run again`,
      );
      // Seen before a restart that lost its answer: the empty answer, still nothing run.
      return earlier.answer ?? provider.respond(undefined, undefined, { webhookUrl: this.webhookUrl(req) });
    }
    const claim = store.claim(replayKey, replayUntil);
    // On disk before anything runs: a crash from here on cannot make it run twice.
    await claim.persisted;
    const response = this.process(req);
    claim.settle(response);
    return response;
  }

  private async process(req: WebhookRequest): Promise<WebhookResponse> {
    const { provider } = this.opts;
    const events = provider.parseWebhook(req);
    const webhookUrl = this.webhookUrl(req);
    // One webhook may carry several events (Twilio: call.started + call.answered): the
    // provider is answered once, for the last event, with the last decision taken.
    let action: CallAction | undefined;
    for (const event of events) action = (await this.decide(event)) ?? action;
    try {
      return await provider.respond(events.at(-1), action, { webhookUrl });
    } catch (err) {
      // Telnyx refused a command: still 200, or it delivers the event again and again.
      this.opts.log.error(`${provider.name} webhook: ${(err as Error).message}`);
      return { status: 200, contentType: "application/json", body: "{}" };
    }
  }

  /** The URL to hand the provider: configured/tunnel URL, else the one this request came to. */
  private webhookUrl(req: WebhookRequest): string {
    const known = this.opts.webhookUrl();
    if (known) return known;
    const url = new URL(req.url);
    return `${url.origin}${url.pathname}`;
  }

  private async decide(event: CallEvent): Promise<CallAction | undefined> {
    const { log } = this.opts;
    switch (event.type) {
      case "call.started": {
        const known = this.calls.get(event.callId);
        // An outbound call is dialling: its opening words wait for call.answered.
        if (event.direction === "outbound") return undefined;
        if (known) return undefined;
        const refusal = this.inboundRefusal(event.from);
        if (refusal) {
          log.info(`inbound call from ${event.from} refused: ${refusal}`);
          await this.record({ callId: event.callId, event: "refused", from: event.from, reason: refusal });
          return { next: "hangup" };
        }
        const call = this.open({
          callId: event.callId,
          direction: "inbound",
          from: event.from,
          to: event.to,
          mode: "conversation",
        });
        log.info(`inbound call ${call.callId} from ${call.from}`);
        return this.opening(call);
      }
      case "call.answered": {
        const call = this.calls.get(event.callId);
        if (call?.state !== "ringing") return undefined;
        return this.opening(call);
      }
      case "speech": {
        const call = this.live(event.callId);
        if (!call) return undefined;
        call.silences = 0;
        this.heard(call, "caller", event.transcript);
        call.pending = this.answer(call, event.transcript);
        return this.deliverAnswer(call);
      }
      case "call.poll": {
        const call = this.live(event.callId);
        if (!call) return undefined;
        if (!call.pending) return { next: "listen" };
        return this.deliverAnswer(call);
      }
      case "speech.timeout": {
        const call = this.live(event.callId);
        if (!call) return undefined;
        if (call.pending) return this.deliverAnswer(call);
        call.silences += 1;
        if (call.silences >= MAX_SILENCES) {
          await this.end(call, "no speech");
          return { say: "I could not hear anything. Goodbye.", next: "hangup" };
        }
        return { next: "listen" };
      }
      case "call.ended": {
        const call = this.calls.get(event.callId);
        if (call && call.state !== "ended") await this.end(call, event.reason);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** The first words of a call: the greeting (inbound) or the message it was placed for (outbound). */
  private opening(call: Call): CallAction {
    call.state = "active";
    void this.record({ callId: call.callId, event: "answered" });
    if (call.direction === "inbound") {
      const greeting = this.opts.config.inboundGreeting ?? "Hello! How can I help?";
      this.heard(call, "agent", greeting);
      return { say: greeting, next: "listen" };
    }
    const message = call.openingMessage ?? "";
    if (message) this.heard(call, "agent", message);
    if (call.mode === "notify") {
      // Notify mode: say it and hang up; the call ends when the provider reports it.
      return { say: message, next: "hangup" };
    }
    return { say: message, next: "listen" };
  }

  /**
   * Twilio: wait one slice for the answer, then speak it or hold. Telnyx: answer the
   * webhook now and speak through the API once the agent is done.
   */
  private async deliverAnswer(call: Call): Promise<CallAction | undefined> {
    const pending = call.pending;
    if (!pending) return { next: "listen" };
    if (this.opts.provider.name !== "twilio") {
      void pending.then(
        async (text) => {
          call.pending = undefined;
          if (call.state === "ended") return;
          await this.opts.provider.act(call.callId, speakable(text), {
            webhookUrl: this.opts.webhookUrl() ?? "",
          });
        },
        (err: Error) => this.opts.log.error(`call ${call.callId}: ${err.message}`),
      );
      return undefined;
    }
    const slice = this.opts.answerSliceMs ?? ANSWER_SLICE_MS;
    let timer: NodeJS.Timeout | undefined;
    const later = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, slice, undefined);
    });
    const text = await Promise.race([pending, later]).finally(() => clearTimeout(timer));
    if (text === undefined) return { next: "wait" };
    call.pending = undefined;
    return speakable(text);
  }

  /** Runs the caller's words as an agent turn; resolves with what to say back. */
  private async answer(call: Call, transcript: string): Promise<string> {
    const { config, log } = this.opts;
    // The first thing the caller says (already in the transcript) carries the call's context.
    const first = call.transcript.filter((t) => t.who === "caller").length === 1;
    const preface = first
      ? `[Phone call ${call.direction === "inbound" ? "from" : "to"} ${call.direction === "inbound" ? call.from : call.to}. ` +
        "Your reply is spoken aloud: answer in short plain sentences, no markdown or lists." +
        `${config.responseSystemPrompt ? ` ${config.responseSystemPrompt}` : ""}]\n`
      : "";
    call.abort = new AbortController();
    const timeout = setTimeout(() => call.abort?.abort(), config.responseTimeoutMs ?? 30_000);
    try {
      const result = await this.opts.chat({
        sessionKey: call.sessionKey,
        text: preface + transcript,
        signal: call.abort.signal,
        origin: { channel: "voice-call", callId: call.callId, from: call.from, to: call.to },
      });
      if (result.status !== "ok" || !result.text.trim()) {
        log.warn(
          `call ${call.callId}: the agent gave no answer (${result.status}: ${result.text.slice(0, 200)})`,
        );
        return "Sorry, I could not come up with an answer just now.";
      }
      this.heard(call, "agent", result.text);
      return result.text;
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Places an outbound call; `message` is said when it is answered. */
  async initiate(opts: { to?: string; message: string; mode?: CallMode }): Promise<CallRecord> {
    const { config, provider, log } = this.opts;
    const to = opts.to ?? config.toNumber;
    if (!to)
      throw new Error('no number to call: pass `to` or set plugins.entries["voice-call"].config.toNumber');
    if (!config.fromNumber)
      throw new Error('set plugins.entries["voice-call"].config.fromNumber to place calls');
    const webhookUrl = this.opts.webhookUrl();
    if (!webhookUrl) {
      throw new Error(
        'outbound calls need a public webhook URL: set plugins.entries["voice-call"].config.publicUrl or tunnel.provider',
      );
    }
    this.checkCapacity();
    const { callId } = await provider.placeCall({ to, from: config.fromNumber, webhookUrl });
    const call = this.open({
      callId,
      direction: "outbound",
      from: config.fromNumber,
      to,
      mode: opts.mode ?? config.outbound?.defaultMode ?? "notify",
    });
    call.openingMessage = opts.message;
    log.info(`outbound call ${callId} to ${to} (${call.mode})`);
    return publicRecord(call);
  }

  /** Says `message` on a live call, then listens (conversation) or keeps the line. */
  async speak(callId: string, message: string, next: "listen" | "hangup" = "listen"): Promise<void> {
    const call = this.live(callId);
    if (!call) throw new Error(`no live call ${callId}`);
    this.heard(call, "agent", message);
    await this.opts.provider.act(
      callId,
      { say: message, next },
      { webhookUrl: this.opts.webhookUrl() ?? "" },
    );
  }

  async hangup(callId: string): Promise<void> {
    const call = this.live(callId);
    if (!call) throw new Error(`no live call ${callId}`);
    await this.opts.provider.act(callId, { next: "hangup" }, { webhookUrl: this.opts.webhookUrl() ?? "" });
    await this.end(call, "hung up by the agent");
  }

  /** Ends every live call (the plugin is stopping). */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.calls.values()]
        .filter((c) => c.state !== "ended")
        .map((c) => this.hangup(c.callId).catch(() => this.end(c, "gateway stopping"))),
    );
    // Answers still being written, so replays after the restart get them.
    await (await this.replayStore)?.flush();
  }

  private inboundRefusal(from: string): string | undefined {
    const { config } = this.opts;
    const policy = config.inboundPolicy ?? "disabled";
    if (policy === "disabled")
      return 'inboundPolicy is disabled (set it to "allowlist" with allowFrom, or "open")';
    if (policy === "allowlist" && !(config.allowFrom ?? []).includes(from)) return "not in allowFrom";
    try {
      this.checkCapacity();
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  }

  private checkCapacity(): void {
    this.reapStale();
    const max = this.opts.config.maxConcurrentCalls ?? 1;
    const live = [...this.calls.values()].filter((c) => c.state !== "ended").length;
    if (live >= max) throw new Error(`already on ${max} call${max === 1 ? "" : "s"} (maxConcurrentCalls)`);
  }

  private open(init: Pick<CallRecord, "callId" | "direction" | "from" | "to" | "mode">): Call {
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
      void this.hangup(call.callId).catch((err: Error) => this.opts.log.warn(`hang-up: ${err.message}`));
    }, maxMs);
    call.maxTimer.unref();
    void this.record({
      callId: call.callId,
      event: "started",
      direction: call.direction,
      from: call.from,
      to: call.to,
    });
    this.pruneEnded();
    return call;
  }

  private live(callId: string): Call | undefined {
    const call = this.calls.get(callId);
    if (!call || call.state === "ended") return undefined;
    call.lastSeen = Date.now();
    return call;
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

  private async end(call: Call, reason: string): Promise<void> {
    if (call.state === "ended") return;
    call.state = "ended";
    call.endedAt = Date.now();
    call.endReason = reason;
    clearTimeout(call.maxTimer);
    call.abort?.abort();
    this.opts.log.info(
      `call ${call.callId} ended (${reason}) after ${Math.round((call.endedAt - call.startedAt) / 1000)} s`,
    );
    await this.record({ callId: call.callId, event: "ended", reason });
  }

  private heard(call: Call, who: "caller" | "agent", text: string): void {
    call.transcript.push({ who, text, at: Date.now() });
    void this.record({ callId: call.callId, event: who === "caller" ? "heard" : "said", text });
  }

  /**
   * Appends to the call log, one write at a time so lines keep the order things happened
   * in; a failing disk is logged, never fatal to the call.
   */
  private record(entry: Record<string, unknown>): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`;
    const dir = this.opts.storeDir;
    this.logTail = this.logTail
      .then(async () => {
        this.storeReady ??= mkdir(dir, { recursive: true, mode: 0o700 });
        await this.storeReady;
        await appendFile(path.join(dir, "calls.jsonl"), line, { mode: 0o600 });
      })
      .catch((err: Error) => this.opts.log.warn(`call log: ${err.message}`));
    return this.logTail;
  }

  /** Keeps the last 100 ended calls in memory (the call log has them all). */
  private pruneEnded(): void {
    const ended = [...this.calls.values()].filter((c) => c.state === "ended");
    for (const call of ended.slice(0, Math.max(0, ended.length - 100))) this.calls.delete(call.callId);
  }
}

function publicRecord(call: Call): CallRecord {
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

/** Text for a speech engine: markdown marks, code fences and links reduced to words. */
export function toSpeech(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, " (code omitted) ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s*[-*+]\s+/gm, "")
    .replace(/(\*\*|__|\*|_|~~)(\S(?:.*?\S)?)\1/g, "$2")
    .replace(/\s+/g, " ")
    .trim();
}

function speakable(text: string): CallAction {
  return { say: toSpeech(text), next: "listen" };
}
