/** Helpers for the voice-call provider tests: a fake network's signed webhook as the gateway receives it. */
import type { WebhookRequest } from "../../src/plugins/voice-call/providers/types.js";

/** What both fake networks (Twilio, Telnyx) sign and send. */
interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The webhook as the gateway's route hands it to the provider. */
export const asWebhookRequest = (w: SignedRequest): WebhookRequest => ({
  url: w.url,
  headers: w.headers,
  rawBody: Buffer.from(w.body),
});

/** The same webhook with `header` dropped. */
export const withoutHeader = <T extends SignedRequest>(w: T, header: string): T => ({
  ...w,
  headers: Object.fromEntries(Object.entries(w.headers).filter(([name]) => name !== header)),
});
