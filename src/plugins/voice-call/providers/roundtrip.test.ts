/**
 * Whole calls through the fakes, against a loopback stand-in for the gateway's webhook
 * route and call manager (test/helpers/voice-roundtrip.ts). The cases both providers
 * share run once per provider; each provider's own cases follow in its describe.
 */
import { describe, expect, it } from "vitest";
import type { FakeTelnyxCall } from "../../../../test/fakes/telnyx.js";
import type { FakeTwilioCall } from "../../../../test/fakes/twilio.js";
import {
  echoAgent,
  type Gateway,
  startWebhookGateway,
  telnyxSetup,
  twilioSetup,
} from "../../../../test/helpers/voice-roundtrip.js";
import { createTwilioProvider } from "./twilio.js";
import type { VoiceProvider } from "./types.js";

/** The side of a call the shared cases touch, alike on both fake networks. */
interface LineCall {
  id: string;
  readonly spoken: string[];
  /** Listening for the caller (Twilio: a Gather; Telnyx: transcription running). */
  readonly listening: boolean;
  /** Resolves once the call's opening words are spoken and nothing is in flight. */
  settled(): Promise<void>;
  hangup(): Promise<void>;
  /** Ends a placed call before anyone answers, as the network reports it. */
  refuse(): Promise<void>;
}

/** A provider wired to its fake network and a loopback gateway. */
interface Line {
  provider: VoiceProvider;
  gateway: Gateway;
  /** An inbound call from the caller, once the first webhooks are answered. */
  dial(): Promise<LineCall>;
  /** The next call the network sees placed. */
  nextCall(): Promise<LineCall>;
  /** Sends the first webhook the network delivered again, its body changed by `edit` if given. */
  resendFirst(edit?: (body: string) => string): Promise<number>;
}

interface LineSpec {
  name: string;
  start(options?: { autoAnswer?: boolean }): Promise<Line>;
  /** What the provider adds to call.ended when the caller hangs up. */
  callerHangup: Record<string, string>;
  /** How a refused outbound call ends. */
  refused: Record<string, string>;
  /** The caller's number as it appears in a webhook body. */
  callerInBody: string;
}

const twilioCall = (call: FakeTwilioCall): LineCall => ({
  id: call.sid,
  get spoken() {
    return call.spoken;
  },
  get listening() {
    return call.listening;
  },
  settled: () => call.until((c) => c.listening),
  hangup: () => call.hangup(),
  refuse: async () => {
    await call.until((c) => c.status === "ringing");
    await call.reject("no-answer");
  },
});

const telnyxCall = (call: FakeTelnyxCall): LineCall => ({
  id: call.callControlId,
  get spoken() {
    return call.spoken;
  },
  get listening() {
    return call.transcribing;
  },
  settled: () => call.settled(),
  hangup: () => call.hangup(),
  refuse: () => call.reject("user_busy"),
});

/** What the shared cases need of a fake network, whichever provider it plays. */
interface FakeNetwork<C, W extends { body: string }> {
  nextCall(): Promise<C>;
  deliveries: { request: W }[];
  send(webhook: W): Promise<{ status: number }>;
}

function lineOver<C, W extends { body: string }>(
  setup: { fake: FakeNetwork<C, W>; provider: VoiceProvider; gateway: Gateway; dial(): Promise<C> },
  wrap: (call: C) => LineCall,
): Line {
  const { fake, provider, gateway } = setup;
  return {
    provider,
    gateway,
    dial: async () => wrap(await setup.dial()),
    nextCall: async () => wrap(await fake.nextCall()),
    resendFirst: async (edit = (body) => body) => {
      const first = fake.deliveries[0]!.request;
      return (await fake.send({ ...first, body: edit(first.body) })).status;
    },
  };
}

const LINES: LineSpec[] = [
  {
    name: "twilio",
    start: async (options) => lineOver(await twilioSetup(echoAgent, options), twilioCall),
    callerHangup: {},
    refused: { reason: "no-answer" },
    callerInBody: "%2B15550003333",
  },
  {
    name: "telnyx",
    start: async (options) => lineOver(await telnyxSetup(echoAgent, options), telnyxCall),
    callerHangup: { detail: "normal_clearing" },
    refused: { reason: "busy", detail: "user_busy" },
    callerInBody: "+15550003333",
  },
];

/** Places a call to the callee; resolves with its id and the network's side of it. */
async function placeCall({ provider, gateway, nextCall }: Line): Promise<{ callId: string; call: LineCall }> {
  const placed = nextCall();
  const { callId } = await provider.placeCall({
    to: "+15550004444",
    from: "+15550001111",
    webhookUrl: gateway.webhookUrl,
  });
  return { callId, call: await placed };
}

