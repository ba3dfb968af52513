import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mp4AudioTrack, sniffAudio } from "../../test/fakes/audio-format.js";
import { startFakeGemini } from "../../test/fakes/gemini.js";
import { startFakeOpenAI } from "../../test/fakes/openai.js";
import type { FakeServer } from "../../test/fakes/server.js";
import { parseAdts } from "../agents/media/adts-to-m4a.js";
import { createLogger } from "../infra/logger.js";
import { type AudioConfigView, MAX_AUDIO_SECONDS, prepareInboundAudio } from "./audio.js";
import { AttachmentTooLargeError, type InboundAttachment, type InboundMessage } from "./types.js";

const FIXTURE = readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/audio/voice-note.wav"));
/** A Signal voice note as the phone apps record it: raw AAC-LC in ADTS frames (see test/fixtures/audio/README.md). */
const AAC_NOTE = readFileSync(
  path.resolve(import.meta.dirname, "../../test/fixtures/audio/signal-voice-note.aac"),
);
const log = createLogger("audio-test");
let openai: FakeServer;
let gemini: FakeServer;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  gemini = await startFakeGemini();
});
afterAll(async () => {
  await openai.close();
  await gemini.close();
});

function voiceNote(extra: Partial<InboundAttachment> = {}): InboundAttachment {
  return {
    url: "telegram:file/abc",
    name: "voice-note.wav",
    contentType: "audio/wav",
    size: FIXTURE.length,
    voice: true,
    durationSeconds: 1,
    read: async (max) => {
      if (FIXTURE.length > max) throw new AttachmentTooLargeError(max);
      return FIXTURE;
    },
    ...extra,
  };
}
const message = (attachment: InboundAttachment, text = ""): InboundMessage => ({
  channel: "telegram",
  accountId: "default",
  messageId: "1",
  chatType: "direct",
  peer: { kind: "direct", id: "42" },
  sender: { id: "42", name: "Alice", isBot: false },
  text,
  mentionsBot: false,
  attachments: [attachment],
  timestamp: 0,
});
const keys: Record<string, string> = { openai: "sk-test-openai-audio", google: "gemini-test-key-123" };
const withKeys =
  (...providers: string[]) =>
  (p: string) =>
    providers.includes(p) ? keys[p] : undefined;
const config = (media: NonNullable<AudioConfigView["tools"]>["media"] = {}): AudioConfigView => ({
  tools: { media },
  models: {
    providers: { openai: { baseUrl: `${openai.url}/v1` }, google: { baseUrl: `${gemini.url}/v1beta` } },
  },
});

describe("voice notes", () => {
  it("are transcribed by OpenAI's /v1/audio/transcriptions with the user's key; the agent gets an [Audio] block", async () => {
    const out = await prepareInboundAudio(message(voiceNote(), "listen to this"), {
      config: config(),
      keyOf: withKeys("openai", "google"),
      log,
    });
    const req = openai.requests.at(-1)!;
    expect(req.path).toBe("/v1/audio/transcriptions");
    expect(req.headers.authorization).toBe(`Bearer ${keys.openai}`);
    const form = req.body.form as { model: string; file: { data: Buffer; contentType: string } };
    expect(form.model).toBe("gpt-4o-transcribe");
    // The fixture's bytes arrived whole.
    expect(Buffer.compare(form.file.data, FIXTURE)).toBe(0);
    expect(out).toMatchObject({ kind: "transcribed" });
    expect(out.kind === "transcribed" && out.text).toBe(
      [
        "[Audio] The user sent a voice note; this is its automatic transcript (speech to text, may contain errors).",
        "User text:",
        "listen to this",
        "Transcript:",
        `fake transcript of voice-note.wav (${FIXTURE.length} bytes, audio/wav) by gpt-4o-transcribe`,
      ].join("\n"),
    );
  });

  it("use Gemini when only a Google key is set, and tools.media.models / language when configured", async () => {
    const auto = await prepareInboundAudio(message(voiceNote()), {
      config: config(),
      keyOf: withKeys("google"),
      log,
    });
    expect(auto.kind === "transcribed" && auto.text).toContain(
      `fake transcript of audio/wav audio (${FIXTURE.length} bytes) by gemini-2.5-flash`,
    );
    const media = {
      models: [{ provider: "openai", model: "gpt-4o-mini-transcribe", capabilities: ["audio"] }],
      audio: { language: "de" },
    };
    const chosen = await prepareInboundAudio(message(voiceNote()), {
      config: config(media),
      keyOf: withKeys("openai", "google"),
      log,
    });
    expect(chosen.kind === "transcribed" && chosen.text).toContain("by gpt-4o-mini-transcribe");
    expect(openai.requests.at(-1)!.body.form).toMatchObject({
      model: "gpt-4o-mini-transcribe",
      language: "de",
    });
  });

  it("fall back to the next provider when one fails", async () => {
    openai.enqueue({ status: 500 });
    const out = await prepareInboundAudio(message(voiceNote()), {
      config: config(),
      keyOf: withKeys("openai", "google"),
      log,
    });
    expect(out.kind === "transcribed" && out.text).toContain("by gemini-2.5-flash");
  });

  it("without a transcription provider, the sender is told so (and nothing reaches the agent)", async () => {
    const before = openai.requests.length + gemini.requests.length;
    const out = await prepareInboundAudio(message(voiceNote()), { config: config(), keyOf: withKeys(), log });
    expect(out).toMatchObject({
      kind: "refused",
      reply: expect.stringContaining("no transcription provider is set up"),
    });
    expect(out).not.toHaveProperty("text");
    expect(openai.requests.length + gemini.requests.length).toBe(before);
    // A caption still reaches the agent, with a note.
    const captioned = await prepareInboundAudio(message(voiceNote(), "see audio"), {
      config: config(),
      keyOf: withKeys(),
      log,
    });
    expect(captioned).toMatchObject({
      kind: "refused",
      text: "see audio\n\n[a voice note came with this message; it was not transcribed]",
    });
  });

  it("over tools.media.audio.maxBytes or MAX_AUDIO_SECONDS are refused before any upload", async () => {
    const before = openai.requests.length;
    const small = config({ audio: { maxBytes: 4096 } });
    const declared = await prepareInboundAudio(message(voiceNote()), {
      config: small,
      keyOf: withKeys("openai"),
      log,
    });
    expect(declared).toMatchObject({
      kind: "refused",
      reply: expect.stringContaining("too large to transcribe"),
    });
    // An app that does not announce the size: the download stops at the limit.
    const unknown = await prepareInboundAudio(message(voiceNote({ size: 0 })), {
      config: small,
      keyOf: withKeys("openai"),
      log,
    });
    expect(unknown).toMatchObject({
      kind: "refused",
      reply: expect.stringContaining("too large to transcribe"),
    });
    const long = await prepareInboundAudio(message(voiceNote({ durationSeconds: MAX_AUDIO_SECONDS + 1 })), {
      config: config(),
      keyOf: withKeys("openai"),
      log,
    });
    expect(long).toMatchObject({ kind: "refused", reply: expect.stringContaining("up to 10 minutes") });
    expect(openai.requests.length).toBe(before);
  });

  it("are left alone when tools.media.audio.enabled is false", async () => {
    const out = await prepareInboundAudio(message(voiceNote()), {
      config: config({ audio: { enabled: false } }),
      keyOf: withKeys("openai"),
      log,
    });
    expect(out).toEqual({ kind: "none" });
  });
});

