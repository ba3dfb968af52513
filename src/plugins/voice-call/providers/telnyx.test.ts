import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelnyx, startFakeTelnyx } from "../../../../test/fakes/telnyx.js";
import {
  asWebhookRequest as request,
  withoutHeader as without,
} from "../../../../test/helpers/voice-webhooks.js";
import { VoiceApiError } from "./api.js";
import { createTelnyxProvider } from "./telnyx.js";

const HOOK = "https://voice.example.com/voice/webhook";
// The fake network sends a call's webhooks here: a closed loopback port, nobody answers.
const NOWHERE = "http://127.0.0.1:1/voice/webhook";

const event = (eventType: string, payload: Record<string, unknown>, id = "evt-1") => ({
  data: {
    record_type: "event",
    event_type: eventType,
    id,
    occurred_at: "2026-11-25T22:00:00.000Z",
    payload: { call_control_id: "v3:abc", connection_id: "123", ...payload },
  },
  meta: { attempt: 1, delivered_to: HOOK },
});

let fake: FakeTelnyx;
beforeAll(async () => {
  fake = await startFakeTelnyx({ autoAnswer: false });
});
afterAll(() => fake.close());

const provider = (overrides: { apiKey?: string; publicKey?: string } = {}) =>
  createTelnyxProvider(
    { apiKey: fake.apiKey, connectionId: fake.connectionId, publicKey: fake.publicKey, ...overrides },
    { apiBaseUrl: fake.apiBaseUrl },
  );

