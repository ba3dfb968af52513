/**
 * Telnyx Call Control v2. Telnyx POSTs JSON webhooks signed with Ed25519 (the
 * account's public key verifies `timestamp|body`) and takes no instructions in the
 * answer: every step is a command on its REST API, `/v2/calls/{call_control_id}/
 * actions/<name>` with a Bearer API key. So `respond()` sends the commands an event
 * calls for and then answers 200 `{}`:
 * - an inbound call arrives parked (`call.initiated`): answer it (or reject it when
 *   the action is a bare hang-up); an action decided now waits for `call.answered`;
 * - say: `speak` (Telnyx's TTS), one command per 3,000 characters;
 * - listen: `transcription_start` once per call; recognition then runs until hang-up,
 *   and final `call.transcription` results become `speech` events;
 * - hang up: `hangup`, but after the last `speak` has ended (`call.speak.ended`), or
 *   the words would be cut off.
 */
import { createHash, createPublicKey, type KeyObject, randomUUID, verify } from "node:crypto";
import { chunkText } from "../../../channels/chunking.js";
import { type ApiErrorDetail, postApi } from "./api.js";
import type {
  CallAction,
  CallEvent,
  EndReason,
  VerifyResult,
  VoiceProvider,
  WebhookRequest,
} from "./types.js";

export interface TelnyxConfig {
  apiKey?: string;
  connectionId?: string;
  /** The account's webhook signing key: base64 of the raw 32-byte Ed25519 public key. */
  publicKey?: string;
}

export interface TelnyxOptions {
  /** Default https://api.telnyx.com (tests point it at the fake). */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

const CONFIG_PATH = 'plugins.entries["voice-call"].config.telnyx';
/** DER header of an SPKI Ed25519 public key; the raw 32 key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** Telnyx's recommended tolerance for the signed timestamp, in seconds. */
const REPLAY_WINDOW_S = 300;
/** The longest `payload` a speak command accepts. */
const MAX_SPEAK_CHARS = 3000;
const END_REASONS: Record<string, EndReason> = {
  normal_clearing: "completed",
  unspecified: "completed",
  time_limit: "completed",
  user_busy: "busy",
  call_rejected: "busy",
  timeout: "no-answer",
  no_answer: "no-answer",
  originator_cancel: "canceled",
};

interface TelnyxEnvelope {
  data?: {
    id?: string;
    event_type?: string;
    payload?: {
      call_control_id?: string;
      from?: string;
      to?: string;
      direction?: string;
      hangup_cause?: string;
      transcription_data?: { transcript?: string; is_final?: boolean; confidence?: number };
    };
  };
}

export function createTelnyxProvider(config: TelnyxConfig, options: TelnyxOptions = {}): VoiceProvider {
  const apiKey = config.apiKey?.trim();
  const connectionId = config.connectionId?.trim();
  if (!apiKey) throw new Error(`${CONFIG_PATH}.apiKey is missing: create an API key in the Telnyx Portal`);
  if (!connectionId) {
    throw new Error(
      `${CONFIG_PATH}.connectionId is missing: copy the id of your Call Control application (Voice API) from the Telnyx Portal`,
    );
  }
  const publicKey = signingKey(config.publicKey);
  const api = new CallControlApi(
    (options.apiBaseUrl ?? "https://api.telnyx.com").replace(/\/+$/, ""),
    apiKey,
    connectionId,
    options.timeoutMs ?? 15_000,
  );
  const calls = new CallDriver(api);
  return {
    name: "telnyx",
    verifyWebhook: (req, nowMs = Date.now()) => verifyWebhook(publicKey, req, nowMs),
    parseWebhook,
    async respond(event, action) {
      if (event) await calls.handle(event, action);
      return { status: 200, contentType: "application/json", body: "{}" };
    },
    placeCall: (call) => api.placeCall(call),
    act: (callId, action) => calls.perform(callId, action),
  };
}

function verifyWebhook(publicKey: KeyObject, req: WebhookRequest, nowMs: number): VerifyResult {
  const signature = req.headers["telnyx-signature-ed25519"];
  const timestamp = req.headers["telnyx-timestamp"];
  if (!signature) return { ok: false, reason: "missing_signature" };
  if (!timestamp) return { ok: false, reason: "missing_timestamp" };
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, "utf8"), req.rawBody]);
  let valid = false;
  try {
    valid = verify(null, signed, publicKey, Buffer.from(signature, "base64"));
  } catch {
    valid = false; // a signature of the wrong length
  }
  if (!valid) return { ok: false, reason: "invalid_signature" };
  // Checked after the signature: a stale timestamp on a genuine webhook is a replay.
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_S) {
    return { ok: false, reason: "stale_timestamp" };
  }
  // The event id is signed (it is in the body), and a redelivery of the event carries
  // it again under a new timestamp and signature: one key for all of them. An event
  // without one is keyed by everything signed.
  const id = readEnvelope(req.rawBody)?.data?.id;
  const replayKey = id ? `telnyx:${id}` : `telnyx:${createHash("sha256").update(signed).digest("hex")}`;
  // This copy verifies until its timestamp leaves the window; remembered that long.
  return { ok: true, replayKey, replayUntil: (Number(timestamp) + REPLAY_WINDOW_S) * 1000 };
}

