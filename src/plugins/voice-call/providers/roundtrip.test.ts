/**
 * Whole calls through the fakes: the fake network POSTs signed webhooks to a loopback
 * server standing in for the gateway's webhook route and call manager (verify, drop
 * repeats, parse, let a scripted agent decide, respond), and runs what comes back.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeTelnyx, startFakeTelnyx } from "../../../../test/fakes/telnyx.js";
import { type FakeTwilio, type FakeTwilioOptions, startFakeTwilio } from "../../../../test/fakes/twilio.js";
import { createTelnyxProvider } from "./telnyx.js";
import { createTwilioProvider, statusCallbackUrl } from "./twilio.js";
import type { CallAction, CallEvent, VoiceProvider } from "./types.js";

type Decide = (event: CallEvent, gateway: Gateway) => CallAction | undefined;

interface Gateway {
  webhookUrl: string;
  events: CallEvent[];
  refused: string[];
  duplicates: number;
  errors: string[];
  /** The first event (so far or to come) of `type` on `callId`. */
  event<T extends CallEvent["type"]>(type: T, callId: string): Promise<Extract<CallEvent, { type: T }>>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A polite agent: greets, repeats what it heard, and says goodbye when told to. */
const echoAgent: Decide = (event) => {
  switch (event.type) {
    case "call.answered":
      return { say: "Hello, how can I help?", next: "listen" };
    case "speech":
      return /goodbye/i.test(event.transcript)
        ? { say: "Bye!", next: "hangup" }
        : { say: `You said: ${event.transcript}`, next: "listen" };
    case "speech.timeout":
      return { say: "Are you still there?", next: "listen" };
    default:
      return undefined;
  }
};

