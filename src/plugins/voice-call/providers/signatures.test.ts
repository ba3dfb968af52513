/**
 * Webhook signatures, the cases Twilio and Telnyx share: each provider accepts what its
 * own account signed and refuses a changed body, a missing or garbled signature, and a
 * webhook another account signed. Each provider's own rules (Twilio's URL forms and
 * documented vectors, Telnyx's timestamp window) are in twilio.test.ts and telnyx.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeTelnyx } from "../../../../test/fakes/telnyx.js";
import { startFakeTwilio } from "../../../../test/fakes/twilio.js";
import { asWebhookRequest, withoutHeader } from "../../../../test/helpers/voice-webhooks.js";
import { createTelnyxProvider } from "./telnyx.js";
import { createTwilioProvider } from "./twilio.js";
import type { VoiceProvider } from "./types.js";

const HOOK = "https://voice.example.com/voice/webhook";
const CALLER = "+15550001111";

interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A fake network of one account: signs a call's first webhook as it would send it. */
interface Network {
  signCallStarted(): SignedRequest;
  close(): Promise<void>;
}

interface SignatureSpec {
  name: string;
  /** A provider set up for `ours`, and a network of another account. */
  start(): Promise<{ provider: VoiceProvider; ours: Network; theirs: Network }>;
  signatureHeader: string;
  /** The caller's number as it stands in a signed body. */
  callerInBody: string;
}

async function twilioNetwork() {
  const fake = await startFakeTwilio();
  const params = { CallSid: "CA1", From: CALLER, To: "+15550002222", CallStatus: "ringing" };
  return { fake, signCallStarted: () => fake.sign(HOOK, params), close: () => fake.close() };
}

async function telnyxNetwork() {
  const fake = await startFakeTelnyx();
  const event = {
    data: {
      record_type: "event",
      event_type: "call.initiated",
      id: "evt-1",
      occurred_at: "2026-11-25T22:00:00.000Z",
      payload: { call_control_id: "v3:abc", from: CALLER, to: "+15550002222", direction: "incoming" },
    },
  };
  return { fake, signCallStarted: () => fake.sign(HOOK, event), close: () => fake.close() };
}

const SPECS: SignatureSpec[] = [
  {
    name: "twilio",
    start: async () => {
      const [ours, theirs] = await Promise.all([twilioNetwork(), twilioNetwork()]);
      const { accountSid, authToken } = ours.fake;
      return { provider: createTwilioProvider({ accountSid, authToken }), ours, theirs };
    },
    signatureHeader: "x-twilio-signature",
    callerInBody: "%2B15550001111",
  },
  {
    name: "telnyx",
    start: async () => {
      const [ours, theirs] = await Promise.all([telnyxNetwork(), telnyxNetwork()]);
      const { apiKey, connectionId, publicKey } = ours.fake;
      return { provider: createTelnyxProvider({ apiKey, connectionId, publicKey }), ours, theirs };
    },
    signatureHeader: "telnyx-signature-ed25519",
    callerInBody: "+15550001111",
  },
];

const networks: Network[] = [];
afterEach(async () => {
  await Promise.all(networks.splice(0).map((n) => n.close()));
});

describe.each(SPECS)("$name: webhook signatures", (spec) => {
  async function setup() {
    const line = await spec.start();
    networks.push(line.ours, line.theirs);
    const verify = (w: SignedRequest) => line.provider.verifyWebhook(asWebhookRequest(w));
    return { ...line, verify };
  }

  it("accepts a webhook its own account signed", async () => {
    const { ours, verify } = await setup();
    expect(verify(ours.signCallStarted())).toMatchObject({ ok: true, replayKey: expect.any(String) });
  });

  it("refuses a body changed after signing", async () => {
    const { ours, verify } = await setup();
    const signed = ours.signCallStarted();
    const tampered = {
      ...signed,
      body: signed.body.replace(spec.callerInBody, spec.callerInBody.replace("1111", "9999")),
    };
    expect(tampered.body).not.toBe(signed.body);
    expect(verify(tampered)).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("refuses a webhook without its signature header", async () => {
    const { ours, verify } = await setup();
    const unsigned = withoutHeader(ours.signCallStarted(), spec.signatureHeader);
    expect(verify(unsigned)).toEqual({ ok: false, reason: "missing_signature" });
  });

  it("refuses garbage in the signature header", async () => {
    const { ours, verify } = await setup();
    const signed = ours.signCallStarted();
    const garbage = {
      ...signed,
      headers: { ...signed.headers, [spec.signatureHeader]: "bm90IGEgc2lnbmF0dXJl" },
    };
    expect(verify(garbage)).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("refuses a webhook another account signed", async () => {
    const { theirs, verify } = await setup();
    expect(verify(theirs.signCallStarted())).toEqual({ ok: false, reason: "invalid_signature" });
  });
});
