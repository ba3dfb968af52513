/**
 * The built gateway's config for the voice-call tests: the fake model, a fixed port (the
 * webhook URL must be known before the gateway starts) and the voice-call plugin pointed
 * at a fake Twilio or Telnyx.
 */
import type { FakeTelnyx } from "../fakes/telnyx.js";
import type { FakeTwilio } from "../fakes/twilio.js";
import { baseConfig } from "./config.js";

/** The caller the allowlist lets in. */
export const OWNER = "+15557654321";
/** The assistant's phone number. */
export const NUMBER = "+15550001234";

export const webhookUrlOn = (port: number) => `http://127.0.0.1:${port}/voice/webhook`;

/**
 * openclaw.json for a gateway on `port` whose voice-call plugin answers `OWNER` on `NUMBER`,
 * with `voice` laid over the plugin's config (an `undefined` value removes a key).
 */
export function voiceCallConfig(modelUrl: string, port: number, voice: Record<string, unknown>) {
  return baseConfig(modelUrl, {
    gateway: { port },
    plugins: {
      entries: {
        "voice-call": {
          enabled: true,
          config: {
            fromNumber: NUMBER,
            inboundPolicy: "allowlist",
            allowFrom: [OWNER],
            publicUrl: webhookUrlOn(port),
            ...voice,
          },
        },
      },
    },
  });
}

/** The plugin config and environment for the fake Twilio account. */
export const twilioAccount = (fake: FakeTwilio) => ({
  voice: { provider: "twilio", twilio: { apiBaseUrl: fake.apiBaseUrl } },
  env: { TWILIO_ACCOUNT_SID: fake.accountSid, TWILIO_AUTH_TOKEN: fake.authToken },
});

/** The plugin config and environment for the fake Telnyx account. */
export const telnyxAccount = (fake: FakeTelnyx) => ({
  voice: {
    provider: "telnyx",
    telnyx: {
      apiKey: fake.apiKey,
      connectionId: fake.connectionId,
      publicKey: fake.publicKey,
      apiBaseUrl: fake.apiBaseUrl,
    },
  },
  env: {},
});
