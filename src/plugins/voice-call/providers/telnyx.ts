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
  const apiBase = (options.apiBaseUrl ?? "https://api.telnyx.com").replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 15_000;

  /** What the provider must remember per call, between webhooks. */
  const pending = new Map<string, CallAction>(); // decided before the call was answered
  const transcribing = new Set<string>();
  const speaking = new Map<string, number>(); // speak commands not yet ended
  const hangupWhenQuiet = new Set<string>();

  function verifyWebhook(req: WebhookRequest, nowMs = Date.now()): VerifyResult {
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

  async function command(callId: string, name: string, body: Record<string, unknown> = {}): Promise<void> {
    await postApi({
      provider: "telnyx",
      operation: `${name.replace(/_/g, " ")} on call ${callId}`,
      url: `${apiBase}/v2/calls/${encodeURIComponent(callId)}/actions/${name}`,
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      // command_id: Telnyx runs a command once per id, so a retried request cannot speak twice.
      body: JSON.stringify({ ...body, command_id: randomUUID() }),
      readError: readTelnyxError,
      timeoutMs,
    });
  }

  async function perform(callId: string, action: CallAction): Promise<void> {
    const text = action.say?.trim();
    if (text) {
      for (const part of chunkText(text, { limit: MAX_SPEAK_CHARS })) {
        speaking.set(callId, (speaking.get(callId) ?? 0) + 1);
        try {
          await command(callId, "speak", { payload: part, voice: "female", language: "en-US" });
        } catch (err) {
          speakEnded(callId);
          throw err;
        }
      }
    }
    if (action.next === "hangup") {
      if ((speaking.get(callId) ?? 0) > 0) hangupWhenQuiet.add(callId);
      else await command(callId, "hangup");
    } else if (action.next === "listen" && !transcribing.has(callId)) {
      transcribing.add(callId);
      try {
        await command(callId, "transcription_start", {
          transcription_engine: "Telnyx",
          transcription_engine_config: { transcription_engine: "Telnyx", language: "en" },
          // The caller's side only: our own speech is not to be transcribed.
          transcription_tracks: "inbound",
        });
      } catch (err) {
        transcribing.delete(callId);
        throw err;
      }
    }
  }

  function speakEnded(callId: string): number {
    const left = Math.max(0, (speaking.get(callId) ?? 0) - 1);
    if (left === 0) speaking.delete(callId);
    else speaking.set(callId, left);
    return left;
  }

  function forget(callId: string): void {
    pending.delete(callId);
    transcribing.delete(callId);
    speaking.delete(callId);
    hangupWhenQuiet.delete(callId);
  }

  async function handle(event: CallEvent, action: CallAction | undefined): Promise<void> {
    const { callId } = event;
    switch (event.type) {
      case "call.started":
        if (event.direction === "inbound") {
          if (action?.next === "hangup" && !action.say?.trim()) {
            await command(callId, "reject", { cause: "CALL_REJECTED" });
            return;
          }
          await command(callId, "answer");
        }
        // Nothing can be said before the call is answered.
        if (action) pending.set(callId, action);
        return;
      case "call.answered": {
        const next = action ?? pending.get(callId);
        pending.delete(callId);
        if (next) await perform(callId, next);
        return;
      }
      case "say.ended":
        speakEnded(callId);
        if (action) await perform(callId, action);
        if (!speaking.has(callId) && hangupWhenQuiet.delete(callId)) await command(callId, "hangup");
        return;
      case "call.ended":
        forget(callId);
        return;
      default:
        if (action) await perform(callId, action);
    }
  }

  return {
    name: "telnyx",
    verifyWebhook,
    parseWebhook,
    async respond(event, action) {
      if (event) await handle(event, action);
      return { status: 200, contentType: "application/json", body: "{}" };
    },
    async placeCall({ to, from, webhookUrl }) {
      const answer = (await postApi({
        provider: "telnyx",
        operation: "place call",
        url: `${apiBase}/v2/calls`,
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify({
          connection_id: connectionId,
          to,
          from,
          webhook_url: webhookUrl,
          webhook_url_method: "POST",
          command_id: randomUUID(),
        }),
        readError: readTelnyxError,
        timeoutMs,
      })) as { data?: { call_control_id?: unknown } } | undefined;
      const callId = answer?.data?.call_control_id;
      if (typeof callId !== "string") throw new Error("telnyx place call: the answer has no call_control_id");
      return { callId };
    },
    act: (callId, action) => perform(callId, action),
  };
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
