import { z } from "zod";
import { compatOnly, looseRecord, positiveInt } from "./common.js";
import { lazySchema } from "./lazy.js";

/**
 * `tools.web.search` (OpenClaw's keys). Provider settings (API key, base URL) live in
 * `plugins.entries.<provider>.config.webSearch`, read by agents/tools/web-search-run.ts.
 */
export const webSearchSchema = lazySchema("media.webSearchSchema", () =>
  z
    .looseObject({
      enabled: z
        .boolean()
        .optional()
        .describe("offer the web_search tool (default true once a provider is set up)"),
      provider: z
        .string()
        .min(1)
        .optional()
        .describe(
          'web_search provider: "brave" or "searxng" (omit: Brave when BRAVE_API_KEY or its config key is set, else SearXNG when a base URL is)',
        ),
      maxResults: z
        .number()
        .int()
        .min(1)
        .max(10)
        .optional()
        .describe("results per search when the model asks for no count (default 5)"),
      timeoutSeconds: positiveInt.optional().describe("longest a search request may take (default 30)"),
      cacheTtlMinutes: z
        .number()
        .min(0)
        .optional()
        .describe("how long identical searches are answered from memory (default 15; 0 turns the cache off)"),
      apiKey: z
        .string()
        .optional()
        .describe(
          "Brave key, where older OpenClaw configs keep it (now plugins.entries.brave.config.webSearch.apiKey)",
        ),
      openaiCodex: compatOnly(looseRecord.optional(), "OpenAI/Codex hosted native web search"),
    })
    .describe("the web_search tool"),
);

/** One `tools.media.models[]` entry: a provider model (CLI entries are OpenClaw's, not run here). */
const mediaModelEntry = lazySchema("media.mediaModelEntry", () =>
  z.looseObject({
    type: z
      .enum(["provider", "cli"])
      .optional()
      .describe('"provider" (default); "cli" entries are skipped here'),
    provider: z.string().min(1).optional().describe('transcription provider: "openai" or "google"'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe("the provider's model id (gpt-4o-transcribe, gemini-2.5-flash…)"),
    capabilities: z
      .array(z.string())
      .optional()
      .describe('what the entry is used for; "audio" for transcription'),
    baseUrl: z
      .string()
      .min(1)
      .optional()
      .describe("API base URL (else models.providers.<provider>.baseUrl, else the public API)"),
    prompt: z.string().optional().describe("hint sent with the audio (names, spelling)"),
    language: z.string().optional().describe("language of the audio, ISO 639-1 (unset: detected)"),
    maxBytes: positiveInt.optional().describe("largest audio file this entry takes"),
    maxChars: positiveInt.optional().describe("longest transcript kept"),
    timeoutSeconds: positiveInt.optional().describe("longest a transcription may take"),
    profile: compatOnly(z.string().optional(), "auth profile used for this entry"),
    command: compatOnly(z.string().optional(), "CLI transcriber command"),
    args: compatOnly(z.array(z.string()).optional(), "CLI transcriber arguments"),
  }),
);

const audioSchema = lazySchema("media.audioSchema", () =>
  z
    .looseObject({
      enabled: z
        .boolean()
        .optional()
        .describe("transcribe voice notes and audio files from chat apps (default true)"),
      preferredModel: z.string().optional().describe("entry to try first: provider/model or a model id"),
      prompt: z.string().optional().describe("hint sent with every audio file (names, spelling)"),
      language: z.string().optional().describe("language of the audio, ISO 639-1 (unset: detected)"),
      maxBytes: positiveInt.optional().describe("largest audio file transcribed (default 20 MB)"),
      maxChars: positiveInt.optional().describe("longest transcript kept (default: all of it)"),
      timeoutSeconds: positiveInt.optional().describe("longest a transcription may take (default 60)"),
      scope: compatOnly(looseRecord.optional(), "which chats get audio transcribed"),
      attachments: compatOnly(looseRecord.optional(), "which audio attachments are transcribed"),
      echoTranscript: compatOnly(z.boolean().optional(), "echo the transcript to the chat"),
      echoFormat: compatOnly(z.string().optional(), "format of the echoed transcript"),
    })
    .describe("voice notes and audio: transcription"),
);

export const mediaSchema = lazySchema("media.mediaSchema", () =>
  z
    .looseObject({
      models: z
        .array(mediaModelEntry())
        .optional()
        .describe('models for media understanding; entries with capability "audio" transcribe'),
      audio: audioSchema().optional(),
      image: compatOnly(looseRecord.optional(), "image understanding"),
      video: compatOnly(looseRecord.optional(), "video understanding"),
      concurrency: compatOnly(positiveInt.optional(), "media tasks run at once"),
    })
    .describe("media understanding: audio transcription (image and video: not yet)"),
);

export type WebSearchSettings = z.infer<ReturnType<typeof webSearchSchema>>;
export type MediaSettings = z.infer<ReturnType<typeof mediaSchema>>;
