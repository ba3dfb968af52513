/**
 * Speech to text for voice notes and audio files from chat apps, with the user's own
 * OpenAI or Gemini key and OpenClaw's `tools.media` keys. Loaded (with the SDKs) only
 * when an audio attachment arrives: channels/audio.ts imports it dynamically.
 */
import type { MediaSettings } from "../../config/schema/media.js";
import { BUILTIN_PROVIDERS } from "../../providers/catalog.js";

/** The providers that transcribe here, in OpenClaw's auto-detect order (OpenAI before Google). */
export const TRANSCRIPTION_PROVIDERS = ["openai", "google"] as const;
type TranscriptionProvider = (typeof TRANSCRIPTION_PROVIDERS)[number];

/** OpenClaw's default models: its OpenAI default; a current Gemini Flash (audio input, cheap). */
const DEFAULT_MODELS: Record<TranscriptionProvider, string> = {
  openai: "gpt-4o-transcribe",
  google: "gemini-2.5-flash",
};
/** OpenClaw's built-in audio cap (OpenAI takes 25 MB; Gemini inline data 20 MB per request). */
export const DEFAULT_AUDIO_MAX_BYTES = 20 * 1024 * 1024;
/** OpenClaw's default for audio: a minute is plenty for a voice note of a few minutes. */
const DEFAULT_TIMEOUT_SECONDS = 60;
/** What Gemini is asked (OpenAI's endpoint transcribes without a prompt). */
const GEMINI_PROMPT = "Transcribe this audio verbatim. Reply with the transcript only, no commentary.";

export interface Transcriber {
  provider: TranscriptionProvider;
  model: string;
  apiKey: string;
  baseUrl: string;
  maxBytes: number;
  timeoutMs: number;
  language?: string;
  prompt?: string;
  maxChars?: number;
}

export interface TranscriptionConfigView {
  tools?: { media?: MediaSettings };
  models?: { providers?: Record<string, { baseUrl?: string }> };
}

/** A provider's API key (auth profile, env or config), as the model registry finds it; undefined if none. */
export type KeyLookup = (provider: string) => string | undefined;

/**
 * The transcribers to try, in order: `tools.media.models` entries for audio
 * (`preferredModel` first), else every provider with a key in OpenClaw's order. Entries
 * without a key, CLI entries and other providers are skipped. Empty: none configured.
 */
