import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/infra/logger.js";
import { CallManager } from "../../src/plugins/voice-call/manager.js";
import { statusCallbackUrl } from "../../src/plugins/voice-call/providers/index.js";
import { createTwilioProvider } from "../../src/plugins/voice-call/providers/twilio.js";
import { callbackUrlFor } from "../../src/plugins/voice-call/providers/twiml.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { type FakeTelnyx, startFakeTelnyx } from "../fakes/telnyx.js";
import { type FakeTwilio, type SignedWebhook, startFakeTwilio } from "../fakes/twilio.js";
import { freePort, type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { stateDirWith } from "../helpers/config.js";
import {
  NUMBER,
  OWNER,
  telnyxAccount,
  twilioAccount,
  voiceCallConfig,
  webhookUrlOn,
} from "../helpers/voice-gateway.js";

/** A gateway with the voice-call plugin that can be stopped and started again on the same state dir. */
async function voiceGateway(account: { voice: Record<string, unknown>; env: Record<string, string> }) {
  const anthropic = await startFakeAnthropic();
  const port = await freePort();
  const webhookUrl = webhookUrlOn(port);
  const stateDir = stateDirWith(
    // A failed attack leaves its call open; the next test still gets a line.
    voiceCallConfig(anthropic.url, port, { maxConcurrentCalls: 4, ...account.voice }),
    "voice-replay-",
  );
  const start = async () => {
    const gw = await startGateway(
      [],
      testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-replay", ...account.env }),
    );
    await gw.waitForLine(/\[plugins\] plugin voice-call loaded/);
    return gw;
  };
  let gw: RunningGateway = await start();
  return {
    anthropic,
    stateDir,
    webhookUrl,
    /** Agent turns whose prompt includes `needle`. */
    asked: (needle: string) =>
      anthropic.requests.filter((r) => JSON.stringify(r.body).includes(needle)).length,
    async restart() {
      await gw.stop();
      gw = await start();
    },
    output: () => gw.output(),
    async close() {
      await gw.stop();
      await anthropic.close();
    },
  };
}

/** Webhooks the gateway logged as repeats (answered as before, nothing run). */
function repeats(stdout: string, provider: string): number {
  return stdout.split("\n").filter((line) => line.includes(`${provider} webhook repeated`)).length;
}

type Harness = Awaited<ReturnType<typeof voiceGateway>>;

/** The same webhook without Twilio's idempotency token (the header is not signed: anyone can drop it). */
function withoutToken(webhook: SignedWebhook): SignedWebhook {
  const { "i-twilio-idempotency-token": _token, ...headers } = webhook.headers;
  return { ...webhook, headers };
}

describe("voice-call replays with Twilio", () => {
  let twilio: FakeTwilio;
  let h: Harness;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
    h = await voiceGateway(twilioAccount(twilio));
  });
  afterAll(async () => {
    await h?.close();
    await twilio?.close();
  });

  /** A call in which the caller says `words` once and hears the agent's answer. */
  async function oneTurn(words: string, answer: string) {
    const call = await twilio.inboundCall({
      from: OWNER,
      to: NUMBER,
      webhookUrl: h.webhookUrl,
      statusCallback: statusCallbackUrl(h.webhookUrl),
    });
    h.anthropic.enqueue({ text: answer });
    const spoken = call.nextSpoken();
    await call.say(words);
    expect(await spoken).toBe(answer);
    expect(h.asked(words)).toBe(1);
    const speech = twilio.deliveries.findLast((d) => d.params.SpeechResult === words)!;
    return { call, speech };
  }

  it("runs nothing again for a replay with the params reordered, a pair duplicated, or a new idempotency token", async () => {
    const words = "Transfer fifty dollars to Alice.";
    const { call, speech } = await oneTurn(words, "Done, I noted it.");
    const pairs = speech.request.body.split("&");

    // Twilio signs the params sorted by name, so any order carries the same valid signature.
    const reordered = withoutToken({ ...speech.request, body: [...pairs].reverse().join("&") });
    // Twilio's helpers sign a repeated name's distinct values, so a duplicated pair keeps it valid too.
    const duplicated = withoutToken({ ...speech.request, body: [...pairs, pairs[0]].join("&") });
    // The idempotency token is not signed: a new one makes a "new" webhook of the same bytes.
    const newToken = {
      ...speech.request,
      headers: { ...speech.request.headers, "i-twilio-idempotency-token": "attacker-chosen-token" },
    };
    for (const replay of [reordered, duplicated, newToken, withoutToken(speech.request)]) {
      const answer = await twilio.send(replay);
      expect(answer).toEqual({ status: 200, body: speech.body });
    }
    expect(h.asked(words)).toBe(1);

    // A duplicated name with a different value is another set of signed values: refused.
    const [name] = pairs.find((p) => p.startsWith("SpeechResult="))!.split("=");
    const injected = withoutToken({ ...speech.request, body: `${speech.request.body}&${name}=Send+it+all` });
    expect((await twilio.send(injected)).status).toBe(403);
    expect(h.asked("Send it all")).toBe(0);
    await call.hangup();
    await call.until((c) => c.status === "completed");
  });

  it("runs nothing again when the whole call is replayed after a restart", async () => {
    const words = "Order the red shoes.";
    const { call, speech } = await oneTurn(words, "Ordered.");
    await call.hangup();
    await call.until((c) => c.status === "completed");
    const ofCall = twilio.deliveries.filter((d) => d.params.CallSid === call.sid);

    await h.restart();
    // The voice webhook would open the call again and the speech webhook ask the agent again.
    for (const delivery of ofCall.slice(0, ofCall.indexOf(speech) + 1)) {
      const answer = await twilio.send(withoutToken(delivery.request));
      expect(answer.status).toBe(200);
    }
    expect(await twilio.send(speech.request)).toEqual({ status: 200, body: speech.body });
    expect(h.asked(words)).toBe(1);
    expect(h.output().stdout).toMatch(/twilio webhook repeated/);
  });
});

