/**
 * Raw AAC (ADTS, what Signal's phone apps record voice notes as) rewrapped as an M4A
 * (MP4) file, for transcription endpoints that take AAC only inside a container
 * (OpenAI's). No re-encoding: each ADTS frame's AAC payload becomes one MP4 sample,
 * muxed by Mediabunny. Loaded, with Mediabunny, only when such a note arrives
 * (transcribe.ts imports it dynamically). Named static imports let the bundler keep
 * only the MP4 muxer from Mediabunny (it has no side effects).
 */
import { BufferTarget, EncodedAudioPacketSource, EncodedPacket, Mp4OutputFormat, Output } from "mediabunny";

/** ADTS sampling_frequency_index → Hz (ISO/IEC 14496-3, table 1.18); 13-15 are reserved. */
const SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
/** AAC frames carry 1024 samples each (AAC-LC/HE in ADTS; the 960-sample variant is not used in ADTS). */
const SAMPLES_PER_FRAME = 1024;

export class AdtsError extends Error {
  override name = "AdtsError";
}

interface AdtsStream {
  /** MPEG-4 audio object type (2 = AAC-LC). */
  objectType: number;
  sampleRateIndex: number;
  channels: number;
  frames: Uint8Array[];
}

/** An ID3v2 tag some encoders put before the first frame: its length, or 0. */
function id3Length(data: Uint8Array): number {
  if (data.length < 10 || data[0] !== 0x49 || data[1] !== 0x44 || data[2] !== 0x33) return 0;
  // Syncsafe size: 7 bits per byte; +10 header, +10 footer when flagged.
  const size =
    ((data[6]! & 0x7f) << 21) | ((data[7]! & 0x7f) << 14) | ((data[8]! & 0x7f) << 7) | (data[9]! & 0x7f);
  return 10 + size + (data[5]! & 0x10 ? 10 : 0);
}

/** True when the bytes start with an ADTS frame header (after an optional ID3 tag). MP3 differs in its layer bits. */
export function looksLikeAdts(data: Uint8Array): boolean {
  const at = id3Length(data);
  return data.length >= at + 7 && data[at] === 0xff && (data[at + 1]! & 0xf6) === 0xf0;
}

/** Splits an ADTS stream into raw AAC frames; every frame must share the first one's format. */
export function parseAdts(data: Uint8Array): AdtsStream {
  let at = id3Length(data);
  let stream: AdtsStream | undefined;
  while (at < data.length) {
    if (data.length - at < 7 || data[at] !== 0xff || (data[at + 1]! & 0xf6) !== 0xf0) {
      throw new AdtsError(`the AAC file has no ADTS frame at byte ${at}`);
    }
    const b1 = data[at + 1]!;
    const b2 = data[at + 2]!;
    const b3 = data[at + 3]!;
    const headerLength = b1 & 0x01 ? 7 : 9; // protection_absent = 0: a 2-byte CRC follows
    const objectType = (b2 >> 6) + 1;
    const sampleRateIndex = (b2 >> 2) & 0x0f;
    const channels = ((b2 & 0x01) << 2) | (b3 >> 6);
    const frameLength = ((b3 & 0x03) << 11) | (data[at + 4]! << 3) | (data[at + 5]! >> 5);
    const rawBlocks = (data[at + 6]! & 0x03) + 1;
    if (sampleRateIndex >= SAMPLE_RATES.length)
      throw new AdtsError("the AAC file has a reserved sample rate");
    if (channels === 0)
      throw new AdtsError("the AAC file sets its channels in-band (channel configuration 0)");
    if (rawBlocks !== 1) throw new AdtsError("the AAC file packs several raw blocks per ADTS frame");
    if (frameLength <= headerLength || at + frameLength > data.length) {
      throw new AdtsError(`the AAC file is cut off or damaged at byte ${at}`);
    }
    stream ??= { objectType, sampleRateIndex, channels, frames: [] };
    if (
      stream.objectType !== objectType ||
      stream.sampleRateIndex !== sampleRateIndex ||
      stream.channels !== channels
    ) {
      throw new AdtsError("the AAC file changes format midway");
    }
    stream.frames.push(data.subarray(at + headerLength, at + frameLength));
    at += frameLength;
  }
  if (!stream) throw new AdtsError("the AAC file has no audio frames");
  return stream;
}

/** MPEG-4 AudioSpecificConfig (2 bytes): object type, sampling frequency index, channel configuration. */
function audioSpecificConfig(s: AdtsStream): Uint8Array {
  const bits = (s.objectType << 11) | (s.sampleRateIndex << 7) | (s.channels << 3);
  return Uint8Array.of(bits >> 8, bits & 0xff);
}

/** The same AAC audio in an MP4 audio file (`ftyp`, `moov` with one `mp4a` track, `mdat`), what an .m4a is. */
export async function adtsToM4a(data: Uint8Array): Promise<Buffer> {
  const stream = parseAdts(data);
  const sampleRate = SAMPLE_RATES[stream.sampleRateIndex]!;
  const target = new BufferTarget();
  // fastStart in memory: moov before mdat, as a phone-made M4A has it (the file is at most 20 MB).
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: "in-memory" }), target });
  const source = new EncodedAudioPacketSource("aac");
  output.addAudioTrack(source);
  await output.start();
  const frameSeconds = SAMPLES_PER_FRAME / sampleRate;
  for (const [i, frame] of stream.frames.entries()) {
    const packet = new EncodedPacket(frame, "key", i * frameSeconds, frameSeconds);
    await source.add(
      packet,
      i === 0
        ? {
            decoderConfig: {
              codec: `mp4a.40.${stream.objectType}`,
              numberOfChannels: stream.channels,
              sampleRate,
              description: audioSpecificConfig(stream),
            },
          }
        : undefined,
    );
  }
  await output.finalize();
  return Buffer.from(target.buffer!);
}
