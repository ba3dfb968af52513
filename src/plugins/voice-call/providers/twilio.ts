/**
 * Twilio Programmable Voice. Twilio POSTs form-encoded webhooks signed with the
 * account's auth token and expects TwiML back; speech recognition is `<Gather
 * input="speech">` and speech synthesis `<Say>`. Our webhook URL is told apart by a
 * `type` query value we put into the URLs we hand Twilio:
 * - none: the voice webhook (the number's "A call comes in" URL, or `Url` of a call we
 *   placed): an inbound call arriving, or an outbound call just answered;
 * - `type=gather`: the speech result (or silence) of a `<Gather>`;
 * - `type=redirect`: back from a `wait` (see twiml.ts);
 * - `type=status`: call progress. Twilio sends these only where a status callback is
 *   set: we set it on calls we place; for inbound calls set the number's "Call status
 *   changes" URL to `statusCallbackUrl(webhookUrl)`, or hang-ups go unseen.
 * REST calls (place, update) use HTTP Basic auth with the account SID and auth token.
 */
import { createHash, createHmac } from "node:crypto";
import { safeEqualSecret } from "../../../infra/secrets.js";
import { type ApiErrorDetail, postApi } from "./api.js";
import { ISSUED_PARAM, renderTwiml, webhookUrlFor } from "./twiml.js";
import type { CallEvent, EndReason, VerifyResult, VoiceProvider, WebhookRequest } from "./types.js";

export interface TwilioConfig {
  accountSid?: string;
  authToken?: string;
}