export function resolveTranscribers(config: TranscriptionConfigView, keyOf: KeyLookup): Transcriber[] {
  const media = config.tools?.media ?? {};
  const audio = media.audio ?? {};
  const entries = (media.models ?? []).filter(
    (m) => (m.type ?? "provider") === "provider" && (m.capabilities ?? ["audio"]).includes("audio"),
  );
  const wanted = entries.length > 0 ? entries : TRANSCRIPTION_PROVIDERS.map((provider) => ({ provider }));
  const out: Transcriber[] = [];
  for (const entry of wanted) {
    const provider = entry.provider as TranscriptionProvider;
    if (!TRANSCRIPTION_PROVIDERS.includes(provider)) continue;
    const apiKey = keyOf(provider);
    if (!apiKey) continue;
    const e = entry as NonNullable<MediaSettings["models"]>[number];
    const language = e.language ?? audio.language;
    const prompt = e.prompt ?? audio.prompt;
    const maxChars = e.maxChars ?? audio.maxChars;
    out.push({
      provider,
      model: e.model ?? DEFAULT_MODELS[provider],
      apiKey,
      baseUrl:
        e.baseUrl ?? config.models?.providers?.[provider]?.baseUrl ?? BUILTIN_PROVIDERS[provider]!.baseUrl,
      maxBytes: e.maxBytes ?? audio.maxBytes ?? DEFAULT_AUDIO_MAX_BYTES,
      timeoutMs: (e.timeoutSeconds ?? audio.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      ...(language ? { language } : {}),
      ...(prompt ? { prompt } : {}),
      ...(maxChars ? { maxChars } : {}),
    });
  }
  const preferred = audio.preferredModel;
  if (!preferred) return out;
  const isPreferred = (t: Transcriber) => preferred === `${t.provider}/${t.model}` || preferred === t.model;
  return [...out.filter(isPreferred), ...out.filter((t) => !isPreferred(t))];
}

export interface AudioInput {
  data: Buffer;
  mimeType: string;
  name: string;
}

export interface Transcript {
  text: string;
  provider: string;
  model: string;
}

/**
 * Transcribes with the first transcriber that succeeds (a failure or a file over its
 * `maxBytes` moves on to the next, as in OpenClaw). Throws with every attempt's reason,
 * which names providers and HTTP statuses, never a key.
 */
export async function transcribe(
  transcribers: readonly Transcriber[],
  audio: AudioInput,
  signal: AbortSignal,
): Promise<Transcript> {
  const reasons: string[] = [];
  for (const t of transcribers) {
    if (audio.data.length > t.maxBytes) {
      reasons.push(`${t.provider}: file over its ${t.maxBytes}-byte limit`);
      continue;
    }
    const both = AbortSignal.any([signal, AbortSignal.timeout(t.timeoutMs)]);
    try {
      const raw = t.provider === "openai" ? await viaOpenAI(t, audio, both) : await viaGemini(t, audio, both);
      const text = raw.trim();
      return { text: t.maxChars ? text.slice(0, t.maxChars) : text, provider: t.provider, model: t.model };
    } catch (err) {
      if (signal.aborted) throw err;
      reasons.push(`${t.provider}: ${reasonOf(err)}`);
    }
  }
  throw new Error(reasons.join("; ") || "no transcription provider");
}

/** The SDKs' errors carry a status; their messages may quote a response body, so only the status is kept. */
function reasonOf(err: unknown): string {
  // Our own sentence about the file (no body, no key): shown as is.
  if ((err as Error).name === "AdtsError") return (err as Error).message;
  const status = (err as { status?: number; code?: number }).status ?? (err as { code?: unknown }).code;
  if (typeof status === "number") return `HTTP ${status}`;
  if ((err as Error).name === "TimeoutError" || (err as Error).name === "AbortError") return "timed out";
  return (err as Error).name || "failed";
}

/**
 * OpenAI's endpoint takes flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav and webm, and
 * checks the bytes, not the name: raw AAC (ADTS, Signal's voice notes) is refused even
 * when called .m4a. Such a file is rewrapped as M4A first (no re-encoding); the
 * rewrapping code and its muxer load only when one arrives.
 */
async function forOpenAI(audio: AudioInput): Promise<AudioInput> {
  const { looksLikeAdts, adtsToM4a } = await import("./adts-to-m4a.js");
  if (!looksLikeAdts(audio.data)) return audio;
  const base = audio.name.replace(/\.[^./]*$/, "") || "audio";
  return { data: await adtsToM4a(audio.data), mimeType: "audio/mp4", name: `${base}.m4a` };
}

/** Cheap check before loading anything: ADTS sync bits, or an ID3 tag that may precede them. */
const mayBeAdts = (data: Buffer) =>
  (data[0] === 0xff && ((data[1] ?? 0) & 0xf6) === 0xf0) || data.subarray(0, 3).toString("latin1") === "ID3";

async function viaOpenAI(t: Transcriber, input: AudioInput, signal: AbortSignal): Promise<string> {
  const audio = mayBeAdts(input.data) ? await forOpenAI(input) : input;
  const { default: OpenAI, toFile } = await import("openai");
  // One attempt per provider: the next provider is the retry.
  const client = new OpenAI({ apiKey: t.apiKey, baseURL: t.baseUrl, maxRetries: 0, logLevel: "off" });
  const result = await client.audio.transcriptions.create(
    {
      file: await toFile(audio.data, audio.name, { type: audio.mimeType }),
      model: t.model,
      ...(t.language ? { language: t.language } : {}),
      ...(t.prompt ? { prompt: t.prompt } : {}),
    },
    { signal },
  );
  return result.text;
}

async function viaGemini(t: Transcriber, audio: AudioInput, signal: AbortSignal): Promise<string> {
  const { GoogleGenAI } = await import("@google/genai/web");
  const match = /^(.*?)\/(v\d+(?:alpha|beta)?\d*)\/?$/.exec(t.baseUrl);
  const client = new GoogleGenAI({
    apiKey: t.apiKey,
    httpOptions: match ? { baseUrl: match[1]!, apiVersion: match[2]! } : { baseUrl: t.baseUrl },
  });
  const hints = [t.prompt, t.language ? `The audio is in language "${t.language}".` : undefined];
  const response = await client.models.generateContent({
    model: t.model,
    contents: [
      {
        role: "user",
        parts: [
          { inlineData: { mimeType: audio.mimeType, data: audio.data.toString("base64") } },
          { text: [GEMINI_PROMPT, ...hints.filter(Boolean)].join(" ") },
        ],
      },
    ],
    config: { abortSignal: signal },
  });
  return response.text ?? "";
}
