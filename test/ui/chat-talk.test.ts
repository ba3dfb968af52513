import type { Browser } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeRealtime,
  functionCallDone,
  realtimeTalkConfig,
  startFakeRealtime,
} from "../fakes/openai-realtime.js";
import {
  FAKE_MICROPHONE,
  openNewChat,
  startUiGateway,
  transcripts,
  type UiGateway,
  useUiFixture,
} from "./harness.js";

const API_KEY = "sk-talk-ui-server-key-0123456789";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const fixture = useUiFixture((realtime: FakeRealtime) => realtimeTalkConfig(realtime, API_KEY), {
  chromiumArgs: FAKE_MICROPHONE,
  fake: startFakeRealtime,
});

async function openChat(browser: Browser, gateway: UiGateway) {
  const opened = await openNewChat(browser, gateway);
  closers.push(() => opened.context.close());
  return opened;
}

describe("Talk mode", () => {
  it("connects over WebRTC, answers the realtime model's consult through the agent, and saves the speech", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    gateway.anthropic.setDefault({ text: "It is sunny in Lisbon." });
    const { page, problems, frames } = await openChat(browser, gateway);

    await page.click("#chat-talk");
    const peer = await realtime.nextPeer();
    await peer.opened;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    expect(await page.textContent("#chat-talk-stop")).toContain("Listening");

    // The fake model heard a question and asks the agent.
    peer.send({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: "item_u1",
      transcript: "Hey, how is the weather in Lisbon today?",
    });
    peer.send(functionCallDone("call_1", { question: "What is the weather in Lisbon?" }));
    const output = await peer.nextEvent((e) => e.type === "conversation.item.create");
    expect(output.item).toMatchObject({ type: "function_call_output", call_id: "call_1" });
    expect(JSON.parse((output.item as { output: string }).output)).toEqual({
      text: "It is sunny in Lisbon.",
    });
    await peer.nextEvent((e) => e.type === "response.create");
    const asked = JSON.stringify(gateway.anthropic.requests.at(-1)!.body.messages);
    expect(asked).toContain("What is the weather in Lisbon?");

    // The spoken answer's transcript, then Stop: the call ends and the button is back.
    peer.send({
      type: "response.output_audio_transcript.done",
      item_id: "item_a1",
      transcript: "Sunny, 24 degrees.",
    });
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    await page.click("#chat-talk-stop");
    await page.waitForSelector("#chat-talk");

    // The browser got the ephemeral secret and used it for the SDP offer; never the key.
    const minted = realtime.minted.at(-1)!;
    expect(minted.authorization).toBe(`Bearer ${API_KEY}`);
    expect(realtime.offers.at(-1)).toEqual({
      authorization: `Bearer ${minted.value}`,
      contentType: "application/sdp",
    });
    expect(frames.some((f) => f.includes(minted.value))).toBe(true);
    expect(frames.some((f) => f.includes(API_KEY))).toBe(false);

    // Both finalized utterances are saved in the session's transcript, after the consult turn.
    await expect.poll(() => transcripts(gateway.stateDir)).toContain("Sunny, 24 degrees.");
    const saved = transcripts(gateway.stateDir);
    expect(saved).toContain("Hey, how is the weather in Lisbon today?");
    expect(saved.indexOf("It is sunny in Lisbon.")).toBeLessThan(saved.indexOf("Sunny, 24 degrees."));
    expect(problems).toEqual([]);
  }, 90_000);

  it("Video Talk over WebRTC: describe_view gets one JPEG of the camera on the data channel, or 'camera is off'", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    const { page, problems, frames } = await openChat(browser, gateway);
    await page.click("#chat-talk");
    const peer = await realtime.nextPeer();
    await peer.opened;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    // The page asked for a camera-capable session: the minted one declares describe_view (OpenClaw's tool).
    const tools = (realtime.minted.at(-1)!.body.session as { tools: { name: string }[] }).tools;
    expect(tools.map((tool) => tool.name)).toEqual(["openclaw_agent_consult", "describe_view"]);

    const describe = async (callId: string) => {
      peer.send(functionCallDone(callId, {}, "describe_view"));
      const output = await peer.nextEvent(
        (e) => (e.item as { call_id?: string } | undefined)?.call_id === callId,
      );
      return JSON.parse((output.item as { output: string }).output);
    };
    // No camera yet: the model is told so, and no image is sent.
    expect(await describe("view_1")).toEqual({ ok: false, error: "camera is off" });

    await page.click('#chat-talk-camera[aria-pressed="false"]');
    await expect
      .poll(() => page.evaluate('document.querySelector(".talk-preview")?.videoWidth'))
      .toBeGreaterThan(0);
    expect(await describe("view_2")).toEqual({ ok: true, frameAttached: true });
    type ImageItem = { item: { type: string; role: string; content: { type: string; image_url: string }[] } };
    const image = (await peer.nextEvent(
      (e) => (e as unknown as ImageItem).item?.content?.[0]?.type === "input_image",
    )) as unknown as ImageItem;
    expect(image.item).toMatchObject({ type: "message", role: "user" });
    const url = image.item.content[0]!.image_url;
    expect(url.startsWith("data:image/jpeg;base64,")).toBe(true);
    const jpeg = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    // One event within a data-channel message (64 KiB); the image came before the function's output.
    expect(JSON.stringify(image).length).toBeLessThanOrEqual(65_536);
    const order = peer.received.map((e) =>
      e === (image as unknown) ? "image" : (e.item as { call_id?: string })?.call_id,
    );
    expect(order.indexOf("image")).toBeLessThan(order.indexOf("view_2"));
    // Straight to OpenAI: the frame never went through the gateway.
    expect(frames.some((f) => f.includes(url.slice(30, 94)))).toBe(false);
    // Only one image per describe_view: the camera is not streamed to OpenAI.
    expect(
      peer.received.filter((e) => (e as unknown as ImageItem).item?.content?.[0]?.type === "input_image"),
    ).toHaveLength(1);

    // The camera off again: so is the answer.
    await page.click('#chat-talk-camera[aria-pressed="true"]');
    await page.waitForSelector('#chat-talk-camera[aria-pressed="false"]');
    expect(await describe("view_3")).toEqual({ ok: false, error: "camera is off" });
    await page.click("#chat-talk-stop");
    await page.waitForSelector("#chat-talk");
    expect(problems).toEqual([]);
  }, 90_000);

  it("without a Talk provider the page says which keys to set", async () => {
    const { browser } = await fixture();
    const bare = await startUiGateway();
    closers.push(() => bare.close());
    const { page } = await openChat(browser, bare);
    await page.click("#chat-talk");
    const error = await page.waitForSelector("#composer-error");
    expect(await error.textContent()).toContain("talk.realtime.providers.openai.apiKey");
    await page.waitForSelector("#chat-talk");
  });
});
