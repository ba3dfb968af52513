import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGemini } from "../../test/fakes/gemini.js";
import { startFakeOpenAI } from "../../test/fakes/openai.js";
import type { FakeServer } from "../../test/fakes/server.js";
import { createLogger } from "../infra/logger.js";
import { type AudioConfigView, MAX_AUDIO_SECONDS, prepareInboundAudio } from "./audio.js";
import { AttachmentTooLargeError, type InboundAttachment, type InboundMessage } from "./types.js";

const FIXTURE = readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/audio/voice-note.wav"));
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
