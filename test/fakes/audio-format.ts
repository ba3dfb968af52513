/**
 * What format an uploaded audio file really is, judged from its bytes as OpenAI's
 * transcription endpoint judges it (a name or content type does not count): the fake
 * OpenAI refuses anything outside OpenAI's list with OpenAI's own error sentence.
 */
export const OPENAI_AUDIO_FORMATS = [
  "flac",
  "m4a",
  "mp3",
  "mp4",
  "mpeg",
  "mpga",
  "oga",
  "ogg",
  "wav",
  "webm",
];

export type SniffedFormat = "flac" | "ogg" | "wav" | "webm" | "mp3" | "mp4" | "adts" | "unknown";

export function sniffAudio(data: Buffer): SniffedFormat {
  const ascii = (from: number, to: number) => data.subarray(from, to).toString("latin1");
  if (ascii(0, 4) === "fLaC") return "flac";
  if (ascii(0, 4) === "OggS") return "ogg";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WAVE") return "wav";
  if (data.readUInt32BE(0) === 0x1a45dfa3) return "webm";
  if (ascii(4, 8) === "ftyp") return mp4AudioTrack(data) ? "mp4" : "unknown";
  if (ascii(0, 3) === "ID3") return "mp3";
  // MPEG audio and ADTS share the 12 sync bits; ADTS has layer 00, MP3 layer 01.
  if (data[0] === 0xff && ((data[1] ?? 0) & 0xe0) === 0xe0) {
    return ((data[1] ?? 0) & 0x06) === 0 ? "adts" : "mp3";
  }
  return "unknown";
}

/** Boxes that only hold other boxes, on the way from `moov` to a track's sample description. */
const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl"]);

export interface Mp4Audio {
  brand: string;
  /** The sample entry of the sound track (`mp4a` for AAC). */
  codec: string;
  /** Bytes of `mdat` payload. */
  mediaBytes: number;
}

/**
 * Walks an ISO BMFF file: an `ftyp` first, a `moov` with a track whose handler is `soun`
 * and whose `stsd` has a sample entry, and an `mdat` with data. Undefined when any is missing.
 */
export function mp4AudioTrack(data: Buffer): Mp4Audio | undefined {
  if (data.subarray(4, 8).toString("latin1") !== "ftyp") return undefined;
  const brand = data.subarray(8, 12).toString("latin1");
  let sound = false;
  let codec: string | undefined;
  let mediaBytes = 0;
  const walk = (from: number, to: number): boolean => {
    let at = from;
    while (at + 8 <= to) {
      const size = data.readUInt32BE(at);
      const type = data.subarray(at + 4, at + 8).toString("latin1");
      if (size < 8 || at + size > to) return false;
      if (CONTAINERS.has(type) && !walk(at + 8, at + size)) return false;
      // hdlr: version/flags(4) pre_defined(4) handler_type(4)
      if (type === "hdlr" && data.subarray(at + 16, at + 20).toString("latin1") === "soun") sound = true;
      // stsd: version/flags(4) entry_count(4), then the first sample entry's size(4) and type(4)
      if (type === "stsd" && size >= 24) codec ??= data.subarray(at + 20, at + 24).toString("latin1");
      if (type === "mdat") mediaBytes += size - 8;
      at += size;
    }
    return at === to;
  };
  if (!walk(0, data.length) || !sound || !codec || mediaBytes === 0) return undefined;
  return { brand, codec, mediaBytes };
}
