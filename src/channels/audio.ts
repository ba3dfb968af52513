/**
 * Voice notes and audio files from chat apps: transcribed before the agent sees the
 * message (OpenClaw's `[Audio]` block), or answered with a sentence saying why not.
 * The transcription code and SDKs load only when an audio attachment arrives.
 */
import type { MediaSettings } from "../config/schema/media.js";
import type { Logger } from "../infra/logger.js";
import { AttachmentTooLargeError, type InboundAttachment, type InboundMessage } from "./types.js";

/**
 * Longest recording transcribed. Ten minutes is far beyond a usual voice note, keeps a
 * transcript inside the model's context, and caps what one message can cost (OpenAI
 * bills per minute). Longer ones are refused before any download.
 */
export const MAX_AUDIO_SECONDS = 10 * 60;
/** A 20 MB file over a slow mobile-grade link still arrives in a minute; a stuck download does not hold the chat longer. */
const AUDIO_DOWNLOAD_TIMEOUT_MS = 60_000;
/** OpenClaw's floor: a file under 1 KB is an empty or broken recording, not worth a request. */
export const MIN_AUDIO_BYTES = 1024;

export interface AudioConfigView {
  tools?: { media?: MediaSettings };
  models?: { providers?: Record<string, { baseUrl?: string }> };
}

export interface AudioDeps {
  config: AudioConfigView;
  /** A provider's API key, from the model registry (auth profiles, env, config). */
  keyOf(provider: string): string | undefined;
  log: Logger;
  signal?: AbortSignal;
}

export type AudioOutcome =
  /** No audio, or transcription is off: the message goes on as it is. */
  | { kind: "none" }
  /** The message text with the transcript block; the audio attachment is consumed. */
  | { kind: "transcribed"; text: string; attachment: InboundAttachment }
  /** Tell the sender `reply`; pass `text` (their caption, with a note) on if they wrote one. */
  | { kind: "refused"; reply: string; text?: string; attachment: InboundAttachment };

const isAudio = (a: InboundAttachment) => a.voice === true || /^audio\//i.test(a.contentType ?? "");

/** "a voice note", "an audio file". */
const withArticle = (what: string) => `${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}`;

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** Transcribes the message's first audio attachment, or says why it cannot. */
export async function prepareInboundAudio(msg: InboundMessage, deps: AudioDeps): Promise<AudioOutcome> {
  const audio = msg.attachments.find(isAudio);
  const settings = deps.config.tools?.media?.audio;
  if (!audio || settings?.enabled === false) return { kind: "none" };
  const what = audio.voice ? "voice note" : "audio file";
  const refuse = (reply: string): AudioOutcome => ({
    kind: "refused",
    reply,
    attachment: audio,
    ...(msg.text.trim()
      ? { text: `${msg.text}\n\n[${withArticle(what)} came with this message; it was not transcribed]` }
      : {}),
  });
  if ((audio.durationSeconds ?? 0) > MAX_AUDIO_SECONDS) {
    return refuse(
      `That ${what} is ${Math.round(audio.durationSeconds!)} s long; I transcribe up to ${MAX_AUDIO_SECONDS / 60} minutes. Please send a shorter one or type your message.`,
    );
  }
  const { resolveTranscribers, transcribe } = await import("../agents/media/transcribe.js");
  const transcribers = resolveTranscribers(deps.config, deps.keyOf);
  if (transcribers.length === 0) {
    return refuse(
      `I got your ${what} but cannot listen to it: no transcription provider is set up. The owner can set OPENAI_API_KEY or GEMINI_API_KEY (or add an audio model to tools.media.models); until then, please type your message.`,
    );
  }
  const maxBytes = Math.max(...transcribers.map((t) => t.maxBytes));
  const tooBig = () =>
    refuse(
      `That ${what} is too large to transcribe (the limit is ${mb(maxBytes)}, tools.media.audio.maxBytes). Please send a shorter one.`,
    );
  if (audio.size > maxBytes) return tooBig();
  if (!audio.read) return refuse(`I cannot download ${what}s from ${msg.channel}; please type your message.`);
  let data: Buffer;
  try {
    data = await audio.read(maxBytes, deps.signal ?? AbortSignal.timeout(AUDIO_DOWNLOAD_TIMEOUT_MS));
  } catch (err) {
    if (err instanceof AttachmentTooLargeError) return tooBig();
    deps.log.warn(`could not download ${msg.channel} ${what} ${audio.name}: ${(err as Error).message}`);
    return refuse(`I could not download that ${what}; please try again or type your message.`);
  }
  if (data.length < MIN_AUDIO_BYTES) return refuse(`That ${what} seems to be empty; please record it again.`);
  try {
    const mimeType = audio.contentType ?? "audio/ogg";
    const result = await transcribe(
      transcribers,
      { data, mimeType, name: audio.name },
      deps.signal ?? new AbortController().signal,
    );
    deps.log.info(
      `transcribed a ${msg.channel} ${what} (${data.length} bytes) with ${result.provider}/${result.model}`,
    );
    return { kind: "transcribed", text: audioBlock(msg.text, result.text, what), attachment: audio };
  } catch (err) {
    deps.log.warn(`transcribing a ${msg.channel} ${what} failed: ${(err as Error).message}`);
    return refuse(
      `I could not transcribe that ${what} (${(err as Error).message}); please try again or type your message.`,
    );
  }
}

/** OpenClaw's `[Audio]` block: caption as `User text:`, then the transcript, with where it came from. */
export function audioBlock(caption: string, transcript: string, what: string): string {
  const lines = [
    `[Audio] The user sent ${withArticle(what)}; this is its automatic transcript (speech to text, may contain errors).`,
  ];
  if (caption.trim()) lines.push("User text:", caption.trim());
  lines.push("Transcript:", transcript || "(no speech recognized)");
  return lines.join("\n");
}