describe("Signal voice notes (raw AAC)", () => {
  const signalNote = (): InboundAttachment => ({
    url: "signal:attachment/note.aac",
    name: "note.aac",
    contentType: "audio/aac",
    size: AAC_NOTE.length,
    read: async () => AAC_NOTE,
  });
  const signalMessage = (attachment: InboundAttachment): InboundMessage => ({
    ...message(attachment),
    channel: "signal",
    peer: { kind: "direct", id: "+15550000002" },
    sender: { id: "+15550000002", name: "Alice", isBot: false },
  });

  it("the fake refuses raw AAC as api.openai.com does, whatever the file is called", async () => {
    expect(sniffAudio(AAC_NOTE)).toBe("adts");
    const form = new FormData();
    form.set("model", "gpt-4o-transcribe");
    form.set("file", new Blob([AAC_NOTE], { type: "audio/mp4" }), "note.m4a");
    const res = await fetch(`${openai.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.openai}` },
      body: form,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "Invalid file format. Supported formats:",
    );
  });

  it("reach OpenAI rewrapped as M4A (same AAC frames, no re-encoding), and the transcript reaches the agent", async () => {
    const out = await prepareInboundAudio(signalMessage(signalNote()), {
      config: config(),
      keyOf: withKeys("openai"),
      log,
    });
    const form = openai.requests.at(-1)!.body.form as {
      file: { name: string; contentType: string; size: number; data: Buffer };
    };
    expect(form.file).toMatchObject({ name: "note.m4a", contentType: "audio/mp4" });
    const mp4 = mp4AudioTrack(form.file.data);
    expect(mp4).toMatchObject({ brand: expect.any(String), codec: "mp4a" });
    // The mdat holds exactly the note's AAC frames, ADTS headers removed: a remux.
    const frames = Buffer.concat(parseAdts(AAC_NOTE).frames);
    expect(mp4!.mediaBytes).toBe(frames.length);
    expect(form.file.data.includes(frames)).toBe(true);
    expect(out.kind === "transcribed" && out.text).toContain(
      `Transcript:\nfake transcript of note.m4a (${form.file.size} bytes, audio/mp4) by gpt-4o-transcribe`,
    );
  });

  it("go to Gemini as they are (it takes audio/aac)", async () => {
    const out = await prepareInboundAudio(signalMessage(signalNote()), {
      config: config(),
      keyOf: withKeys("google"),
      log,
    });
    expect(out.kind === "transcribed" && out.text).toContain(
      `fake transcript of audio/aac audio (${AAC_NOTE.length} bytes) by gemini-2.5-flash`,
    );
  });

  it("a damaged AAC file is refused with a sentence saying so, before any upload", async () => {
    const before = openai.requests.length;
    const cut = AAC_NOTE.subarray(0, AAC_NOTE.length - 5);
    const out = await prepareInboundAudio(
      signalMessage({ ...signalNote(), size: cut.length, read: async () => cut }),
      { config: config(), keyOf: withKeys("openai"), log },
    );
    expect(out).toMatchObject({
      kind: "refused",
      reply: expect.stringContaining("(openai: the AAC file is cut off or damaged at byte"),
    });
    expect(openai.requests.length).toBe(before);
  });
});
