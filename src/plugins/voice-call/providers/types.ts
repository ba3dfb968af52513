/**
 * The provider-neutral contract of the voice-call plugin: a phone provider (Twilio,
 * Telnyx) checks and parses its webhooks into `CallEvent`s and turns the call
 * manager's decision (`CallAction`) into its own wire format. The manager owns the
 * calls, the agent and deduplication; a provider keeps only what its API forces on it.
 *
 * Where the brief's first sketch did not fit the real APIs, and what changed:
 * - `call.poll` (new event): Twilio needs an answer to every voice webhook within
 *   15 s. While the agent thinks, the manager answers `next: "wait"`; Twilio pauses
 *   and then follows a `<Redirect>` back to us, which arrives as `call.poll`: "what
 *   now on this call?". The manager answers it like any other event (or uses `act()`,
 *   which interrupts the pause at once). Telnyx never emits it.
 * - `say.ended` (new event): Telnyx speaks asynchronously (call.speak.ended). A
 *   hang-up right after a speak command would cut the words off, so the Telnyx
 *   provider hangs up on the `say.ended` of the last words; the manager only has to
 *   pass every event to `respond()`. Twilio never emits it (TwiML runs in order).
 * - `call.ended` carries a normalised `reason` (Twilio's CallStatus vocabulary) and
 *   the provider's raw value in `detail` (Telnyx hangup_cause) for logs.
 * - `speech.timeout` comes from Twilio only (`<Gather actionOnEmptyResult>`); Telnyx
 *   transcription is continuous and has no notion of "the caller said nothing".
 * - `CallAction.then` is `next`: an object with a `then` property passes for a
 *   promise (`await` and async returns probe it), which lint rightly refuses.
 * - `callId` is always the provider's id (Twilio CallSid, Telnyx call_control_id):
 *   the id every API command needs. No ids of our own travel in webhook URLs.
 * - Telnyx has no way to answer inside the webhook response: `respond()` sends the
 *   commands through its API before resolving with 200 `{}`, and rejects when one is
 *   refused. Telnyx redelivers webhooks answered with an error, so the manager should
 *   still answer 200 and log the rejection (`act()` rejects the same way).
 */

/** A webhook as the gateway received it. */
export interface WebhookRequest {
  /** The full public URL the provider called, including the query (what the provider signed). */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** Short reason codes, for logs and metrics. */
export type VerifyFailure =
  | "missing_signature"
  | "invalid_signature"
  | "missing_timestamp"
  | "stale_timestamp";

/**
 * `replayKey` is the same for every request carrying the same signed content (a
 * provider's retry, or a captured request sent again, however re-dressed): the manager
 * runs it once. `replayUntil` (ms since the epoch) is how long it must be remembered:
 * until a copy would be refused as stale, or the provider's replay window has passed.
 */
export type VerifyResult =
  | { ok: true; replayKey: string; replayUntil: number }
  | { ok: false; reason: VerifyFailure };

/** Why a call ended, in Twilio's CallStatus words (Telnyx hang-up causes are mapped to them). */
export type EndReason = "completed" | "busy" | "no-answer" | "failed" | "canceled";

export type CallEvent =
  | { type: "call.started"; callId: string; from: string; to: string; direction: "inbound" | "outbound" }
  | { type: "call.answered"; callId: string }
  /** The caller said something (final recognition only). Confidence is 0..1 when the provider gives one. */
  | { type: "speech"; callId: string; transcript: string; confidence?: number }
  /** The caller said nothing while we listened (Twilio only). */
  | { type: "speech.timeout"; callId: string }
  /** The provider asks for the next action after a `wait` (Twilio only). */
  | { type: "call.poll"; callId: string }
  /** The provider finished speaking (Telnyx only). */
  | { type: "say.ended"; callId: string }
  | { type: "call.ended"; callId: string; reason: EndReason; detail?: string };

/** What the call should do next: say text (may be absent), then listen, hang up, or hold the line. */
export interface CallAction {
  say?: string;
  /** `wait` keeps the line while the agent is still thinking. */
  next: "listen" | "hangup" | "wait";
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface VoiceProvider {
  readonly name: "twilio" | "telnyx";
  /** Checks the signature (and for Telnyx the timestamp, against `nowMs`). Never throws. */
  verifyWebhook(req: WebhookRequest, nowMs?: number): VerifyResult;
  /** The events in a verified webhook, in order; [] for webhooks that carry none of interest. */
  parseWebhook(req: WebhookRequest): CallEvent[];
  /**
   * The HTTP answer to a webhook once the manager has decided `action`: call it once
   * per verified webhook with the webhook's last event (the one the action answers;
   * `undefined` when there was none), including events the manager does not act on
   * (Telnyx needs `call.started`, `say.ended`, `call.ended`). Twilio: a TwiML document
   * (no action on a voice webhook ends the call). Telnyx: the commands go through its
   * API first, then 200 `{}`.
   */
  respond(
    event: CallEvent | undefined,
    action: CallAction | undefined,
    ctx: { webhookUrl: string },
  ): Promise<WebhookResponse>;
  /** Outbound call; its webhooks go to `webhookUrl`. Returns the provider's call id. */
  placeCall(opts: { to: string; from: string; webhookUrl: string }): Promise<{ callId: string }>;
  /** Out of band: speak and/or hang up on a live call (outbound messages, `voicecall.speak/end`). */
  act(callId: string, action: CallAction, ctx: { webhookUrl: string }): Promise<void>;
}