async function startGateway(provider: VoiceProvider, decide: Decide): Promise<Gateway> {
  const watchers = new Set<() => boolean>();
  const seen = new Set<string>();
  let base = "";
  const gateway: Gateway = {
    webhookUrl: "",
    events: [],
    refused: [],
    duplicates: 0,
    errors: [],
    event(type, callId) {
      const find = () =>
        gateway.events.find((e) => e.type === type && e.callId === callId) as
          | Extract<CallEvent, { type: typeof type }>
          | undefined;
      return new Promise((resolve) => {
        const check = () => {
          const found = find();
          if (found) resolve(found);
          return found !== undefined;
        };
        if (!check()) watchers.add(check);
      });
    },
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
    );
    const webhook = { url: `${base}${req.url}`, headers, rawBody: Buffer.concat(chunks) };
    const verdict = provider.verifyWebhook(webhook);
    if (!verdict.ok) {
      gateway.refused.push(verdict.reason);
      res.writeHead(403).end();
      return;
    }
    let event: CallEvent | undefined;
    let action: CallAction | undefined;
    if (seen.has(verdict.replayKey)) {
      gateway.duplicates++;
    } else {
      seen.add(verdict.replayKey);
      const events = provider.parseWebhook(webhook);
      gateway.events.push(...events);
      for (const w of [...watchers]) if (w()) watchers.delete(w);
      event = events.at(-1);
      action = event ? decide(event, gateway) : undefined;
    }
    try {
      const answer = await provider.respond(event, action, { webhookUrl: gateway.webhookUrl });
      res.writeHead(answer.status, { "content-type": answer.contentType }).end(answer.body);
    } catch (err) {
      // Telnyx redelivers what is not answered 200: note the failure, answer anyway.
      gateway.errors.push((err as Error).message);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.webhookUrl = `${base}/voice/webhook`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return gateway;
}

describe("twilio round trip", () => {
  async function setup(decide: Decide = echoAgent, options: FakeTwilioOptions = {}) {
    const fake: FakeTwilio = await startFakeTwilio(options);
    cleanups.push(() => fake.close());
    const provider = createTwilioProvider(
      { accountSid: fake.accountSid, authToken: fake.authToken },
      { apiBaseUrl: fake.apiBaseUrl },
    );
    const gateway = await startGateway(provider, decide);
    const dial = () =>
      fake.inboundCall({
        from: "+15550003333",
        to: "+15550001111",
        webhookUrl: gateway.webhookUrl,
        statusCallback: statusCallbackUrl(gateway.webhookUrl),
      });
    return { fake, provider, gateway, dial };
  }

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

  it("the caller hanging up arrives through the number's status callback", async () => {
    const { gateway, dial } = await setup();
    const call = await dial();
    await call.hangup();
    expect(await gateway.event("call.ended", call.sid)).toEqual({
      type: "call.ended",
      callId: call.sid,
      reason: "completed",
    });
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

  it("an outbound call: dialling, answer, greeting, hang-up", async () => {
    const { fake, provider, gateway } = await setup();
    const placed = fake.nextCall();
    const { callId } = await provider.placeCall({
      to: "+15550004444",
      from: "+15550001111",
      webhookUrl: gateway.webhookUrl,
    });
    const call = await placed;
    expect(await gateway.event("call.started", callId)).toMatchObject({
      direction: "outbound",
      to: "+15550004444",
    });
    await gateway.event("call.answered", callId);
    await call.until((c) => c.listening);
    expect(call.spoken).toEqual(["Hello, how can I help?"]);
    await call.hangup();
    expect(await gateway.event("call.ended", callId)).toMatchObject({ reason: "completed" });
  });

  it("an outbound call nobody picks up ends as no-answer", async () => {
    const { fake, provider, gateway } = await setup(echoAgent, { autoAnswer: false });
    const placed = fake.nextCall();
    const { callId } = await provider.placeCall({
      to: "+15550004444",
      from: "+15550001111",
      webhookUrl: gateway.webhookUrl,
    });
    const call = await placed;
    await call.until((c) => c.status === "ringing");
    await call.reject("no-answer");
    expect(await gateway.event("call.ended", callId)).toMatchObject({ reason: "no-answer" });
  });

  it("a replayed webhook has the same replay key; a tampered one is refused", async () => {
    const { fake, gateway, dial } = await setup();
    await dial();
    const first = fake.deliveries[0]!;
    expect(await fake.send(first.request)).toMatchObject({ status: 200 });
    expect(gateway.duplicates).toBe(1);
    const tampered = {
      ...first.request,
      body: first.request.body.replace("%2B15550003333", "%2B15550009999"),
    };
    expect(await fake.send(tampered)).toMatchObject({ status: 403 });
    expect(gateway.refused).toEqual(["invalid_signature"]);
  });

  it("a webhook the gateway refuses fails the call as Twilio does", async () => {
    const { fake } = await setup();
    const other = await startGateway(
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
  async function setup(decide: Decide = echoAgent, options: { autoAnswer?: boolean } = {}) {
    const fake: FakeTelnyx = await startFakeTelnyx(options);
    cleanups.push(() => fake.close());
    const provider = createTelnyxProvider(
      { apiKey: fake.apiKey, connectionId: fake.connectionId, publicKey: fake.publicKey },
      { apiBaseUrl: fake.apiBaseUrl },
    );
    const gateway = await startGateway(provider, decide);
    const dial = async () => {
      const call = await fake.inboundCall({
        from: "+15550003333",
        to: "+15550001111",
        webhookUrl: gateway.webhookUrl,
      });
      await call.settled();
      return call;
    };
    return { fake, provider, gateway, dial };
  }

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

  it("the caller hanging up ends the call", async () => {
    const { gateway, dial } = await setup();
    const call = await dial();
    await call.hangup();
    expect(await gateway.event("call.ended", call.callControlId)).toEqual({
      type: "call.ended",
      callId: call.callControlId,
      reason: "completed",
      detail: "normal_clearing",
    });
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

  it("an outbound call: dialled, answered, greeting", async () => {
    const { fake, provider, gateway } = await setup();
    const placed = fake.nextCall();
    const { callId } = await provider.placeCall({
      to: "+15550004444",
      from: "+15550001111",
      webhookUrl: gateway.webhookUrl,
    });
    const call = await placed;
    expect(await gateway.event("call.started", callId)).toMatchObject({
      direction: "outbound",
      to: "+15550004444",
    });
    await gateway.event("call.answered", callId);
    await call.settled();
    expect(call.spoken).toEqual(["Hello, how can I help?"]);
    expect(call.transcribing).toBe(true);
  });

  it("an outbound call to a busy line ends as busy", async () => {
    const { fake, provider, gateway } = await setup(echoAgent, { autoAnswer: false });
    const placed = fake.nextCall();
    const { callId } = await provider.placeCall({
      to: "+15550004444",
      from: "+15550001111",
      webhookUrl: gateway.webhookUrl,
    });
    const call = await placed;
    await call.reject("user_busy");
    expect(await gateway.event("call.ended", callId)).toMatchObject({ reason: "busy", detail: "user_busy" });
  });

  it("a replayed webhook has the same replay key; tampered and stale ones are refused", async () => {
    const { fake, gateway, dial } = await setup();
    await dial();
    const first = fake.deliveries[0]!;
    expect(await fake.send(first.request)).toMatchObject({ status: 200 });
    expect(gateway.duplicates).toBe(1);
    const tampered = { ...first.request, body: first.request.body.replace("+15550003333", "+15550009999") };
    expect(await fake.send(tampered)).toMatchObject({ status: 403 });
    const stale = fake.sign(
      gateway.webhookUrl,
      JSON.parse(first.request.body),
      Math.floor(Date.now() / 1000) - 600,
    );
    expect(await fake.send(stale)).toMatchObject({ status: 403 });
    expect(gateway.refused).toEqual(["invalid_signature", "stale_timestamp"]);
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