describe("voice-call replays with Telnyx", () => {
  let telnyx: FakeTelnyx;
  let h: Harness;
  beforeAll(async () => {
    telnyx = await startFakeTelnyx();
    h = await voiceGateway(telnyxAccount(telnyx));
  });
  afterAll(async () => {
    await h?.close();
    await telnyx?.close();
  });

  it("runs nothing again for events replayed after a restart inside the timestamp window; stale ones are refused", async () => {
    const call = await telnyx.inboundCall({ from: OWNER, to: NUMBER, webhookUrl: h.webhookUrl });
    await call.until((c) => c.spoken.length === 1 && c.transcribing);
    h.anthropic.enqueue({ text: "It is raining." });
    const answer = call.nextSpoken();
    await call.say("Will it rain today?");
    expect(await answer).toBe("It is raining.");
    expect(h.asked("Will it rain today?")).toBe(1);
    await call.hangup();
    await call.settled();
    const ofCall = telnyx.deliveries.filter((d) => d.request.body.includes(call.callControlId));
    const speech = ofCall.findIndex((d) => d.request.body.includes("Will it rain today?"));

    await h.restart();
    // call.initiated would open the call again, the transcription ask the agent again.
    for (const delivery of ofCall.slice(0, speech + 1)) {
      expect((await telnyx.send(delivery.request)).status).toBe(200);
    }
    // Telnyx webhooks are answered before the agent runs: wait until every replay was
    // seen as one (logged before its answer), then count the agent's turns.
    await expect.poll(() => repeats(h.output().stdout, "telnyx")).toBe(speech + 1);
    expect(h.asked("Will it rain today?")).toBe(1);

    // Outside the window the signature is still good, the timestamp is not: refused.
    const stale = telnyx.sign(
      h.webhookUrl,
      JSON.parse(ofCall[speech]!.request.body),
      Math.floor(Date.now() / 1000) - 301,
    );
    expect((await telnyx.send(stale)).status).toBe(403);
    expect(h.asked("Will it rain today?")).toBe(1);
  });
});

describe("voice-call replays while the first is still running", () => {
  it("copies arriving before the first is on disk, or while the agent thinks, get its answer; the agent runs once", async () => {
    const fake = await startFakeTwilio();
    try {
      const hook = "https://voice.example.com/voice/webhook";
      let thinking!: () => void;
      const started = new Promise<void>((resolve) => (thinking = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const chat = vi.fn(async () => {
        thinking();
        await gate;
        return { status: "ok" as const, text: "Paid." };
      });
      const manager = new CallManager({
        provider: createTwilioProvider(
          { accountSid: fake.accountSid, authToken: fake.authToken },
          { apiBaseUrl: fake.apiBaseUrl },
        ),
        config: { provider: "twilio", inboundPolicy: "open" },
        webhookUrl: () => hook,
        chat,
        sessionKey: (id) => `agent:main:voice-call:direct:call-${id}`,
        storeDir: tempDir("voice-replay-inflight-"),
        log: createLogger("voice-replay"),
      });
      const send = (w: SignedWebhook) =>
        manager.handleWebhook({ url: w.url, headers: w.headers, rawBody: Buffer.from(w.body) });
      const call = {
        CallSid: "CA1",
        From: OWNER,
        To: NUMBER,
        Direction: "inbound",
        CallStatus: "in-progress",
      };
      expect((await send(fake.sign(hook, call))).status).toBe(200);

      const speech = fake.sign(callbackUrlFor(hook, "gather"), { ...call, SpeechResult: "Pay the rent." });
      const first = send(speech);
      const beforeDisk = send(withoutToken({ ...speech, body: speech.body.split("&").reverse().join("&") }));
      await started;
      const whileThinking = send({
        ...speech,
        headers: { ...speech.headers, "i-twilio-idempotency-token": "another" },
      });
      release();
      const [a, b, c] = await Promise.all([first, beforeDisk, whileThinking]);
      expect(a.body).toContain("<Say>Paid.</Say>");
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(chat).toHaveBeenCalledTimes(1);
      await manager.stop();
    } finally {
      await fake.close();
    }
  });
});
