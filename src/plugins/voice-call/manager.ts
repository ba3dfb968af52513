import type { Logger } from "../../infra/logger.js";
import type { PluginChatResult } from "../types.js";
import { CallLog } from "./call-log.js";
import { type Call, type CallMode, type CallRecord, CallTable, publicRecord } from "./calls.js";
import type { VoiceCallConfig } from "./config.js";
import type {
  CallAction,
  CallEvent,
  VoiceProvider,
  WebhookRequest,
  WebhookResponse,
} from "./providers/types.js";
import { speakable } from "./speech.js";
import { WebhookGate } from "./webhook.js";

export type { CallMode, CallRecord, CallState } from "./calls.js";
export { toSpeech } from "./speech.js";

/** A webhook waits this long for the agent before asking the provider to hold (Twilio gives up at 15 s). */
export const ANSWER_SLICE_MS = 8_000;
/** Silent turns in a row before the call is ended. */
const MAX_SILENCES = 3;
/** How long the agent may take over one answer unless `responseTimeoutMs` says otherwise. */
const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

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
 * Calls as agent sessions. Webhooks come in through the gate (verified, replays answered
 * as before: webhook.ts); each call event is decided here: a greeting, then each thing
 * the caller says goes to the agent and its answer is spoken back, until hang-up. The
 * calls' lifecycle (capacity, limits, the call log) is in calls.ts.
 *
 * Twilio answers inline (TwiML in the webhook response); when the agent needs longer
 * than one webhook allows, the call holds and comes back (`call.poll`) for the answer.
 * Telnyx webhooks are answered at once and the call is driven through its API.
 */
export class CallManager {
  private readonly calls: CallTable;
  private readonly webhooks: WebhookGate;
  private readonly callLog: CallLog;

  constructor(private readonly opts: CallManagerOptions) {
    this.callLog = new CallLog(opts.storeDir, opts.log);
    this.calls = new CallTable({
      config: opts.config,
      sessionKey: opts.sessionKey,
      callLog: this.callLog,
      log: opts.log,
      hangup: (callId) => this.hangup(callId),
    });
    this.webhooks = new WebhookGate({ ...opts, decide: (event) => this.decide(event) });
  }

  get(callId: string): CallRecord | undefined {
    const call = this.calls.get(callId);
    return call && publicRecord(call);
  }

  list(): CallRecord[] {
    return this.calls.all().map(publicRecord);
  }

  handleWebhook(req: WebhookRequest): Promise<WebhookResponse> {
    return this.webhooks.handle(req);
  }

  private async decide(event: CallEvent): Promise<CallAction | undefined> {
    switch (event.type) {
      case "call.started":
        // An outbound call is dialling: its opening words wait for call.answered.
        if (event.direction === "outbound" || this.calls.get(event.callId)) return undefined;
        return this.inboundCall(event);
      case "call.answered": {
        const call = this.calls.get(event.callId);
        return call?.state === "ringing" ? this.opening(call) : undefined;
      }
      case "speech": {
        const call = this.calls.live(event.callId);
        if (!call) return undefined;
        call.silences = 0;
        this.calls.heard(call, "caller", event.transcript);
        call.pending = this.answer(call, event.transcript);
        return this.deliverAnswer(call);
      }
      case "call.poll": {
        const call = this.calls.live(event.callId);
        if (!call) return undefined;
        return call.pending ? this.deliverAnswer(call) : { next: "listen" };
      }
      case "speech.timeout": {
        const call = this.calls.live(event.callId);
        return call && this.silence(call);
      }
      case "call.ended": {
        const call = this.calls.get(event.callId);
        if (call) await this.calls.end(call, event.reason);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** A new inbound call: refused (hang up) or opened with the greeting. */
  private async inboundCall(event: Extract<CallEvent, { type: "call.started" }>): Promise<CallAction> {
    const { log } = this.opts;
    const refusal = this.inboundRefusal(event.from);
    if (refusal) {
      log.info(`inbound call from ${event.from} refused: ${refusal}`);
      await this.callLog.record({
        callId: event.callId,
        event: "refused",
        from: event.from,
        reason: refusal,
      });
      return { next: "hangup" };
    }
    const call = this.calls.open({
      callId: event.callId,
      direction: "inbound",
      from: event.from,
      to: event.to,
      mode: "conversation",
    });
    log.info(`inbound call ${call.callId} from ${call.from}`);
    return this.opening(call);
  }

  /** The caller said nothing: the answer if one is waiting, else listen again, up to MAX_SILENCES. */
  private async silence(call: Call): Promise<CallAction | undefined> {
    if (call.pending) return this.deliverAnswer(call);
    call.silences += 1;
    if (call.silences < MAX_SILENCES) return { next: "listen" };
    await this.calls.end(call, "no speech");
    return { say: "I could not hear anything. Goodbye.", next: "hangup" };
  }

  /** The first words of a call: the greeting (inbound) or the message it was placed for (outbound). */
  private opening(call: Call): CallAction {
    call.state = "active";
    void this.callLog.record({ callId: call.callId, event: "answered" });
    if (call.direction === "inbound") {
      const greeting = this.opts.config.inboundGreeting ?? "Hello! How can I help?";
      this.calls.heard(call, "agent", greeting);
      return { say: greeting, next: "listen" };
    }
    const message = call.openingMessage ?? "";
    if (message) this.calls.heard(call, "agent", message);
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
    const timeout = setTimeout(
      () => call.abort?.abort(),
      config.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS,
    );
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
      this.calls.heard(call, "agent", result.text);
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
    this.calls.checkCapacity();
    const { callId } = await provider.placeCall({ to, from: config.fromNumber, webhookUrl });
    const call = this.calls.open({
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
    const call = this.calls.live(callId);
    if (!call) throw new Error(`no live call ${callId}`);
    this.calls.heard(call, "agent", message);
    await this.opts.provider.act(
      callId,
      { say: message, next },
      { webhookUrl: this.opts.webhookUrl() ?? "" },
    );
  }

  async hangup(callId: string): Promise<void> {
    const call = this.calls.live(callId);
    if (!call) throw new Error(`no live call ${callId}`);
    await this.opts.provider.act(callId, { next: "hangup" }, { webhookUrl: this.opts.webhookUrl() ?? "" });
    await this.calls.end(call, "hung up by the agent");
  }

  /** Ends every live call (the plugin is stopping). */
  async stop(): Promise<void> {
    await Promise.all(
      this.calls
        .all()
        .filter((c) => c.state !== "ended")
        .map((c) => this.hangup(c.callId).catch(() => this.calls.end(c, "gateway stopping"))),
    );
    // Answers still being written, so replays after the restart get them.
    await this.webhooks.flush();
  }

  private inboundRefusal(from: string): string | undefined {
    const { config } = this.opts;
    const policy = config.inboundPolicy ?? "disabled";
    if (policy === "disabled")
      return 'inboundPolicy is disabled (set it to "allowlist" with allowFrom, or "open")';
    if (policy === "allowlist" && !(config.allowFrom ?? []).includes(from)) return "not in allowFrom";
    try {
      this.calls.checkCapacity();
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  }
}