describe.each(LINES)("$name round trip: the cases both providers share", (spec) => {
  it("the caller hanging up ends the call", async () => {
    const { gateway, dial } = await spec.start();
    const call = await dial();
    await call.hangup();
    expect(await gateway.event("call.ended", call.id)).toEqual({
      type: "call.ended",
      callId: call.id,
      reason: "completed",
      ...spec.callerHangup,
    });
  });

  it("an outbound call: dialled, answered, greeting, listening, hang-up", async () => {
    const line = await spec.start();
    const { gateway } = line;
    const { callId, call } = await placeCall(line);
    expect(call.id).toBe(callId);
    expect(await gateway.event("call.started", callId)).toMatchObject({
      direction: "outbound",
      to: "+15550004444",
    });
    await gateway.event("call.answered", callId);
    await call.settled();
    expect(call.spoken).toEqual(["Hello, how can I help?"]);
    expect(call.listening).toBe(true);
    await call.hangup();
    expect(await gateway.event("call.ended", callId)).toMatchObject({ reason: "completed" });
  });

  it("an outbound call nobody takes ends with the network's reason", async () => {
    const line = await spec.start({ autoAnswer: false });
    const { callId, call } = await placeCall(line);
    await call.refuse();
    expect(await line.gateway.event("call.ended", callId)).toMatchObject(spec.refused);
  });

  it("a replayed webhook has the same replay key; a tampered one is refused", async () => {
    const { gateway, dial, resendFirst } = await spec.start();
    await dial();
    expect(await resendFirst()).toBe(200);
    expect(gateway.duplicates).toBe(1);
    expect(
      await resendFirst((body) => body.replace(spec.callerInBody, spec.callerInBody.replace("3333", "9999"))),
    ).toBe(403);
    expect(gateway.refused).toEqual(["invalid_signature"]);
  });
});

describe("twilio round trip", () => {
  const setup = twilioSetup;

  it("an inbound call: greeting, speech recognised and answered, goodbye, hang-up", async () => {
    const { gateway, dial } = await setup();
    const call = await dial();
    expect(await gateway.event("call.started", call.sid)).toEqual({
      type: "call.started",
      callId: call.sid,
      from: "+15550003333",
      to: "+15550001111",
      direction: "inbound",
    });
    expect(call.spoken).toEqual(["Hello, how can I help?"]);
    expect(call.listening).toBe(true);
    expect(call.documents[0]).toContain(`action="${gateway.webhookUrl}?type=gather&amp;issued=`);

    await call.say("What's the weather like?", 0.81);
    expect(await gateway.event("speech", call.sid)).toEqual({
      type: "speech",
      callId: call.sid,
      transcript: "What's the weather like?",
      confidence: 0.81,
    });
    expect(call.spoken.at(-1)).toBe("You said: What's the weather like?");

    await call.say("Goodbye");
    expect(call.spoken.at(-1)).toBe("Bye!");
    expect(call.status).toBe("completed");
    expect(await gateway.event("call.ended", call.sid)).toMatchObject({ reason: "completed" });
    expect(call.errors).toEqual([]);
    expect(gateway.refused).toEqual([]);
  });

  it("silence comes back as speech.timeout", async () => {
    const { gateway, dial } = await setup();
    const call = await dial();
    await call.silence();
    await gateway.event("speech.timeout", call.sid);
    expect(call.spoken.at(-1)).toBe("Are you still there?");
    expect(call.listening).toBe(true);
  });

  it("text with XML specials reaches the caller as written", async () => {
    const text = `Tom & Jerry <3 "quotes" and 'apostrophes' > all`;
    const { dial } = await setup((e) =>
      e.type === "call.answered" ? { say: text, next: "listen" } : undefined,
    );
    const call = await dial();
    expect(call.spoken).toEqual([text]);
    expect(call.errors).toEqual([]);
  });

  it("while the agent thinks the line is held, and Twilio comes back for the answer", async () => {
    let polls = 0;
    const { gateway, dial } = await setup(
      (e, g) => {
        if (e.type === "speech") return { say: "One moment.", next: "wait" };
        // The answer is ready at the second time Twilio asks.
        if (e.type === "call.poll")
          return ++polls < 2 ? { next: "wait" } : { say: "It is sunny.", next: "listen" };
        return echoAgent(e, g);
      },
      { autoRedirect: false },
    );
    const call = await dial();
    await call.say("Weather?");
    expect(call.spoken.at(-1)).toBe("One moment.");
    expect(call.redirectPending).toBe(true);
    expect(call.documents.at(-1)).toContain(
      `<Redirect method="POST">${gateway.webhookUrl}?type=redirect&amp;issued=`,
    );
    await call.followRedirect();
    expect(call.redirectPending).toBe(true);
    await call.followRedirect();
    expect(call.spoken.at(-1)).toBe("It is sunny.");
    expect(call.listening).toBe(true);
    expect(gateway.events.filter((e) => e.type === "call.poll")).toHaveLength(2);
  });

  it("redirects are followed unasked after the (scaled) pause", async () => {
    let polls = 0;
    const { dial } = await setup(
      (e, g) => {
        if (e.type === "speech") return { next: "wait" };
        if (e.type === "call.poll")
          return ++polls < 3 ? { next: "wait" } : { say: "Done thinking.", next: "listen" };
        return echoAgent(e, g);
      },
      { pauseMsPerSecond: 1 },
    );
    const call = await dial();
    const answer = call.nextSpoken();
    await call.say("Think hard");
    expect(await answer).toBe("Done thinking.");
    expect(polls).toBe(3);
  });

  it("act() speaks out of band, interrupting a wait, and ends the call", async () => {
    const { provider, gateway, dial } = await setup(
      (e, g) => (e.type === "speech" ? { next: "wait" } : echoAgent(e, g)),
      { autoRedirect: false },
    );
    const call = await dial();
    await call.say("Tell me later");
    expect(call.redirectPending).toBe(true);
    await provider.act(
      call.sid,
      { say: "Here is the answer.", next: "listen" },
      { webhookUrl: gateway.webhookUrl },
    );
    expect(call.spoken.at(-1)).toBe("Here is the answer.");
    expect(call.redirectPending).toBe(false);
    expect(call.listening).toBe(true);
    await provider.act(call.sid, { next: "hangup" }, { webhookUrl: gateway.webhookUrl });
    expect(call.status).toBe("completed");
    await gateway.event("call.ended", call.sid);
  });

  it("a webhook the gateway refuses fails the call as Twilio does", async () => {
    const { fake } = await setup();
    const other = await startWebhookGateway(
      createTwilioProvider({ accountSid: fake.accountSid, authToken: "wrong" }),
      echoAgent,
    );
    const call = await fake.inboundCall({
      from: "+15550003333",
      to: "+15550001111",
      webhookUrl: other.webhookUrl,
    });
    expect(call.status).toBe("completed");
    expect(call.errors).toEqual(["11200: HTTP retrieval failure (403)"]);
    expect(other.refused).toEqual(["invalid_signature"]);
  });
});

