import { afterEach, describe, expect, it } from "vitest";
import { type FakeGoogleLive, startFakeGoogleLive } from "../fakes/google-live.js";
import {
  connectWithToken,
  FAKE_MICROPHONE,
  openNewChat,
  openPage,
  transcripts,
  useUiFixture,
} from "./harness.js";

const GEMINI_KEY = "AIzaSy-talk-ui-server-key-0123456789";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const fixture = useUiFixture(
  (live: FakeGoogleLive) => ({
    models: { providers: { google: { baseUrl: live.url } } },
    talk: { realtime: { provider: "google", providers: { google: { apiKey: GEMINI_KEY } } } },
  }),
  { chromiumArgs: FAKE_MICROPHONE, fake: startFakeGoogleLive },
);

/** Half a second of a 24 kHz tone, PCM16 little-endian, base64 (what Live sends as speech). */
function speech(): string {
  const pcm = Buffer.alloc(24_000);
  for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin(i / 8)), i * 2);
  return pcm.toString("base64");
}

describe("Talk mode over Google Live", () => {
  it("streams the microphone, answers the model's consult through the agent, plays speech and saves it", async () => {
    const { browser, gateway, fake: live } = await fixture();
    gateway.anthropic.setDefault({ text: "It is sunny in Lisbon." });
    const { context, page, problems, frames } = await openNewChat(browser, gateway);
    closers.push(() => context.close());

    await page.click("#chat-talk");
    const session = await live.nextSession();
    await session.ready;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    // The gateway's first message, then the microphone as 16 kHz PCM16.
    expect(session.received[0]).toEqual({
      setup: {
        model: "models/gemini-3.1-flash-live-preview",
        generationConfig: { responseModalities: ["AUDIO"] },
        inputAudioTranscription: {},
        outputAudioTranscription: {},
      },
    });
    const audio = (await session.nextMessage((m) => !!m.realtimeInput)).realtimeInput as {
      audio: { data: string; mimeType: string };
    };
    expect(audio.audio.mimeType).toBe("audio/pcm;rate=16000");
    const pcm = Buffer.from(audio.audio.data, "base64");
    expect(pcm.length).toBe(8192);
    // Chromium's fake microphone beeps with silence between: some frame (not the first) holds sound.
    type Chunk = { realtimeInput?: { audio?: { data: string } } };
    const pcmOf = (m: Chunk) => Buffer.from(m.realtimeInput?.audio?.data ?? "", "base64");
    const sound = await session.nextMessage((m) => pcmOf(m as Chunk).some((b) => b !== 0));
    expect(pcmOf(sound as Chunk).length).toBe(8192);

    // The caller's speech in pieces, then the model asks the agent.
    session.send({ serverContent: { inputTranscription: { text: "Hey, how is the weather" } } });
    session.send({ serverContent: { inputTranscription: { text: " in Lisbon today?", finished: true } } });
    session.send({
      toolCall: {
        functionCalls: [
          {
            id: "fc_1",
            name: "openclaw_agent_consult",
            args: { question: "What is the weather in Lisbon?" },
          },
        ],
      },
    });
    const answered = await session.nextMessage((m) => !!m.toolResponse);
    expect(answered.toolResponse).toEqual({
      functionResponses: [
        { id: "fc_1", name: "openclaw_agent_consult", response: { text: "It is sunny in Lisbon." } },
      ],
    });
    expect(JSON.stringify(gateway.anthropic.requests.at(-1)!.body.messages)).toContain(
      "What is the weather in Lisbon?",
    );

    // The spoken answer: audio played, its transcript saved when the turn completes.
    session.send({
      serverContent: {
        modelTurn: { parts: [{ inlineData: { mimeType: "audio/pcm;rate=24000", data: speech() } }] },
      },
    });
    session.send({ serverContent: { outputTranscription: { text: "Sunny, " } } });
    session.send({ serverContent: { outputTranscription: { text: "24 degrees." }, turnComplete: true } });
    await expect.poll(() => transcripts(gateway.stateDir)).toContain("Sunny, 24 degrees.");
    const saved = transcripts(gateway.stateDir);
    expect(saved).toContain("Hey, how is the weather in Lisbon today?");

    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    await page.click("#chat-talk-stop");
    await session.closed;
    await page.waitForSelector("#chat-talk");

    // The page got the one-use token, never the key.
    const minted = live.minted.at(-1)!;
    expect(minted.apiKey).toBe(GEMINI_KEY);
    expect(frames.some((f) => f.includes(minted.name))).toBe(true);
    expect(frames.some((f) => f.includes(GEMINI_KEY))).toBe(false);
    expect(problems).toEqual([]);
  }, 90_000);

  it("Video Talk: the camera sends Google one JPEG a second, previews it, and stops with the call", async () => {
    const { browser, gateway, fake: live } = await fixture();
    const { context, page, frames } = await openNewChat(browser, gateway);
    closers.push(() => context.close());
    await page.click("#chat-talk");
    const session = await live.nextSession();
    await session.ready;
    await page.click('#chat-talk-camera[aria-pressed="false"]');
    await page.waitForSelector('#chat-talk-camera[aria-pressed="true"]');
    // Polled from outside the page: waitForFunction compiles its string in the page, which the CSP refuses.
    await expect
      .poll(() => page.evaluate('document.querySelector(".talk-preview")?.videoWidth'))
      .toBeGreaterThan(0);

    type Frame = { realtimeInput?: { video?: { data: string; mimeType: string } } };
    const isFrame = (m: unknown) => !!(m as Frame).realtimeInput?.video;
    const first = (await session.nextMessage(isFrame)) as Frame;
    expect(first.realtimeInput!.video!.mimeType).toBe("image/jpeg");
    const jpeg = Buffer.from(first.realtimeInput!.video!.data, "base64");
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    // At most one a second: consecutive frames arrive a second or more apart (less a timer's jitter).
    const frameTimes = () => session.receivedAt.filter((_, i) => isFrame(session.received[i]));
    await expect.poll(() => frameTimes().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const times = frameTimes();
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((times.length - 1) * 1000 - 150);
    // The frames went straight to Google, never through the gateway.
    expect(frames.some((f) => f.includes(first.realtimeInput!.video!.data.slice(0, 64)))).toBe(false);

    // describe_view, declared in the token's locked setup, is answered by the page: the camera is on.
    const declared = JSON.stringify(live.minted.at(-1)!.body.bidiGenerateContentSetup);
    expect(declared).toContain('"describe_view"');
    const describe = async (id: string) => {
      session.send({ toolCall: { functionCalls: [{ id, name: "describe_view", args: {} }] } });
      type Answer = { toolResponse?: { functionResponses: { id: string; response: unknown }[] } };
      const answer = (await session.nextMessage(
        (m) => (m as Answer).toolResponse?.functionResponses[0]?.id === id,
      )) as Answer;
      return answer.toolResponse!.functionResponses[0]!.response;
    };
    expect(await describe("view_1")).toEqual({ ok: true, cameraStreamActive: true });

    // The camera off: its tracks stop, the call goes on; on again, then the call's end stops it.
    const keepStream = () =>
      page.evaluate('window.camera = document.querySelector(".talk-preview").srcObject');
    const cameraActive = () => page.evaluate("window.camera.active");
    await keepStream();
    await page.click('#chat-talk-camera[aria-pressed="true"]');
    await page.waitForSelector('#chat-talk-camera[aria-pressed="false"]');
    expect(await page.$(".talk-preview")).toBeNull();
    expect(await cameraActive()).toBe(false);
    expect(await describe("view_2")).toEqual({ ok: false, error: "camera is off" });
    await page.click("#chat-talk-camera");
    await page.waitForSelector(".talk-preview");
    await keepStream();
    await page.click("#chat-talk-stop");
    await session.closed;
    await page.waitForSelector("#chat-talk");
    expect(await page.$(".talk-preview")).toBeNull();
    expect(await cameraActive()).toBe(false);
  }, 90_000);

  it("a socket the provider closes ends the call with its reason", async () => {
    const { browser, gateway, fake: live } = await fixture();
    const { context, page } = await openPage(browser, gateway.url);
    closers.push(() => context.close());
    await connectWithToken(page);
    await page.waitForSelector("#chat-input");
    await page.click("#chat-talk");
    const session = await live.nextSession();
    await session.ready;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    session.send({ goAway: { timeLeft: "0s" } });
    session.close(1011, "Session time limit reached");
    const error = await page.waitForSelector("#composer-error");
    expect(await error.textContent()).toContain("Session time limit reached");
    await page.waitForSelector("#chat-talk");
  }, 90_000);
});
