import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeRealtime,
  functionCallDone,
  realtimeTalkConfig,
  startFakeRealtime,
} from "../fakes/openai-realtime.js";
import { FAKE_MICROPHONE, openNewChat, transcripts, useUiFixture } from "./harness.js";

/**
 * Talk over the gateway relay in Chromium (fake microphone): the page streams PCM through
 * `talk.session.appendAudio`, plays the model's audio from `talk.event`, answers its
 * consult through the agent, and never holds an OpenAI secret of any kind.
 */

const API_KEY = "sk-talk-relay-ui-server-key-0123456789";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const fixture = useUiFixture(
  (realtime: FakeRealtime) => realtimeTalkConfig(realtime, API_KEY, { transport: "gateway-relay" }),
  { chromiumArgs: FAKE_MICROPHONE, fake: startFakeRealtime },
);

/** Half a second of a 24 kHz tone, PCM16 little-endian, base64. */
function speech(): string {
  const pcm = Buffer.alloc(24_000);
  for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin(i / 8)), i * 2);
  return pcm.toString("base64");
}

type Append = { audio?: string };
const pcmOf = (e: Append) => Buffer.from(e.audio ?? "", "base64");

describe("Talk mode over the gateway relay", () => {
  it("streams the microphone through the gateway, answers the consult, plays speech and saves it", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    gateway.anthropic.setDefault({ text: "It is sunny in Lisbon." });
    const { context, page, problems, frames } = await openNewChat(browser, gateway);
    closers.push(() => context.close());

    await page.click("#chat-talk");
    const socket = await realtime.nextSocket();
    expect(socket.authorization).toBe(`Bearer ${API_KEY}`);
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    // The microphone as 24 kHz PCM16, 4096 samples a chunk; Chromium's fake one beeps between silences.
    const first = await socket.nextEvent((e) => e.type === "input_audio_buffer.append");
    expect(pcmOf(first as Append).length).toBe(8192);
    const sound = await socket.nextEvent(
      (e) => e.type === "input_audio_buffer.append" && pcmOf(e as Append).some((b) => b !== 0),
    );
    expect(pcmOf(sound as Append).length).toBe(8192);

    socket.send({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: "i1",
      transcript: "How is the weather in Lisbon today?",
    });
    socket.send(functionCallDone("call_1", { question: "What is the weather in Lisbon?" }));
    const output = await socket.nextEvent((e) => e.type === "conversation.item.create");
    expect(output.item).toEqual({
      type: "function_call_output",
      call_id: "call_1",
      output: JSON.stringify({ text: "It is sunny in Lisbon." }),
    });
    await socket.nextEvent((e) => e.type === "response.create");

    socket.send({ type: "response.output_audio.delta", response_id: "r2", item_id: "i2", delta: speech() });
    socket.send({
      type: "response.output_audio_transcript.done",
      item_id: "i2",
      transcript: "Sunny, 24 degrees.",
    });
    await expect.poll(() => transcripts(gateway.stateDir)).toContain("Sunny, 24 degrees.");
    expect(transcripts(gateway.stateDir)).toContain("How is the weather in Lisbon today?");
    await expect.poll(() => frames.some((f) => f.includes('"type":"audio"'))).toBe(true);

    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    await page.click("#chat-talk-stop");
    await socket.closed;
    await page.waitForSelector("#chat-talk");
    // No secret of any kind reached the page: no key, no client secret, no provider URL.
    expect(realtime.minted).toEqual([]);
    expect(frames.some((f) => f.includes(API_KEY) || f.includes("clientSecret"))).toBe(false);
    expect(problems).toEqual([]);
  }, 90_000);

  it("an error from OpenAI that ends the call is shown", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    const { context, page } = await openNewChat(browser, gateway);
    closers.push(() => context.close());
    await page.click("#chat-talk");
    const socket = await realtime.nextSocket();
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    socket.send({ type: "error", error: { type: "server_error", message: "The server had an error" } });
    socket.close(1011, "internal error");
    const error = await page.waitForSelector("#composer-error");
    expect(await error.textContent()).toContain("The server had an error");
    await page.waitForSelector("#chat-talk");
  }, 90_000);
});