/** The Call Control REST API with the account's key. */
class CallControlApi {
  constructor(
    private readonly apiBase: string,
    private readonly apiKey: string,
    private readonly connectionId: string,
    private readonly timeoutMs: number,
  ) {}

  /** One command on a live call. */
  async command(callId: string, name: string, body: Record<string, unknown> = {}): Promise<void> {
    await this.post(
      `/v2/calls/${encodeURIComponent(callId)}/actions/${name}`,
      `${name.replace(/_/g, " ")} on call ${callId}`,
      body,
    );
  }

  async placeCall(call: { to: string; from: string; webhookUrl: string }): Promise<{ callId: string }> {
    const answer = (await this.post("/v2/calls", "place call", {
      connection_id: this.connectionId,
      to: call.to,
      from: call.from,
      webhook_url: call.webhookUrl,
      webhook_url_method: "POST",
    })) as { data?: { call_control_id?: unknown } } | undefined;
    const callId = answer?.data?.call_control_id;
    if (typeof callId !== "string") throw new Error("telnyx place call: the answer has no call_control_id");
    return { callId };
  }

  private post(path: string, operation: string, body: Record<string, unknown>): Promise<unknown> {
    return postApi({
      provider: "telnyx",
      operation,
      url: `${this.apiBase}${path}`,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      // command_id: Telnyx runs a command once per id, so a retried request cannot speak twice.
      body: JSON.stringify({ ...body, command_id: randomUUID() }),
      readError: readTelnyxError,
      timeoutMs: this.timeoutMs,
    });
  }
}

/** Turns call events and actions into commands, remembering per call what must wait. */
class CallDriver {
  /** Decided before the call was answered: nothing can be said until it is. */
  private readonly pending = new Map<string, CallAction>();
  private readonly transcribing = new Set<string>();
  /** Speak commands not yet ended, per call. */
  private readonly speaking = new Map<string, number>();
  private readonly hangupWhenQuiet = new Set<string>();

  constructor(private readonly api: CallControlApi) {}

  async handle(event: CallEvent, action: CallAction | undefined): Promise<void> {
    const { callId } = event;
    switch (event.type) {
      case "call.started":
        if (event.direction === "inbound") {
          if (action?.next === "hangup" && !action.say?.trim()) {
            await this.api.command(callId, "reject", { cause: "CALL_REJECTED" });
            return;
          }
          await this.api.command(callId, "answer");
        }
        if (action) this.pending.set(callId, action);
        return;
      case "call.answered": {
        const next = action ?? this.pending.get(callId);
        this.pending.delete(callId);
        if (next) await this.perform(callId, next);
        return;
      }
      case "say.ended":
        this.speakEnded(callId);
        if (action) await this.perform(callId, action);
        if (!this.speaking.has(callId) && this.hangupWhenQuiet.delete(callId)) {
          await this.api.command(callId, "hangup");
        }
        return;
      case "call.ended":
        this.forget(callId);
        return;
      default:
        if (action) await this.perform(callId, action);
    }
  }

  async perform(callId: string, action: CallAction): Promise<void> {
    const text = action.say?.trim();
    if (text) await this.speak(callId, text);
    if (action.next === "hangup") {
      if ((this.speaking.get(callId) ?? 0) > 0) this.hangupWhenQuiet.add(callId);
      else await this.api.command(callId, "hangup");
    } else if (action.next === "listen" && !this.transcribing.has(callId)) {
      await this.startTranscription(callId);
    }
  }