describe("telnyx: configuration", () => {
  it.each([
    [{ connectionId: "1", publicKey: "x" }, /apiKey is missing/],
    [{ apiKey: "k", publicKey: "x" }, /connectionId is missing/],
    [{ apiKey: "k", connectionId: "1" }, /publicKey is missing \(webhooks cannot be verified\)/],
    [
      { apiKey: "k", connectionId: "1", publicKey: "c2hvcnQ=" },
      /publicKey is not a base64 Ed25519 key \(5 bytes/,
    ],
  ])("refuses %o with a fix-it message", (config, message) => {
    expect(() => createTelnyxProvider(config)).toThrow(message);
  });
});

describe("telnyx: webhook signatures", () => {
  const body = event("call.answered", {}, "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");

  it("accepts a signed webhook and keys replays by the event id", () => {
    const signed = fake.sign(HOOK, body);
    expect(provider().verifyWebhook(request(signed))).toEqual({
      ok: true,
      replayKey: "telnyx:0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
      // Remembered until this copy's timestamp leaves the 300 s window.
      replayUntil: (Number(signed.headers["telnyx-timestamp"]) + 300) * 1000,
    });
    // The same request again is the same event.
    expect(provider().verifyWebhook(request(signed))).toMatchObject({
      replayKey: "telnyx:0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
    });
  });

  it("refuses a timestamp changed after signing", () => {
    const signed = fake.sign(HOOK, body);
    const moved = String(Number(signed.headers["telnyx-timestamp"]) + 1);
    const tampered = { ...signed, headers: { ...signed.headers, "telnyx-timestamp": moved } };
    expect(provider().verifyWebhook(request(tampered))).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("refuses a webhook without its timestamp", () => {
    expect(provider().verifyWebhook(request(without(fake.sign(HOOK, body), "telnyx-timestamp")))).toEqual({
      ok: false,
      reason: "missing_timestamp",
    });
  });

  it.each([
    ["5 minutes old", -300, true],
    ["older than 5 minutes", -301, false],
    ["5 minutes ahead", 300, true],
    ["further ahead", 301, false],
  ])("a timestamp %s is %s", (_name, offsetS, accepted) => {
    const now = 1_790_000_000;
    const signed = fake.sign(HOOK, body, now + offsetS);
    const result = provider().verifyWebhook(request(signed), now * 1000);
    expect(result).toEqual(
      accepted ? expect.objectContaining({ ok: true }) : { ok: false, reason: "stale_timestamp" },
    );
  });
});

describe("telnyx: parsing webhooks", () => {
  const parse = (body: unknown) => provider().parseWebhook(request(fake.sign(HOOK, body)));
  const call = { from: "+15550001111", to: "+15550002222" };

  it.each([
    [
      "an inbound call",
      event("call.initiated", { ...call, direction: "incoming", state: "parked" }),
      [{ type: "call.started", callId: "v3:abc", ...call, direction: "inbound" }],
    ],
    [
      "a placed call",
      event("call.initiated", { ...call, direction: "outgoing", state: "bridging" }),
      [{ type: "call.started", callId: "v3:abc", ...call, direction: "outbound" }],
    ],
    ["an answer", event("call.answered", call), [{ type: "call.answered", callId: "v3:abc" }]],
    [
      "final speech",
      event("call.transcription", {
        transcription_data: { transcript: " Book a table ", is_final: true, confidence: 0.93 },
      }),
      [{ type: "speech", callId: "v3:abc", transcript: "Book a table", confidence: 0.93 }],
    ],
    [
      "interim speech (nothing yet)",
      event("call.transcription", { transcription_data: { transcript: "Book a", is_final: false } }),
      [],
    ],
    [
      "an empty final result (nothing)",
      event("call.transcription", { transcription_data: { transcript: "", is_final: true } }),
      [],
    ],
    [
      "the end of our speech",
      event("call.speak.ended", { status: "completed" }),
      [{ type: "say.ended", callId: "v3:abc" }],
    ],
    ["the start of our speech (nothing)", event("call.speak.started", {}), []],
    [
      "a hang-up",
      event("call.hangup", { hangup_cause: "normal_clearing", hangup_source: "caller" }),
      [{ type: "call.ended", callId: "v3:abc", reason: "completed", detail: "normal_clearing" }],
    ],
    [
      "a busy callee",
      event("call.hangup", { hangup_cause: "user_busy" }),
      [{ type: "call.ended", callId: "v3:abc", reason: "busy", detail: "user_busy" }],
    ],
    [
      "an unanswered call",
      event("call.hangup", { hangup_cause: "timeout" }),
      [{ type: "call.ended", callId: "v3:abc", reason: "no-answer", detail: "timeout" }],
    ],
    [
      "a cause we do not know",
      event("call.hangup", { hangup_cause: "destination_out_of_order" }),
      [{ type: "call.ended", callId: "v3:abc", reason: "failed", detail: "destination_out_of_order" }],
    ],
    ["another event", event("call.dtmf.received", { digit: "1" }), []],
    ["a body that is not an event", { hello: "world" }, []],
  ])("reads %s", (_name, body, events) => {
    expect(parse(body)).toEqual(events);
  });

  it("reads nothing from a body that is not JSON", () => {
    expect(provider().parseWebhook({ url: HOOK, headers: {}, rawBody: Buffer.from("not json") })).toEqual([]);
  });
});

describe("telnyx: Call Control API", () => {
  const place = (p = provider()) =>
    p.placeCall({ to: "+15550002222", from: "+15550001111", webhookUrl: NOWHERE });

  it("places a call on the connection, with our webhook URL and a command id", async () => {
    const placed = fake.nextCall();
    const { callId } = await place();
    expect((await placed).callControlId).toBe(callId);
    expect(fake.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/v2/calls",
      status: 200,
      body: {
        connection_id: fake.connectionId,
        to: "+15550002222",
        from: "+15550001111",
        webhook_url: NOWHERE,
        webhook_url_method: "POST",
        command_id: expect.any(String),
      },
    });
  });

  it("says Telnyx's 401 without the key", async () => {
    const wrong = "KEYwrong0123456789";
    const err = await place(provider({ apiKey: wrong })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoiceApiError);
    expect((err as Error).message).toBe(
      "telnyx place call failed: HTTP 401 Authentication failed: Could not understand the provided credentials. (code 10009, https://developers.telnyx.com/docs/overview/errors/10009)",
    );
    expect((err as Error).message).not.toContain(wrong);
  });

  it("says Telnyx's 4xx error on a command", async () => {
    const err = await provider()
      .act("v3:nope", { say: "Hello", next: "listen" }, { webhookUrl: HOOK })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: "10005" });
    expect((err as Error).message).toMatch(
      /^telnyx speak on call v3:nope failed: HTTP 404 Resource not found/,
    );
  });

  it("says Telnyx's 422 on a call that has ended", async () => {
    const placed = fake.nextCall();
    const { callId } = await place();
    const call = await placed;
    await call.reject("user_busy");
    await expect(provider().act(callId, { say: "Hi", next: "listen" }, { webhookUrl: HOOK })).rejects.toThrow(
      `telnyx speak on call ${callId} failed: HTTP 422 Call has already ended: This call is no longer active and can't receive commands. (code 90018`,
    );
  });

  describe("on a live call", () => {
    const live = async () => {
      const placed = fake.nextCall();
      const { callId } = await place();
      const call = await placed;
      await call.answer();
      return { callId, call, p: provider() };
    };
    const actions = (callId: string) =>
      fake.requests.filter((r) => r.callControlId === callId).map((r) => r.action);

    it("speaks and starts transcription once, each command with its own command_id", async () => {
      const { callId, call, p } = await live();
      await p.act(callId, { say: "Hello there", next: "listen" }, { webhookUrl: HOOK });
      await p.act(callId, { say: "Still here", next: "listen" }, { webhookUrl: HOOK });
      expect(call.spoken).toEqual(["Hello there", "Still here"]);
      expect(call.transcribing).toBe(true);
      expect(actions(callId)).toEqual(["speak", "transcription_start", "speak"]);
      const [speak, start] = fake.requests.filter((r) => r.callControlId === callId);
      expect(speak?.body).toEqual({
        payload: "Hello there",
        voice: "female",
        language: "en-US",
        command_id: expect.any(String),
      });
      expect(start?.body).toMatchObject({ transcription_tracks: "inbound", command_id: expect.any(String) });
      expect(speak?.body.command_id).not.toBe(start?.body.command_id);
    });

    it("splits long text into speak commands Telnyx accepts", async () => {
      const { callId, call, p } = await live();
      const text = `${"All work and no play. ".repeat(200)}The end.`;
      await p.act(callId, { say: text, next: "wait" }, { webhookUrl: HOOK });
      expect(call.spoken.length).toBe(2);
      expect(call.spoken.every((s) => s.length <= 3000)).toBe(true);
      expect(call.spoken.join(" ")).toBe(text);
    });

    it("hangs up at once when there is nothing to say", async () => {
      const { callId, call, p } = await live();
      await p.act(callId, { next: "hangup" }, { webhookUrl: HOOK });
      expect(call.state).toBe("ended");
      expect(actions(callId)).toEqual(["hangup"]);
    });

    it("hangs up only once the last words were spoken (on say.ended)", async () => {
      const { callId, call, p } = await live();
      await p.act(callId, { say: "Goodbye", next: "hangup" }, { webhookUrl: HOOK });
      expect(call.state).toBe("answered");
      expect(actions(callId)).toEqual(["speak"]);
      await p.respond({ type: "say.ended", callId }, undefined, { webhookUrl: HOOK });
      expect(call.state).toBe("ended");
      expect(actions(callId)).toEqual(["speak", "hangup"]);
    });

    /** An inbound call waiting to be answered, and the event the provider reads from it. */
    const parked = async () => {
      const call = await fake.inboundCall({ from: "+15550003333", to: "+15550001111", webhookUrl: NOWHERE });
      const callId = call.callControlId;
      const started = {
        type: "call.started",
        callId,
        from: call.from,
        to: call.to,
        direction: "inbound",
      } as const;
      return { call, callId, started };
    };

    it("answers an inbound call, and says the greeting once it is answered", async () => {
      const { call, callId, started } = await parked();
      const p = provider();
      const answer = await p.respond(started, { say: "Hi!", next: "listen" }, { webhookUrl: HOOK });
      expect(answer).toEqual({ status: 200, contentType: "application/json", body: "{}" });
      expect(call.state).toBe("answered");
      expect(call.spoken).toEqual([]);
      await p.respond({ type: "call.answered", callId }, undefined, { webhookUrl: HOOK });
      expect(call.spoken).toEqual(["Hi!"]);
      expect(actions(callId)).toEqual(["answer", "speak", "transcription_start"]);
    });

    it("rejects an inbound call on a bare hang-up", async () => {
      const { call, started } = await parked();
      await provider().respond(started, { next: "hangup" }, { webhookUrl: HOOK });
      expect(call.state).toBe("ended");
      expect(fake.requests.at(-1)).toMatchObject({ action: "reject", body: { cause: "CALL_REJECTED" } });
    });
  });
});
