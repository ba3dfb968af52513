import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../../test/helpers/cli.js";
import { createLogger } from "../../infra/logger.js";
import type { VoiceCallConfig } from "./config.js";
import { CallManager, toSpeech } from "./manager.js";
import type { CallAction, CallEvent, VoiceProvider, WebhookRequest } from "./providers/types.js";

let webhooks = 0;

/** A provider whose webhooks carry their events as JSON, answering with the action as JSON. */
function stubProvider(): VoiceProvider {
  return {
    name: "twilio",
    verifyWebhook: () => ({ ok: true, replayKey: `k:${++webhooks}`, replayUntil: Date.now() + 60_000 }),
    parseWebhook: (req) => JSON.parse(req.rawBody.toString()) as CallEvent[],
    respond: async (_event, action) => ({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify(action ?? null),
    }),
    placeCall: async () => ({ callId: "out-1" }),
    act: async () => undefined,
  };
}

type Chat = (req: { text: string }) => Promise<{ status: "ok"; text: string }>;

function setup(config: Partial<VoiceCallConfig> = {}, answerSliceMs?: number, answer?: Chat) {
  const echo: Chat = async (req) => ({ status: "ok", text: `echo ${req.text.split("\n").at(-1)}` });
  const chat = vi.fn(answer ?? echo);
  const manager = new CallManager({
    provider: stubProvider(),
    config: { provider: "twilio", inboundPolicy: "open", ...config },
    webhookUrl: () => "https://example.test/voice/webhook",
    chat,
    sessionKey: (id) => `agent:main:voice-call:direct:call-${id}`,
    storeDir: tempDir("voice-manager-"),
    log: createLogger("voice-test"),
    ...(answerSliceMs ? { answerSliceMs } : {}),
  });
  const send = async (...events: CallEvent[]): Promise<CallAction | null> => {
    const req: WebhookRequest = {
      url: "https://example.test/voice/webhook",
      headers: {},
      rawBody: Buffer.from(JSON.stringify(events)),
    };
    return JSON.parse((await manager.handleWebhook(req)).body);
  };
  const ring = (callId: string, from = "+15550001111") =>
    send(
      { type: "call.started", callId, from, to: "+15550002222", direction: "inbound" },
      { type: "call.answered", callId },
    );
  return { manager, chat, send, ring };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("CallManager", () => {
  it("greets, answers each thing said through the agent, and ends after three silences", async () => {
    const { send, ring, chat, manager } = setup({ inboundGreeting: "Hello there." });
    expect(await ring("c1")).toEqual({ say: "Hello there.", next: "listen" });
    expect(await send({ type: "speech", callId: "c1", transcript: "hi" })).toEqual({
      say: "echo hi",
      next: "listen",
    });
    expect(chat.mock.calls[0]![0].text).toMatch(/^\[Phone call from \+15550001111\. .*\]\nhi$/s);
    for (let i = 0; i < 2; i++)
      expect(await send({ type: "speech.timeout", callId: "c1" })).toEqual({ next: "listen" });
    expect(await send({ type: "speech.timeout", callId: "c1" })).toMatchObject({ next: "hangup" });
    expect(manager.get("c1")).toMatchObject({ state: "ended", endReason: "no speech" });
  });

  it("refuses callers by policy and capacity", async () => {
    const closed = setup({ inboundPolicy: "disabled" });
    expect(await closed.ring("c1")).toEqual({ next: "hangup" });
    const listed = setup({ inboundPolicy: "allowlist", allowFrom: ["+15550001111"] });
    expect(await listed.ring("c2", "+15559999999")).toEqual({ next: "hangup" });
    expect(await listed.ring("c3")).toMatchObject({ next: "listen" });
    // One call at a time by default.
    expect(await listed.ring("c4")).toEqual({ next: "hangup" });
  });

  it("frees the line from a call hung up unseen once it has been quiet for staleCallReaperSeconds", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { ring, manager } = setup({ staleCallReaperSeconds: 60 });
    await ring("c1");
    expect(await ring("c2")).toEqual({ next: "hangup" });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await ring("c3")).toMatchObject({ next: "listen" });
    expect(manager.get("c1")).toMatchObject({
      state: "ended",
      endReason: "no webhook for 60 s (hung up unseen)",
    });
  });

  it("holds the line while the agent thinks, then speaks the answer when the provider polls", async () => {
    let finish!: (text: string) => void;
    const { send, ring } = setup(
      {},
      1,
      () => new Promise((resolve) => (finish = (text) => resolve({ status: "ok", text }))),
    );
    await ring("c1");
    expect(await send({ type: "speech", callId: "c1", transcript: "think hard" })).toEqual({ next: "wait" });
    expect(await send({ type: "call.poll", callId: "c1" })).toEqual({ next: "wait" });
    finish("**Done** thinking.");
    expect(await send({ type: "call.poll", callId: "c1" })).toEqual({
      say: "Done thinking.",
      next: "listen",
    });
  });
});

describe("toSpeech", () => {
  it("reads markdown as plain words", () => {
    expect(
      toSpeech("# Plan\n- **one** thing\n- see [the docs](https://x.test)\n```js\nx()\n```\nuse `npm test`"),
    ).toBe("Plan one thing see the docs (code omitted) use npm test");
  });
});
