import { z } from "zod";
import { compatOnly, looseRecord } from "./common.js";
import { lazySchema } from "./lazy.js";

/**
 * `talk` (OpenClaw's keys). Only `talk.realtime` is acted on here: browser Talk mode over
 * OpenAI Realtime WebRTC or Google Live's WebSocket (gateway/talk/). The native-app keys (ElevenLabs voices, speech
 * locale, …) are accepted so OpenClaw configs load, and say they do nothing yet.
 */
const openaiRealtime = lazySchema("talk.openaiRealtime", () =>
  z
    .looseObject({
      apiKey: z
        .string()
        .min(1)
        .optional()
        .describe("OpenAI Platform key for Talk; else an openai auth profile, then OPENAI_API_KEY"),
      model: z.string().min(1).optional().describe('realtime model (default "gpt-realtime-2.1")'),
      speakerVoice: z
        .string()
        .min(1)
        .optional()
        .describe("voice: alloy (default), ash, ballad, cedar, coral, echo, marin, sage, shimmer, verse"),
      voice: z.string().min(1).optional().describe("older name of speakerVoice (deprecated)"),
    })
    .describe("OpenAI Realtime for browser Talk"),
);

const sensitivity = (what: string) =>
  z.enum(["low", "high"]).optional().describe(`how readily the Live API decides speech ${what}`);

const googleRealtime = lazySchema("talk.googleRealtime", () =>
  z
    .looseObject({
      apiKey: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Gemini API key for Talk; else the agent's google credentials (auth profile, GEMINI_API_KEY, GOOGLE_API_KEY)",
        ),
      model: z.string().min(1).optional().describe('Live model (default "gemini-3.1-flash-live-preview")'),
      speakerVoice: z
        .string()
        .min(1)
        .optional()
        .describe("prebuilt voice: Kore (default), Puck, Charon, Aoede, Zephyr, … (Google's 30 voices)"),
      voice: z.string().min(1).optional().describe("older name of speakerVoice"),
      temperature: z
        .number()
        .min(0)
        .max(2)
        .optional()
        .describe(
          "sampling temperature; 0 or unset leaves Google's default (0 can give transcripts without audio)",
        ),
      startSensitivity: sensitivity("has started"),
      endSensitivity: sensitivity("has ended"),
      prefixPaddingMs: z
        .number()
        .int()
        .min(0)
        .max(10_000)
        .optional()
        .describe("speech needed before the start of speech is committed (ms)"),
      silenceDurationMs: z
        .number()
        .int()
        .min(0)
        .max(10_000)
        .optional()
        .describe("silence that ends the caller's turn (ms)"),
    })
    .catchall(
      compatOnly(z.unknown(), "more Google Live tuning (thinking, resumption, compression, turn coverage…)"),
    )
    .describe("Google Live for browser Talk"),
);

const realtime = lazySchema("talk.realtime", () =>
  z
    .looseObject({
      provider: z
        .string()
        .min(1)
        .optional()
        .describe('realtime voice provider: "openai" or "google" (the two served here)'),
      transport: z
        .enum(["webrtc", "provider-websocket", "gateway-relay", "managed-room"])
        .optional()
        .describe(
          'how browser Talk carries audio: "gateway-relay" keeps the OpenAI Realtime socket and key on the gateway (audio through it); unset, "webrtc" or "provider-websocket": the browser talks to the provider; "managed-room" is accepted and does nothing here',
        ),
      providers: z
        .looseObject({ openai: openaiRealtime().optional(), google: googleRealtime().optional() })
        .catchall(compatOnly(looseRecord, "another realtime voice provider's settings"))
        .optional()
        .describe("per-provider realtime settings"),
      model: z.string().min(1).optional().describe("realtime model; wins over providers.<id>.model"),
      instructions: z
        .string()
        .max(4_000)
        .optional()
        .describe("appended to the built-in realtime voice prompt (voice style, brevity)"),
    })
    .catchall(compatOnly(z.unknown(), "realtime Talk tuning (VAD, brain, consult routing…)"))
    .describe("browser Talk mode (realtime voice)"),
);

export const talkSchema = lazySchema("talk", () =>
  z
    .looseObject({ realtime: realtime().optional() })
    .catchall(compatOnly(z.unknown(), "native-app Talk (speech providers, locale, interruption)"))
    .describe("Talk mode: realtime voice in the Control UI"),
);
