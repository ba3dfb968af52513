import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { statusCallbackUrl } from "../../src/plugins/voice-call/providers/index.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeTelnyxCall, startFakeTelnyx } from "../fakes/telnyx.js";
import { type FakeTwilio, type FakeTwilioCall, startFakeTwilio } from "../fakes/twilio.js";
import { freePort, type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { stateDirWith } from "../helpers/config.js";
import { writeFakeExecutable } from "../helpers/fake-executable.js";
import {
  NUMBER,
  OWNER,
  telnyxAccount,
  twilioAccount,
  voiceCallConfig,
  webhookUrlOn,
} from "../helpers/voice-gateway.js";

/**
 * The voice-call plugin in the built gateway, against fake Twilio and Telnyx (their
 * REST APIs and the phone network: signed webhooks, TwiML, Call Control commands)
 * and a fake model. Calls are whole: ring, greeting, speech to the agent, the answer
 * spoken, hang-up. The cases both providers share run for each; Twilio's own (unsigned
 * form posts, outbound calls through the RPC and the agent tool) after. Telnyx's own rule,
 * the five-minute timestamp window, is attacked in test/security/voice-replay.test.ts.
 */
const TOKEN = "voice-e2e-token-1234";
const GREETING = "Hi, this is your assistant.";

interface Harness {
  gw: RunningGateway;
  client: GatewayClient;
  anthropic: FakeServer;
  stateDir: string;
  webhookUrl: string;
  /** Model requests whose text includes `needle`. */
  asked(needle: string): number;
}

async function startVoiceGateway(voiceConfig: Record<string, unknown>, env: Record<string, string> = {}) {
  const anthropic = await startFakeAnthropic();
  const port = await freePort();
  const stateDir = stateDirWith(
    voiceCallConfig(anthropic.url, port, { inboundGreeting: GREETING, ...voiceConfig }),
  );
  const gw = await startGateway(
    [],
    testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      ANTHROPIC_API_KEY: "sk-ant-voice",
      ...env,
    }),
  );
  await gw.waitForLine(/\[plugins\] plugin voice-call (loaded|disabled)/);
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}`, token: TOKEN });
  const asked = (needle: string) =>
    anthropic.requests.filter((r) => JSON.stringify(r.body).includes(needle)).length;
  return { gw, client, anthropic, stateDir, webhookUrl: webhookUrlOn(port), asked } satisfies Harness;
}

async function stopHarness(h: Harness | undefined) {
  await h?.client.close();
  await h?.gw.stop();
  await h?.anthropic.close();
}

function callLog(stateDir: string): { event: string; callId: string; text?: string; reason?: string }[] {
  return readFileSync(path.join(stateDir, "voice-calls", "calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

/** A webhook as the fake network signed and sent it. */
interface SentWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The side of a call the shared cases touch, alike on both fake networks. */
interface LineCall {
  id: string;
  readonly spoken: string[];
  /** Resolves once the greeting is spoken and the call listens (or the call was refused). */
  ready(): Promise<void>;
  say(words: string): Promise<void>;
  nextSpoken(): Promise<string>;
  hangup(): Promise<void>;
  /** Resolves once the network has the call as over. */
  over(): Promise<void>;
}

/** A provider's fake network in front of a running gateway. */
interface Line {
  h: Harness;
  /** An inbound call from `from` to the assistant's number. */
  dial(from?: string): Promise<LineCall>;
  /** The last webhook the network delivered whose body includes `text`. */
  sentWith(text: string): SentWebhook;
  send(webhook: SentWebhook): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const twilioCall = (call: FakeTwilioCall): LineCall => ({
  id: call.sid,
  get spoken() {
    return call.spoken;
  },
  ready: () => call.until((c) => c.listening || c.status === "completed"),
  say: (words) => call.say(words),
  nextSpoken: () => call.nextSpoken(),
  hangup: () => call.hangup(),
  over: () => call.until((c) => c.status === "completed"),
});

const telnyxCall = (call: FakeTelnyxCall): LineCall => ({
  id: call.callControlId,
  get spoken() {
    return call.spoken;
  },
  ready: () => call.until((c) => (c.spoken.length === 1 && c.transcribing) || c.state === "ended"),
  say: (words) => call.say(words),
  nextSpoken: () => call.nextSpoken(),
  hangup: () => call.hangup(),
  over: () => call.until((c) => c.state === "ended"),
});

const LINES: { name: string; start(): Promise<Line> }[] = [
  {
    name: "Twilio",
    async start() {
      const twilio = await startFakeTwilio();
      const account = twilioAccount(twilio);
      const h = await startVoiceGateway(account.voice, account.env);
      return {
        h,
        dial: async (from = OWNER) =>
          twilioCall(
            await twilio.inboundCall({
              from,
              to: NUMBER,
              webhookUrl: h.webhookUrl,
              statusCallback: statusCallbackUrl(h.webhookUrl),
            }),
          ),
        sentWith: (text) => twilio.deliveries.findLast((d) => d.request.body.includes(text))!.request,
        send: (webhook) => twilio.send({ method: "POST", ...webhook }),
        close: async () => {
          await stopHarness(h);
          await twilio.close();
        },
      };
    },
  },
  {
    name: "Telnyx",
    async start() {
      const telnyx = await startFakeTelnyx();
      const h = await startVoiceGateway(telnyxAccount(telnyx).voice);
      return {
        h,
        dial: async (from = OWNER) =>
          telnyxCall(await telnyx.inboundCall({ from, to: NUMBER, webhookUrl: h.webhookUrl })),
        sentWith: (text) => telnyx.deliveries.findLast((d) => d.request.body.includes(text))!.request,
        send: (webhook) => telnyx.send(webhook),
        close: async () => {
          await stopHarness(h);
          await telnyx.close();
        },
      };
    },
  },
];

describe.each(LINES)("voice-call with $name: the cases both providers share", ({ start }) => {
  let line: Line;
  let h: Harness;
  beforeAll(async () => {
    line = await start();
    h = line.h;
  });
  afterAll(async () => {
    await line?.close();
  });

  it("answers a call: greeting, the caller's words to the agent, its answer spoken, until hang-up", async () => {
    const call = await line.dial();
    await call.ready();
    expect(call.spoken).toEqual([GREETING]);

    h.anthropic.enqueue({ text: "You have **two** meetings today: standup at 9 and a review at 3." });
    const answer = call.nextSpoken();
    await call.say("What is on my calendar today?");
    // Spoken without markdown.
    expect(await answer).toBe("You have two meetings today: standup at 9 and a review at 3.");
    expect(h.asked("What is on my calendar today?")).toBe(1);
    expect(JSON.stringify(h.anthropic.requests.at(-1)!.body)).toContain(`Phone call from ${OWNER}`);

    h.anthropic.enqueue({ text: "Standup is with the platform team." });
    const second = call.nextSpoken();
    await call.say("Who is the standup with?");
    expect(await second).toBe("Standup is with the platform team.");
    // The second turn has the first in its history: one session for the whole call.
    expect(JSON.stringify(h.anthropic.requests.at(-1)!.body)).toContain("standup at 9 and a review at 3");

    await call.hangup();
    await call.over();
    type Status = { call: { state: string; sessionKey: string; transcript: { who: string }[] } };
    const status = async () => (await h.client.request("voicecall.status", { callId: call.id })) as Status;
    await expect.poll(async () => (await status()).call.state).toBe("ended");
    const { call: record } = await status();
    expect(record.sessionKey).toBe(`agent:main:voice-call:direct:call-${call.id.toLowerCase()}`);
    expect(record.transcript.map((t) => t.who)).toEqual(["agent", "caller", "agent", "caller", "agent"]);
    const log = callLog(h.stateDir).filter((e) => e.callId === call.id);
    expect(log.map((e) => e.event)).toEqual([
      "started",
      "answered",
      "said",
      "heard",
      "said",
      "heard",
      "said",
      "ended",
    ]);
  });

  it("refuses a tampered webhook (403), and runs a replayed one only once", async () => {
    const call = await line.dial();
    await call.ready();
    h.anthropic.enqueue({ text: "Sure." });
    const spoken = call.nextSpoken();
    await call.say("Remind me to call mum.");
    await spoken;
    const speech = line.sentWith("mum");

    const tampered = { ...speech, body: speech.body.replace("mum", "dad") };
    expect((await line.send(tampered)).status).toBe(403);
    expect(h.asked("Remind me to call dad")).toBe(0);

    expect((await line.send(speech)).status).toBe(200);
    expect(h.asked("Remind me to call mum.")).toBe(1);
    await call.hangup();
    await call.over();
  });

  it("hangs up on a caller who is not allowed, without asking the agent", async () => {
    const before = h.anthropic.requests.length;
    const call = await line.dial("+15550000000");
    await call.over();
    expect(call.spoken).toEqual([]);
    expect(h.anthropic.requests.length).toBe(before);
    expect(h.gw.output().stdout).toContain("inbound call from +15550000000 refused: not in allowFrom");
  });
});

describe("voice-call with Twilio", () => {
  let twilio: FakeTwilio;
  let h: Harness;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
    const account = twilioAccount(twilio);
    h = await startVoiceGateway(account.voice, account.env);
  });
  afterAll(async () => {
    await stopHarness(h);
    await twilio?.close();
  });

  const dial = (from = OWNER) =>
    twilio.inboundCall({
      from,
      to: NUMBER,
      webhookUrl: h.webhookUrl,
      statusCallback: statusCallbackUrl(h.webhookUrl),
    });

  it("refuses an unsigned webhook (403), answers a replay with the first answer, and logs why", async () => {
    const unsigned = await fetch(h.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ CallSid: "CAforged", From: OWNER, To: NUMBER, CallStatus: "ringing" }),
    });
    expect(unsigned.status).toBe(403);

    const call = await dial();
    h.anthropic.enqueue({ text: "Sure." });
    const spoken = call.nextSpoken();
    await call.say("Remind me to call mum.");
    await spoken;
    const speech = twilio.deliveries.findLast((d) => d.params.SpeechResult === "Remind me to call mum.")!;
    const tampered = { ...speech.request, body: speech.request.body.replace("mum", "the+bank") };
    expect((await twilio.send(tampered)).status).toBe(403);
    expect(await twilio.send(speech.request)).toEqual({ status: 200, body: speech.body });
    expect(h.gw.output().stdout + h.gw.output().stderr).toMatch(/twilio webhook refused: invalid_signature/);
    await call.hangup();
  });

  it("places an outbound call through the RPC and says the message (notify mode)", async () => {
    const placed = twilio.nextCall();
    const { call: record } = (await h.client.request("voicecall.initiate", {
      to: OWNER,
      message: "Your build finished.",
    })) as { call: { callId: string; mode: string } };
    const call = await placed;
    expect(call.sid).toBe(record.callId);
    expect(record.mode).toBe("notify");
    await call.until((c) => c.status === "completed");
    expect(call.spoken).toEqual(["Your build finished."]);
    const request = twilio.requests.find((r) => r.path.endsWith("/Calls.json"))!;
    expect(request.params).toMatchObject({ To: OWNER, From: NUMBER, Url: h.webhookUrl });
  });

  it("lets the agent place a call with the voice_call tool", async () => {
    const placed = twilio.nextCall();
    h.anthropic.enqueue({
      toolCalls: [
        {
          name: "voice_call",
          args: { action: "initiate_call", to: OWNER, message: "Dinner is at seven.", mode: "conversation" },
        },
      ],
    });
    h.anthropic.enqueue({ text: "Calling now." });
    await h.client.request("chat.send", {
      sessionKey: "main",
      message: "Call me about dinner",
      idempotencyKey: "v1",
    });
    const call = await placed;
    await call.until((c) => c.listening);
    expect(call.spoken).toEqual(["Dinner is at seven."]);
    await call.hangup();
  });
});

describe("voice-call tunnels", () => {
  const twilioEnv = {
    TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
    TWILIO_AUTH_TOKEN: "tw-auth-token-123",
  };

  /** A `tailscale` on PATH that runs the fake CLI and records its argv. */
  function fakeTailscale(): { PATH: string; FAKE_TAILSCALE_ARGV: string } {
    const bin = tempDir("tailscale-bin-");
    const cli = path.resolve(import.meta.dirname, "../fakes/tailscale-cli.ts");
    writeFakeExecutable(bin, "tailscale", cli);
    return { PATH: `${bin}:${process.env.PATH}`, FAKE_TAILSCALE_ARGV: path.join(bin, "argv.jsonl") };
  }

  it("publishes the webhook with Tailscale Funnel, logs the public URL, and turns it off on shutdown", async () => {
    const tailscale = fakeTailscale();
    const h = await startVoiceGateway(
      { provider: "twilio", publicUrl: undefined, tunnel: { provider: "tailscale" } },
      { ...twilioEnv, ...tailscale },
    );
    try {
      await h.gw.waitForLine(/webhook URL for twilio: https:\/\/gateway\.tail1234\.ts\.net\/voice\/webhook$/);
    } finally {
      await stopHarness(h);
    }
    const argv = readFileSync(tailscale.FAKE_TAILSCALE_ARGV, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(argv).toContainEqual([
      "funnel",
      "--bg",
      "--set-path",
      "/voice/webhook",
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/voice\/webhook$/),
    ]);
    expect(argv.at(-1)).toEqual(["funnel", "--set-path", "/voice/webhook", "off"]);
  });

  it("says what to set when ngrok has no token, or the tailscale CLI is missing; the gateway stays up", async () => {
    const ngrok = await startVoiceGateway({ provider: "twilio", tunnel: { provider: "ngrok" } }, twilioEnv);
    try {
      await ngrok.gw.waitForLine(/\[plugins\] plugin voice-call disabled: .*NGROK_AUTHTOKEN/);
      expect((await fetch(`http://127.0.0.1:${ngrok.gw.port}/healthz`)).status).toBe(200);
    } finally {
      await stopHarness(ngrok);
    }
    const noCli = await startVoiceGateway(
      { provider: "twilio", tunnel: { provider: "tailscale-funnel" } },
      { ...twilioEnv, PATH: tempDir("empty-path-") },
    );
    try {
      await noCli.gw.waitForLine(/\[plugins\] plugin voice-call disabled: tailscale CLI not found on PATH/);
    } finally {
      await stopHarness(noCli);
    }
  });

  it("says which credentials are missing", async () => {
    const h = await startVoiceGateway({ provider: "twilio" });
    try {
      await h.gw.waitForLine(
        /\[plugins\] plugin voice-call disabled: Twilio needs an account SID and auth token: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/,
      );
    } finally {
      await stopHarness(h);
    }
  });
});