export interface TwilioOptions {
  /** Default https://api.twilio.com (tests point it at the fake). */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

const CONFIG_PATH = 'plugins.entries["voice-call"].config.twilio';
const API_VERSION = "2010-04-01";
/** Twilio refuses a `Twiml` parameter longer than this. */
const MAX_TWIML_CHARS = 4000;
/**
 * How long a webhook is remembered against replays, and how long a TwiML callback URL
 * stays valid after it was issued (twiml.ts). Twilio retries a webhook only within its
 * 15 s timeout, but its signatures never expire: the window is for replays by whoever
 * captured a request. A day is far past Twilio's longest call (4 h), so no genuine
 * callback falls outside it; past it, a replayed callback is refused as stale, and only
 * the fixed URLs (voice, status) verify, which run no agent turn by themselves.
 */
export const REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;
const ENDED: Record<string, EndReason> = {
  completed: "completed",
  busy: "busy",
  "no-answer": "no-answer",
  failed: "failed",
  canceled: "canceled",
};

/** The URL to set as the number's "Call status changes" webhook, so inbound hang-ups arrive. */
export function statusCallbackUrl(webhookUrl: string): string {
  return webhookUrlFor(webhookUrl, "status");
}

export function createTwilioProvider(config: TwilioConfig, options: TwilioOptions = {}): VoiceProvider {
  const accountSid = config.accountSid?.trim();
  const authToken = config.authToken?.trim();
  if (!accountSid?.startsWith("AC")) {
    throw new Error(
      `${CONFIG_PATH}.accountSid is ${accountSid ? "not an Account SID" : "missing"}: copy the Account SID (AC…) from the Twilio Console`,
    );
  }
  if (!authToken) {
    throw new Error(`${CONFIG_PATH}.authToken is missing: copy the Auth Token from the Twilio Console`);
  }
  const accountUrl = `${(options.apiBaseUrl ?? "https://api.twilio.com").replace(/\/+$/, "")}/${API_VERSION}/Accounts/${accountSid}`;
  const basicAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function request(operation: string, path: string, form: [string, string][]): Promise<unknown> {
    return postApi({
      provider: "twilio",
      operation,
      url: `${accountUrl}${path}`,
      headers: {
        authorization: basicAuth,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams(form).toString(),
      readError: readTwilioError,
      timeoutMs,
    });
  }

  return {
    name: "twilio",
    verifyWebhook: (req, nowMs = Date.now()) => verifyWebhook(authToken, req, nowMs),
    parseWebhook,
    async respond(_event, action, ctx) {
      return { status: 200, contentType: "text/xml", body: renderTwiml(action, ctx.webhookUrl) };
    },
    async placeCall({ to, from, webhookUrl }) {
      const call = (await request("place call", "/Calls.json", [
        ["To", to],
        ["From", from],
        ["Url", webhookUrl],
        ["Method", "POST"],
        ["StatusCallback", statusCallbackUrl(webhookUrl)],
        ["StatusCallbackMethod", "POST"],
        // A list parameter: Twilio takes one field per value.
        ...["initiated", "ringing", "answered", "completed"].map((e): [string, string] => [
          "StatusCallbackEvent",
          e,
        ]),
      ])) as { sid?: unknown } | undefined;
      if (typeof call?.sid !== "string") throw new Error("twilio place call: the answer has no call sid");
      return { callId: call.sid };
    },
    async act(callId, action, ctx) {
      const path = `/Calls/${encodeURIComponent(callId)}.json`;
      if (action.next === "hangup" && !action.say?.trim()) {
        await request(`end call ${callId}`, path, [["Status", "completed"]]);
        return;
      }
      const twiml = renderTwiml(action, ctx.webhookUrl);
      if (twiml.length > MAX_TWIML_CHARS) {
        throw new Error(
          `twilio speak on call ${callId}: the text is too long for a live update (${twiml.length} of ${MAX_TWIML_CHARS} characters of TwiML); send it in shorter parts`,
        );
      }
      await request(`speak on call ${callId}`, path, [["Twiml", twiml]]);
    },
  };
}

function verifyWebhook(authToken: string, req: WebhookRequest, nowMs: number): VerifyResult {
  const signature = req.headers["x-twilio-signature"];
  if (!signature) return { ok: false, reason: "missing_signature" };
  const params = formEntries(req.rawBody);
  const signed = signedUrlVariants(req.url)
    .map((url) => signedInput(url, params))
    .find((input) => safeEqualSecret(signature, twilioSignature(authToken, input)));
  if (signed === undefined) return { ok: false, reason: "invalid_signature" };
  const window = callbackWindow(req.url, nowMs);
  if (!window.ok) return window;
  // The key is exactly what the signature covers, in the form Twilio signs it (the
  // signature itself is a function of it): fields reordered or a pair repeated give
  // the same input, and the I-Twilio-Idempotency-Token header is not signed, so
  // anyone can change it: it plays no part.
  const replayKey = `twilio:${createHash("sha256").update(signed, "utf8").digest("base64url")}`;
  return { ok: true, replayKey, replayUntil: window.until };
}

function parseWebhook(req: WebhookRequest): CallEvent[] {
  const url = URL.parse(req.url);
  if (!url) return [];
  const fields = new URLSearchParams(req.rawBody.toString("utf8"));
  // A GET webhook carries its fields in the query.
  const get = (name: string) => fields.get(name) ?? url.searchParams.get(name) ?? "";
  const callId = get("CallSid");
  if (!callId) return [];
  const direction = get("Direction") === "inbound" ? "inbound" : "outbound";
  const started: CallEvent = { type: "call.started", callId, from: get("From"), to: get("To"), direction };
  switch (url.searchParams.get("type")) {
    case "gather": {
      const transcript = get("SpeechResult").trim();
      if (!transcript) return [{ type: "speech.timeout", callId }];
      const confidence = Number.parseFloat(get("Confidence"));
      return [{ type: "speech", callId, transcript, ...(Number.isFinite(confidence) ? { confidence } : {}) }];
    }
    case "redirect":
      return [{ type: "call.poll", callId }];
    case "status": {
      const status = get("CallStatus");
      if (status === "initiated") return [started];
      const reason = ENDED[status];
      // ringing and in-progress add nothing: the voice webhook reports the answer.
      return reason ? [{ type: "call.ended", callId, reason }] : [];
    }
    case null:
      // Twilio fetches the voice URL once the call is up: an inbound call is answered by
      // our TwiML, an outbound one was just picked up (it started with the `initiated` status).
      return direction === "inbound"
        ? [started, { type: "call.answered", callId }]
        : [{ type: "call.answered", callId }];
    default:
      return [];
  }
}

/**
 * How long a callback may come after its URL was issued. Past this, a stamped callback
 * (gather, redirect: the ones whose replay would run the agent) is refused as stale.
 */
function callbackWindow(
  url: string,
  nowMs: number,
): { ok: true; until: number } | { ok: false; reason: "missing_timestamp" | "stale_timestamp" } {
  const query = URL.parse(url)?.searchParams;
  const kind = query?.get("type");
  // The number's voice URL and the status URL are fixed: nothing issued them.
  if (kind !== "gather" && kind !== "redirect") return { ok: true, until: nowMs + REPLAY_WINDOW_MS };
  const issued = query?.get(ISSUED_PARAM);
  if (!issued) return { ok: false, reason: "missing_timestamp" };
  const issuedMs = Number(issued) * 1000;
  if (!/^\d+$/.test(issued) || Math.abs(nowMs - issuedMs) > REPLAY_WINDOW_MS) {
    return { ok: false, reason: "stale_timestamp" };
  }
  return { ok: true, until: issuedMs + REPLAY_WINDOW_MS };
}

/**
 * What Twilio's signature covers: the URL, then key + value for each form field, fields
 * sorted by key and a repeated key's distinct values sorted (what Twilio's helper
 * libraries do: a pair sent twice signs as once).
 */
function signedInput(url: string, params: [string, string][]): string {
  const byKey = new Map<string, Set<string>>();
  for (const [key, value] of params) byKey.set(key, (byKey.get(key) ?? new Set()).add(value));
  let input = url;
  for (const key of [...byKey.keys()].sort()) {
    for (const value of [...byKey.get(key)!].sort()) input += key + value;
  }
  return input;
}

/** base64(HMAC-SHA1(authToken, signedInput)). */
function twilioSignature(authToken: string, input: string): string {
  return createHmac("sha1", authToken).update(input, "utf8").digest("base64");
}

function formEntries(rawBody: Buffer): [string, string][] {
  return [...new URLSearchParams(rawBody.toString("utf8")).entries()];
}

/**
 * The URL as given, without its port, and with the scheme's default port: Twilio signs
 * the URL as it was configured, which a proxy may have changed in the port only
 * (Twilio's own helpers accept the same three). The text is kept as is otherwise:
 * the signature covers the host's case too.
 */
function signedUrlVariants(url: string): string[] {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?(\[[^\]]*\]|[^/?#:]*)(:\d+)?(.*)$/is.exec(url);
  if (!m) return [url];
  const [, scheme = "", userinfo = "", host = "", port, rest = ""] = m;
  const defaultPort = scheme.toLowerCase().startsWith("https") ? ":443" : ":80";
  const variants = [url, `${scheme}${userinfo}${host}${rest}`];
  if (!port) variants.push(`${scheme}${userinfo}${host}${defaultPort}${rest}`);
  return [...new Set(variants)];
}

/** Twilio's error body: `{code, message, more_info, status}`. */
function readTwilioError(body: unknown, status: number): ApiErrorDetail {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; more_info?: unknown };
  return {
    ...(b.code !== undefined ? { code: String(b.code) } : {}),
    detail: typeof b.message === "string" ? b.message : `no error message (HTTP ${status})`,
    ...(typeof b.more_info === "string" ? { moreInfo: b.more_info } : {}),
  };
}
