/**
 * TwiML for a `CallAction`: what Twilio runs next on a call. Speech recognition is
 * Twilio's own (`<Gather input="speech">`); its result comes back to the webhook URL
 * with `type=gather`. While the agent thinks we keep the line with a `<Pause>` and a
 * `<Redirect>` back to the webhook (`type=redirect`), because Twilio gives up on a
 * webhook after 15 s.
 *
 * Twilio's signature covers the URL but carries no time, so a captured webhook would
 * verify forever. The callback URLs we hand out in TwiML therefore carry the time they
 * were issued (`issued`, unix seconds) and a random `nonce`: both are signed with the
 * URL, so the provider can refuse a callback issued too long ago as stale, and two
 * callbacks with the same fields (the same words said twice, one redirect after
 * another) still differ in what is signed, and so in their replay keys.
 */
import { randomBytes } from "node:crypto";
import type { CallAction } from "./types.js";

/** Query names of the stamp on TwiML callback URLs (see above). */
export const ISSUED_PARAM = "issued";
export const NONCE_PARAM = "nonce";
/** Random bytes in a nonce: 72 bits never repeat among the callbacks of one gateway. */
const NONCE_BYTES = 9;

/** Seconds of silence before Twilio asks again during a `wait` (a redirect every few seconds is cheap). */
export const WAIT_PAUSE_SECONDS = 3;

/** The query value that tells our webhooks apart (Twilio sends the same form fields to all of them). */
export type WebhookKind = "gather" | "redirect" | "status";

export function webhookUrlFor(webhookUrl: string, kind: WebhookKind): string {
  const url = new URL(webhookUrl);
  url.searchParams.set("type", kind);
  return url.toString();
}

/** A callback URL for TwiML: the kind, stamped with the time it was issued and a nonce. */
export function callbackUrlFor(webhookUrl: string, kind: "gather" | "redirect", nowMs = Date.now()): string {
  const url = new URL(webhookUrlFor(webhookUrl, kind));
  url.searchParams.set(ISSUED_PARAM, String(Math.floor(nowMs / 1000)));
  url.searchParams.set(NONCE_PARAM, randomBytes(NONCE_BYTES).toString("base64url"));
  return url.toString();
}

/** The TwiML document for `action`; no action is an empty document (Twilio then ends the call). */
export function renderTwiml(action: CallAction | undefined, webhookUrl: string, nowMs = Date.now()): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${action ? verbs(action, webhookUrl, nowMs) : ""}</Response>`;
}

function verbs(action: CallAction, webhookUrl: string, nowMs: number): string {
  const say = action.say?.trim() ? `<Say>${escapeXml(action.say)}</Say>` : "";
  switch (action.next) {
    case "listen": {
      const gatherUrl = escapeXml(callbackUrlFor(webhookUrl, "gather", nowMs));
      // actionOnEmptyResult: silence comes back to us too (as speech.timeout) instead of
      // falling through to the end of the document, which would hang up.
      return `<Gather input="speech" action="${gatherUrl}" method="POST" speechTimeout="auto" actionOnEmptyResult="true">${say}</Gather>`;
    }
    case "hangup":
      return `${say}<Hangup/>`;
    case "wait": {
      const redirectUrl = escapeXml(callbackUrlFor(webhookUrl, "redirect", nowMs));
      return `${say}<Pause length="${WAIT_PAUSE_SECONDS}"/><Redirect method="POST">${redirectUrl}</Redirect>`;
    }
  }
}

/**
 * Text safe inside an XML element or attribute. Characters XML 1.0 forbids (control
 * characters, lone surrogates) are dropped: Twilio fails the whole call on a document
 * it cannot parse, and an agent's answer may contain anything.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