  private async speak(callId: string, text: string): Promise<void> {
    for (const part of chunkText(text, { limit: MAX_SPEAK_CHARS })) {
      this.speaking.set(callId, (this.speaking.get(callId) ?? 0) + 1);
      try {
        await this.api.command(callId, "speak", { payload: part, voice: "female", language: "en-US" });
      } catch (err) {
        this.speakEnded(callId);
        throw err;
      }
    }
  }

  private async startTranscription(callId: string): Promise<void> {
    this.transcribing.add(callId);
    try {
      await this.api.command(callId, "transcription_start", {
        transcription_engine: "Telnyx",
        transcription_engine_config: { transcription_engine: "Telnyx", language: "en" },
        // The caller's side only: our own speech is not to be transcribed.
        transcription_tracks: "inbound",
      });
    } catch (err) {
      this.transcribing.delete(callId);
      throw err;
    }
  }

  private speakEnded(callId: string): void {
    const left = Math.max(0, (this.speaking.get(callId) ?? 0) - 1);
    if (left === 0) this.speaking.delete(callId);
    else this.speaking.set(callId, left);
  }

  private forget(callId: string): void {
    this.pending.delete(callId);
    this.transcribing.delete(callId);
    this.speaking.delete(callId);
    this.hangupWhenQuiet.delete(callId);
  }
}

function parseWebhook(req: WebhookRequest): CallEvent[] {
  const data = readEnvelope(req.rawBody)?.data;
  const payload = data?.payload;
  const callId = payload?.call_control_id;
  if (!callId) return [];
  switch (data?.event_type) {
    case "call.initiated":
      return [
        {
          type: "call.started",
          callId,
          from: payload.from ?? "",
          to: payload.to ?? "",
          direction: payload.direction === "incoming" ? "inbound" : "outbound",
        },
      ];
    case "call.answered":
      return [{ type: "call.answered", callId }];
    case "call.transcription": {
      const t = payload.transcription_data;
      const transcript = t?.transcript?.trim();
      // Interim results are still changing; only a final one is what the caller said.
      if (!t?.is_final || !transcript) return [];
      return [
        {
          type: "speech",
          callId,
          transcript,
          ...(typeof t.confidence === "number" ? { confidence: t.confidence } : {}),
        },
      ];
    }
    case "call.speak.ended":
      return [{ type: "say.ended", callId }];
    case "call.hangup": {
      const cause = payload.hangup_cause ?? "unspecified";
      return [{ type: "call.ended", callId, reason: END_REASONS[cause] ?? "failed", detail: cause }];
    }
    default:
      return [];
  }
}

function readEnvelope(rawBody: Buffer): TelnyxEnvelope | undefined {
  try {
    const body = JSON.parse(rawBody.toString("utf8")) as unknown;
    return typeof body === "object" && body !== null ? (body as TelnyxEnvelope) : undefined;
  } catch {
    return undefined;
  }
}

function signingKey(base64: string | undefined): KeyObject {
  const fix = `copy the public key from the Telnyx Portal (Account Settings → Keys & Credentials → Public Key) into ${CONFIG_PATH}.publicKey`;
  if (!base64?.trim())
    throw new Error(`${CONFIG_PATH}.publicKey is missing (webhooks cannot be verified): ${fix}`);
  const raw = Buffer.from(base64.trim(), "base64");
  if (raw.length !== 32) {
    throw new Error(
      `${CONFIG_PATH}.publicKey is not a base64 Ed25519 key (${raw.length} bytes, not 32): ${fix}`,
    );
  }
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** Telnyx's error body: `{errors: [{code, title, detail, meta: {url}}]}`. */
function readTelnyxError(body: unknown, status: number): ApiErrorDetail {
  const first = (
    body as { errors?: { code?: unknown; title?: unknown; detail?: unknown; meta?: { url?: unknown } }[] }
  )?.errors?.[0];
  const title = typeof first?.title === "string" ? first.title : undefined;
  const detail = typeof first?.detail === "string" ? first.detail : undefined;
  return {
    ...(first?.code !== undefined ? { code: String(first.code) } : {}),
    detail: [title, detail].filter(Boolean).join(": ") || `no error message (HTTP ${status})`,
    ...(typeof first?.meta?.url === "string" ? { moreInfo: first.meta.url } : {}),
  };
}