describe("telnyx round trip", () => {
  const setup = telnyxSetup;

  it("an inbound call: answered, greeting, speech recognised and answered, goodbye, hang-up", async () => {
    const { fake, gateway, dial } = await setup();
    const call = await dial();
    const callId = call.callControlId;
    expect(await gateway.event("call.started", callId)).toEqual({
      type: "call.started",
      callId,
      from: "+15550003333",
      to: "+15550001111",
      direction: "inbound",
    });
    await gateway.event("call.answered", callId);
    expect(call.spoken).toEqual(["Hello, how can I help?"]);
    expect(call.transcribing).toBe(true);

    await call.say("Book a table for two", { interim: "Book a", confidence: 0.9 });
    expect(await gateway.event("speech", callId)).toEqual({
      type: "speech",
      callId,
      transcript: "Book a table for two",
      confidence: 0.9,
    });
    expect(call.spoken.at(-1)).toBe("You said: Book a table for two");

    await call.say("goodbye");
    await call.until((c) => c.state === "ended");
    expect(call.spoken.at(-1)).toBe("Bye!");
    expect(await gateway.event("call.ended", callId)).toMatchObject({ reason: "completed" });
    const commands = fake.requests.filter((r) => r.callControlId === callId).map((r) => r.action);
    expect(commands).toEqual(["answer", "speak", "transcription_start", "speak", "speak", "hangup"]);
    // The hang-up waited for Telnyx to report the goodbye spoken.
    expect(call.cutOff).toEqual([]);
    expect(gateway.errors).toEqual([]);
    expect(gateway.refused).toEqual([]);
  });

  it("act() speaks out of band while transcription keeps running", async () => {
    const { provider, gateway, dial } = await setup((e, g) =>
      e.type === "speech" ? { next: "wait" } : echoAgent(e, g),
    );
    const call = await dial();
    await call.say("Tell me later");
    expect(call.spoken).toEqual(["Hello, how can I help?"]);
    await provider.act(
      call.callControlId,
      { say: "Here is the answer.", next: "listen" },
      { webhookUrl: gateway.webhookUrl },
    );
    expect(call.spoken.at(-1)).toBe("Here is the answer.");
    await call.say("Thanks");
    expect(gateway.events.filter((e) => e.type === "speech")).toHaveLength(2);
  });

  it("a copy signed more than five minutes ago is refused as stale", async () => {
    const { fake, gateway, dial } = await setup();
    await dial();
    const first = fake.deliveries[0]!;
    const stale = fake.sign(
      gateway.webhookUrl,
      JSON.parse(first.request.body),
      Math.floor(Date.now() / 1000) - 600,
    );
    expect(await fake.send(stale)).toMatchObject({ status: 403 });
    expect(gateway.refused).toEqual(["stale_timestamp"]);
  });

  it("a refused command is reported, and the webhook still answered 200", async () => {
    const { fake, gateway } = await setup();
    fake.failNext({ action: "answer", status: 500 });
    const call = await fake.inboundCall({
      from: "+15550003333",
      to: "+15550001111",
      webhookUrl: gateway.webhookUrl,
    });
    expect(fake.deliveries[0]).toMatchObject({ eventType: "call.initiated", status: 200 });
    expect(gateway.errors).toEqual([
      `telnyx answer on call ${call.callControlId} failed: HTTP 500 Unexpected error: An unexpected error occured. (code 10007, https://developers.telnyx.com/docs/overview/errors/10007)`,
    ]);
    expect(call.state).toBe("parked");
  });
});
