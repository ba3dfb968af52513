import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mp4AudioTrack } from "../../../test/fakes/audio-format.js";
import { AdtsError, adtsToM4a, looksLikeAdts, parseAdts } from "./adts-to-m4a.js";

const NOTE = readFileSync(
  path.resolve(import.meta.dirname, "../../../test/fixtures/audio/signal-voice-note.aac"),
);

describe("ADTS frames", () => {
  it("are read from a real ADTS file: AAC-LC, 44.1 kHz, mono, 1024 samples a frame", () => {
    const s = parseAdts(NOTE);
    expect(s).toMatchObject({ objectType: 2, sampleRateIndex: 4, channels: 1 });
    // 2 s of audio at 44100 Hz is 86.1 frames, plus the encoder's priming frames.
    expect(s.frames.length).toBeGreaterThanOrEqual(87);
    expect(s.frames.reduce((n, f) => n + f.length + 7, 0)).toBe(NOTE.length);
  });

  it("tell ADTS from MP3 (same sync bits, different layer) and skip a leading ID3 tag", () => {
    expect(looksLikeAdts(NOTE)).toBe(true);
    expect(looksLikeAdts(Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]))).toBe(false);
    const id3 = Buffer.concat([
      Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x05", "latin1"),
      Buffer.alloc(5),
      NOTE,
    ]);
    expect(looksLikeAdts(id3)).toBe(true);
    expect(parseAdts(id3).frames.length).toBe(parseAdts(NOTE).frames.length);
  });

  it("refuse a damaged stream, a stream that changes format, and bytes that are not ADTS", () => {
    expect(() => parseAdts(NOTE.subarray(0, NOTE.length - 3))).toThrow(/cut off or damaged/);
    const changed = Buffer.from(NOTE);
    const second = parseAdts(NOTE).frames[0]!.length + 7;
    changed[second + 2] = (changed[second + 2]! & ~0x3c) | (3 << 2); // 48 kHz from frame 2 on
    expect(() => parseAdts(changed)).toThrow(/changes format midway/);
    expect(() => parseAdts(Buffer.from("OggS not aac"))).toThrow(AdtsError);
  });

  it("become an MP4 audio file whose one track holds the same frames", async () => {
    const m4a = await adtsToM4a(NOTE);
    expect(mp4AudioTrack(m4a)).toMatchObject({
      codec: "mp4a",
      mediaBytes: NOTE.length - 7 * parseAdts(NOTE).frames.length,
    });
  });
});
