import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTwilio, type SignedWebhook, startFakeTwilio } from "../../../../test/fakes/twilio.js";
import {
  asWebhookRequest as request,
  withoutHeader as without,
} from "../../../../test/helpers/voice-webhooks.js";
import { VoiceApiError, VoiceTransportError } from "./api.js";
import { createTwilioProvider, REPLAY_WINDOW_MS } from "./twilio.js";
import type { WebhookRequest } from "./types.js";

const HOOK = "https://voice.example.com/voice/webhook";
const SID = "AC0123456789abcdef0123456789abcdef";

const form = (url: string, params: Record<string, string>, headers = {}): WebhookRequest => ({
  url,
  headers,
  rawBody: Buffer.from(new URLSearchParams(params).toString()),
});

describe("twilio: configuration", () => {
  it.each([
    [{ authToken: "t" }, /accountSid is missing/],
    [{ accountSid: "SK123", authToken: "t" }, /accountSid is not an Account SID/],
    [{ accountSid: SID }, /authToken is missing: copy the Auth Token/],
  ])("refuses %o with a fix-it message", (config, message) => {
    expect(() => createTwilioProvider(config)).toThrow(message);
  });
});

describe("twilio: webhook signatures", () => {
  // Twilio's documented example (its helper libraries test against the same vectors).
  const DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const DOC_PARAMS = {
    CallSid: "CA1234567890ABCDE",
    Caller: "+14158675309",
    Digits: "1234",
    From: "+14158675309",
    To: "+18005551212",
  };
  const documented = createTwilioProvider({ accountSid: SID, authToken: "12345" });
  const check = (url: string, signature: string, params: Record<string, string> = DOC_PARAMS) =>
    documented.verifyWebhook(form(url, params, { "x-twilio-signature": signature }));

  it("accepts Twilio's documented example", () => {
    expect(check(DOC_URL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).toMatchObject({ ok: true });
  });

  it("signs a repeated field's distinct values in order, as Twilio's helpers do", () => {
    const body = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234";
    const req = { url: DOC_URL, headers: { "x-twilio-signature": "IK+Dwps556ElfBT0I3Rgjkr1wJU=" } };
    expect(documented.verifyWebhook({ ...req, rawBody: Buffer.from(body) })).toMatchObject({ ok: true });
  });

  it.each([
    [
      "a port Twilio did not sign",
      "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
      "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    ],
    ["a default port Twilio signed", DOC_URL, "kvajT1Ptam85bY51eRf/AJRuM3w="],
    [
      "the host's case as signed",
      "https://MyCompany.com/myapp.php?foo=1&bar=2",
      "g9IN/x4Cft2g517EjYvEvM/W7LU=",
    ],
  ])("accepts %s", (_name, url, signature) => {
    expect(check(url, signature)).toMatchObject({ ok: true });
  });

  it.each([
    ["another URL", `${DOC_URL}&x=1`, DOC_PARAMS],
    ["another host case", "https://MyCompany.com/myapp.php?foo=1&bar=2", DOC_PARAMS],
    ["a changed field", DOC_URL, { ...DOC_PARAMS, Digits: "9999" }],
    ["an extra field", DOC_URL, { ...DOC_PARAMS, Extra: "1" }],
  ])("refuses %s", (_name, url, params) => {
    expect(check(url, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params)).toEqual({
      ok: false,
      reason: "invalid_signature",
    });
  });

  describe("with webhooks from the fake", () => {
    let fake: FakeTwilio;
    beforeAll(async () => {
      fake = await startFakeTwilio({ accountSid: SID });
    });
    afterAll(() => fake.close());
    const provider = () => createTwilioProvider({ accountSid: fake.accountSid, authToken: fake.authToken });
    const params = {
      CallSid: "CA1",
      From: "+15550001111",
      To: "+15550002222",
      CallStatus: "ringing",
      Direction: "inbound",
    };

    it("keys replays by what is signed: fields reordered, a pair repeated or any idempotency token change nothing", () => {
      const now = Date.UTC(2026, 11, 2, 8, 0, 0);
      const signed = fake.sign(HOOK, params);
      const result = provider().verifyWebhook(request(signed), now);
      expect(result).toEqual({
        ok: true,
        replayKey: expect.stringMatching(/^twilio:[\w-]{43}$/),
        replayUntil: now + REPLAY_WINDOW_MS,
      });
      const pairs = signed.body.split("&");
      const variants: SignedWebhook[] = [
        { ...signed, body: [...pairs].reverse().join("&") },
        { ...signed, body: [...pairs, pairs[1]].join("&") },
        { ...signed, headers: { ...signed.headers, "i-twilio-idempotency-token": "fresh" } },
        without(signed, "i-twilio-idempotency-token"),
        // A port the proxy added: Twilio signed the URL without it.
        { ...signed, url: HOOK.replace("voice.example.com", "voice.example.com:443") },
      ];
      for (const variant of variants) expect(provider().verifyWebhook(request(variant), now)).toEqual(result);
    });

    it("keys different content differently", () => {
      const first = provider().verifyWebhook(request(fake.sign(HOOK, params)));
      const next = provider().verifyWebhook(request(fake.sign(HOOK, { ...params, CallStatus: "completed" })));
      expect(first.ok && next.ok && first.replayKey !== next.replayKey).toBe(true);
    });

    it("refuses a TwiML callback issued more than the replay window ago, or without its stamp", () => {
      const now = Date.UTC(2026, 11, 2, 8, 0, 0);
      const issued = (ms: number) => `${HOOK}?type=gather&issued=${Math.floor(ms / 1000)}&nonce=abc`;
      const fresh = fake.sign(issued(now - 60_000), params);
      expect(provider().verifyWebhook(request(fresh), now)).toMatchObject({
        ok: true,
        replayUntil: now - 60_000 + REPLAY_WINDOW_MS,
      });
      const old = fake.sign(issued(now - REPLAY_WINDOW_MS - 1000), params);
      expect(provider().verifyWebhook(request(old), now)).toEqual({ ok: false, reason: "stale_timestamp" });
      const unstamped = fake.sign(`${HOOK}?type=redirect`, params);
      expect(provider().verifyWebhook(request(unstamped), now)).toEqual({
        ok: false,
        reason: "missing_timestamp",
      });
    });

    it("accepts a signed GET (fields in the query, none in the body)", () => {
      const signed = fake.sign(HOOK, params, "GET");
      expect(provider().verifyWebhook(request(signed))).toMatchObject({ ok: true });
      expect(provider().parseWebhook(request(signed))[0]).toMatchObject({
        type: "call.started",
        callId: "CA1",
      });
    });
  });
});

describe("twilio: parsing webhooks", () => {
  const provider = createTwilioProvider({ accountSid: SID, authToken: "t" });
  const call = { CallSid: "CA42", From: "+15550001111", To: "+15550002222" };
  const parse = (query: string, params: Record<string, string>) =>
    provider.parseWebhook(form(`${HOOK}${query}`, { ...call, ...params }));

  it.each([
    [
      "an inbound call: started and answered",
      "",
      { Direction: "inbound", CallStatus: "ringing" },
      [
        {
          type: "call.started",
          callId: "CA42",
          from: "+15550001111",
          to: "+15550002222",
          direction: "inbound",
        },
        { type: "call.answered", callId: "CA42" },
      ],
    ],
    [
      "a placed call picked up",
      "",
      { Direction: "outbound-api", CallStatus: "in-progress" },
      [{ type: "call.answered", callId: "CA42" }],
    ],
    [
      "speech",
      "?type=gather",
      { SpeechResult: "What's the weather?", Confidence: "0.87" },
      [{ type: "speech", callId: "CA42", transcript: "What's the weather?", confidence: 0.87 }],
    ],
    [
      "speech without a confidence",
      "?type=gather",
      { SpeechResult: "Hi" },
      [{ type: "speech", callId: "CA42", transcript: "Hi" }],
    ],
    ["silence", "?type=gather", {}, [{ type: "speech.timeout", callId: "CA42" }]],
    [
      "back from a wait",
      "?type=redirect",
      { CallStatus: "in-progress" },
      [{ type: "call.poll", callId: "CA42" }],
    ],
    [
      "a placed call dialling",
      "?type=status",
      { CallStatus: "initiated", Direction: "outbound-api" },
      [
        {
          type: "call.started",
          callId: "CA42",
          from: "+15550001111",
          to: "+15550002222",
          direction: "outbound",
        },
      ],
    ],
    ["ringing", "?type=status", { CallStatus: "ringing" }, []],
    ["answered (reported by the voice webhook)", "?type=status", { CallStatus: "in-progress" }, []],
    ...(["completed", "busy", "no-answer", "failed", "canceled"] as const).map((status) => [
      `the end: ${status}`,
      "?type=status",
      { CallStatus: status },
      [{ type: "call.ended", callId: "CA42", reason: status }],
    ]),
    ["an unknown kind", "?type=other", { CallStatus: "ringing" }, []],
  ] as [string, string, Record<string, string>, unknown[]][])("reads %s", (_name, query, params, events) => {
    expect(parse(query, params)).toEqual(events);
  });

  it("reads nothing from a webhook without a CallSid", () => {
    expect(provider.parseWebhook(form(HOOK, { Foo: "bar" }))).toEqual([]);
  });
});

describe("twilio: REST API", () => {
  // The fake network sends the call's webhooks here: a closed loopback port, nobody answers.
  const NOWHERE = "http://127.0.0.1:1/voice/webhook";
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await startFakeTwilio({ autoAnswer: false });
  });
  afterAll(() => fake.close());
  const provider = (authToken = fake.authToken) =>
    createTwilioProvider({ accountSid: fake.accountSid, authToken }, { apiBaseUrl: fake.apiBaseUrl });

  it("places a call with the webhook URL and status callbacks for every stage", async () => {
    const placed = fake.nextCall();
    const { callId } = await provider().placeCall({
      to: "+15550002222",
      from: "+15550001111",
      webhookUrl: NOWHERE,
    });
    expect(callId).toMatch(/^CA[0-9a-f]{32}$/);
    expect((await placed).sid).toBe(callId);
    expect(fake.requests.at(-1)).toMatchObject({
      method: "POST",
      path: `/2010-04-01/Accounts/${fake.accountSid}/Calls.json`,
      status: 201,
      params: {
        To: "+15550002222",
        From: "+15550001111",
        Url: NOWHERE,
        Method: "POST",
        StatusCallback: `${NOWHERE}?type=status`,
        StatusCallbackMethod: "POST",
        StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      },
    });
  });

  it("says Twilio's 401 without the token", async () => {
    const wrong = "wrong-token-0123456789";
    const err = await provider(wrong)
      .placeCall({ to: "+15550002222", from: "+15550001111", webhookUrl: NOWHERE })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoiceApiError);
    expect((err as VoiceApiError).status).toBe(401);
    expect((err as Error).message).toBe(
      "twilio place call failed: HTTP 401 Authenticate (code 20003, https://www.twilio.com/docs/errors/20003)",
    );
    expect((err as Error).message).not.toContain(wrong);
    expect(fake.requests.at(-1)?.status).toBe(401);
  });

  it("says Twilio's 4xx error message and code", async () => {
    const err = await provider()
      .placeCall({ to: "5550002222", from: "+15550001111", webhookUrl: NOWHERE })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "21211" });
    expect((err as Error).message).toBe(
      "twilio place call failed: HTTP 400 Invalid 'To' Phone Number: 5550002222 (code 21211, https://www.twilio.com/docs/errors/21211)",
    );
  });

  it("says what Twilio answered to a server error", async () => {
    fake.failNext({ status: 503, code: 20503, message: "Service Unavailable" });
    await expect(
      provider().placeCall({ to: "+15550002222", from: "+15550001111", webhookUrl: NOWHERE }),
    ).rejects.toThrow("twilio place call failed: HTTP 503 Service Unavailable (code 20503");
  });

  it("fails with a transport error when the API cannot be reached", async () => {
    const closed = await startFakeTwilio();
    await closed.close();
    const p = createTwilioProvider(
      { accountSid: closed.accountSid, authToken: closed.authToken },
      { apiBaseUrl: closed.apiBaseUrl },
    );
    const err = await p
      .placeCall({ to: "+15550002222", from: "+15550001111", webhookUrl: NOWHERE })
      .catch((e) => e);
    expect(err).toBeInstanceOf(VoiceTransportError);
    expect((err as Error).message).toMatch(/^twilio place call: the API could not be reached/);
    expect((err as Error).message).not.toContain(closed.authToken);
  });

  describe("on a live call", () => {
    /** Places a call and resolves with its id once it rings (nobody picks up: autoAnswer is off). */
    async function ringing(): Promise<string> {
      const placed = fake.nextCall();
      const { callId } = await provider().placeCall({
        to: "+15550002222",
        from: "+15550001111",
        webhookUrl: NOWHERE,
      });
      await (await placed).until((c) => c.status === "ringing");
      return callId;
    }

    it("cannot speak before the call is picked up (Twilio's 21220)", async () => {
      const callId = await ringing();
      await expect(
        provider().act(callId, { say: "Hello", next: "listen" }, { webhookUrl: NOWHERE }),
      ).rejects.toThrow(
        `twilio speak on call ${callId} failed: HTTP 400 Call is not in-progress. Cannot redirect. (code 21220`,
      );
    });

    it("ends a call with Status=completed, and 404s an unknown call", async () => {
      const callId = await ringing();
      await provider().act(callId, { next: "hangup" }, { webhookUrl: NOWHERE });
      expect(fake.requests.at(-1)).toMatchObject({
        path: `/2010-04-01/Accounts/${fake.accountSid}/Calls/${callId}.json`,
        params: { Status: "completed" },
        status: 200,
      });
      await expect(
        provider().act("CA0000", { say: "x", next: "hangup" }, { webhookUrl: NOWHERE }),
      ).rejects.toMatchObject({ status: 404, code: "20404" });
    });

    it("refuses text too long for a live update before sending it", async () => {
      const before = fake.requests.length;
      await expect(
        provider().act("CA1", { say: "word ".repeat(900), next: "listen" }, { webhookUrl: NOWHERE }),
      ).rejects.toThrow(/too long for a live update/);
      expect(fake.requests.length).toBe(before);
    });
  });
});
