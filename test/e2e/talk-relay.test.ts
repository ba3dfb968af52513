/**
 * Talk over the gateway relay (OpenClaw's `talk.session.*`, transport "gateway-relay")
 * against a fake OpenAI Realtime WebSocket: the browser's audio reaches the vendor socket,
 * the model's audio and transcripts come back as `talk.event` events, a tool call runs the
 * agent through `talk.client.toolCall` and its answer goes back to the model, the limits
 * refuse with messages that say what to change, and a closed browser socket closes the
 * vendor's.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayClient, type GatewayResponseError } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { type FakeRealtime, functionCallDone, startFakeRealtime } from "../fakes/openai-realtime.js";
import type { FakeServer } from "../fakes/server.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

const TOKEN = "talk-relay-token-0123456789";
const API_KEY = "sk-talk-relay-server-only-0123456789";

interface RelayEvent {
  relaySessionId: string;
  type: string;
  [key: string]: unknown;
}

describe("Talk over the gateway relay (OpenAI Realtime)", () => {
  let anthropic: FakeServer;
  let realtime: FakeRealtime;
  let gateway: InProcessGateway;
  let client: GatewayClient;
  let events: RelayEvent[];
  let waiters: { match: (e: RelayEvent) => boolean; resolve: (e: RelayEvent) => void }[];

  const connect = async () => {
    const { client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token: TOKEN });
    return client;
  };
  /** The first `talk.event` (past or future) that `match` accepts. */
  const nextEvent = (match: (e: RelayEvent) => boolean) => {
    const seen = events.find(match);
    return seen
      ? Promise.resolve(seen)
      : new Promise<RelayEvent>((resolve) => waiters.push({ match, resolve }));
  };
  const create = async (c = client, params: object = {}) =>
    (await c.request("talk.session.create", {
      sessionKey: "main",
      mode: "realtime",
      transport: "gateway-relay",
      ...params,
    })) as { sessionId: string; relaySessionId: string; audio: Record<string, unknown> };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e: Error) => e,
    );

  beforeEach(async () => {
    anthropic = await startFakeAnthropic();
    realtime = await startFakeRealtime();
    gateway = await startInProcessGateway({
      token: TOKEN,
      config: {
        models: {
          providers: {
            anthropic: { baseUrl: anthropic.url, apiKey: "sk-ant-api03-test" },
            openai: { baseUrl: realtime.url },
          },
        },
        talk: {
          realtime: {
            provider: "openai",
            transport: "gateway-relay",
            providers: { openai: { apiKey: API_KEY, speakerVoice: "cedar" } },
          },
        },
      },
    });
    client = await connect();
    events = [];
    waiters = [];
    client.onEvent((frame) => {
      if (frame.event !== "talk.event") return;
      const event = frame.payload as RelayEvent;
      events.push(event);
      for (const w of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    });
  });
  afterEach(async () => {
    await client.close();
    await gateway.close();
    await realtime.close();
    await anthropic.close();
  });

  it("relays audio both ways, saves the speech, and runs the consult through the agent", async () => {
    anthropic.setDefault({ text: "It is sunny in Lisbon." });
    // The browser transport refuses: this gateway is set up for the relay.
    const direct = await refusal(client.request("talk.client.create", { sessionKey: "main" }));
    expect((direct as GatewayResponseError).message).toContain("talk.session.create");

    const created = await create();
    const id = created.relaySessionId;
    expect(created).toMatchObject({
      sessionId: id,
      provider: "openai",
      mode: "realtime",
      transport: "gateway-relay",
      brain: "agent-consult",
      voice: "cedar",
      audio: { inputEncoding: "pcm16", inputSampleRateHz: 24000, outputSampleRateHz: 24000 },
    });
    const socket = await realtime.nextSocket();
    expect(socket.authorization).toBe(`Bearer ${API_KEY}`);
    expect(socket.model).toBe("gpt-realtime-2.1");
    // The gateway's session: its prompt, the consult tool, PCM at 24 kHz, the configured voice.
    const update = (await socket.nextEvent((e) => e.type === "session.update")).session as Record<
      string,
      unknown
    >;
    expect(update).toMatchObject({
      type: "realtime",
      tools: [{ name: "openclaw_agent_consult" }],
      audio: {
        input: { format: { type: "audio/pcm", rate: 24000 } },
        output: { format: { type: "audio/pcm", rate: 24000 }, voice: "cedar" },
      },
    });
    await nextEvent((e) => e.type === "ready" && e.relaySessionId === id);

    // Microphone in.
    const pcm = Buffer.alloc(4800, 7).toString("base64");
    await client.request("talk.session.appendAudio", { sessionId: id, audioBase64: pcm });
    const appended = await socket.nextEvent((e) => e.type === "input_audio_buffer.append");
    expect(appended.audio).toBe(pcm);

    // The model's speech out, to this connection.
    const speech = Buffer.alloc(9600, 3).toString("base64");
    socket.send({ type: "response.output_audio.delta", response_id: "resp_1", item_id: "i1", delta: speech });
    expect(await nextEvent((e) => e.type === "audio")).toEqual({
      relaySessionId: id,
      type: "audio",
      audioBase64: speech,
    });
    socket.send({ type: "input_audio_buffer.speech_started", item_id: "i2" });
    await nextEvent((e) => e.type === "clear");

    // The caller's words, then the model's consult: the agent answers, the answer goes back.
    socket.send({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: "i2",
      transcript: "How is the weather in Lisbon?",
    });
    await nextEvent((e) => e.type === "transcript" && e.role === "user" && e.final === true);
    socket.send(functionCallDone("call_1", { question: "What is the weather in Lisbon?" }));
    const toolCall = await nextEvent((e) => e.type === "toolCall");
    expect(toolCall).toMatchObject({
      callId: "call_1",
      name: "openclaw_agent_consult",
      args: { question: "What is the weather in Lisbon?" },
    });
    const answer = (await client.request("talk.client.toolCall", {
      sessionKey: "main",
      voiceSessionId: id,
      callId: "call_1",
      name: "openclaw_agent_consult",
      args: toolCall.args,
    })) as { text: string };
    expect(answer.text).toBe("It is sunny in Lisbon.");
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.messages)).toContain(
      "What is the weather in Lisbon?",
    );
    await client.request("talk.session.submitToolResult", {
      sessionId: id,
      callId: "call_1",
      result: { text: answer.text },
    });
    const output = await socket.nextEvent((e) => e.type === "conversation.item.create");
    expect(output.item).toEqual({
      type: "function_call_output",
      call_id: "call_1",
      output: JSON.stringify({ text: "It is sunny in Lisbon." }),
    });
    await socket.nextEvent((e) => e.type === "response.create");
    // A result for a call the model did not make (or already answered) is refused.
    const again = await refusal(
      client.request("talk.session.submitToolResult", { sessionId: id, callId: "call_1", result: {} }),
    );
    expect((again as Error).message).toContain('no pending tool call "call_1"');

    socket.send({
      type: "response.output_audio_transcript.done",
      item_id: "i3",
      transcript: "Sunny, 24 degrees.",
    });
    await nextEvent((e) => e.type === "transcript" && e.role === "assistant" && e.final === true);
    // Both sides' speech joined the chat's history, server-side.
    await expect
      .poll(async () => JSON.stringify(await client.request("chat.history", { sessionKey: "main" })))
      .toContain("Sunny, 24 degrees.");
    const history = JSON.stringify(await client.request("chat.history", { sessionKey: "main" }));
    expect(history).toContain("How is the weather in Lisbon?");

    const steer = (await client.request("talk.session.steer", {
      sessionId: id,
      text: "are you done?",
      mode: "status",
    })) as {
      active: boolean;
    };
    expect(steer.active).toBe(false);

    await client.request("talk.session.close", { sessionId: id });
    await socket.closed;
    await nextEvent((e) => e.type === "close" && e.reason === "completed");
    const closed = await refusal(
      client.request("talk.session.appendAudio", { sessionId: id, audioBase64: pcm }),
    );
    expect((closed as Error).message).toContain("unknown or closed Talk session");
  }, 30_000);

  it("refuses an oversized audio chunk and a third call on one connection, with what to change", async () => {
    const { sessionId } = await create();
    await realtime.nextSocket();
    const big = Buffer.alloc(70_000).toString("base64");
    const tooBig = await refusal(client.request("talk.session.appendAudio", { sessionId, audioBase64: big }));
    expect((tooBig as Error).message).toContain("audio chunk of 70000 bytes is over the 65536-byte limit");

    await create();
    const third = await refusal(create());
    expect((third as Error).message).toContain("at most 2 relayed Talk sessions per connection");
    // Another connection has its own allowance.
    const other = await connect();
    await create(other);
    await other.close();
  }, 30_000);

  it("refuses audio while OpenAI is not reading it, instead of buffering without end", async () => {
    const { sessionId } = await create();
    const socket = await realtime.nextSocket();
    socket.stall();
    const chunk = Buffer.alloc(60_000).toString("base64");
    let refused: Error | undefined;
    for (let i = 0; i < 1_000 && !refused; i++) {
      await client
        .request("talk.session.appendAudio", { sessionId, audioBase64: chunk })
        .catch((e: Error) => {
          refused = e;
        });
    }
    expect(refused?.message).toContain("OpenAI Realtime is not keeping up");
  }, 60_000);

  it("ends a call at its time limit, and closes the vendor socket when the browser's closes", async () => {
    const { sessionId } = await create(client, { ttlMs: 1_000 });
    const first = await realtime.nextSocket();
    const error = await nextEvent((e) => e.type === "error" && e.relaySessionId === sessionId);
    expect(error.message).toBe("the call reached its time limit (1 s)");
    await nextEvent((e) => e.type === "close" && e.reason === "timeout");
    await first.closed;

    await create();
    const second = await realtime.nextSocket();
    await client.close();
    await second.closed;
  }, 30_000);

  it("a key OpenAI refuses fails the create with its status, never the key", async () => {
    await gateway.close();
    gateway = await startInProcessGateway({
      token: TOKEN,
      config: {
        models: { providers: { openai: { baseUrl: realtime.url } } },
        talk: {
          realtime: {
            provider: "openai",
            transport: "gateway-relay",
            providers: { openai: { apiKey: "bad-key-0123456789" } },
          },
        },
      },
    });
    client = await connect();
    const err = await refusal(create());
    expect((err as Error).message).toContain("OpenAI Realtime rejected the API key");
    expect((err as Error).message).not.toContain("bad-key");
  }, 30_000);
});
