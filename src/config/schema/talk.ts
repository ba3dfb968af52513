import { z } from "zod";
import { compatOnly, looseRecord } from "./common.js";
import { lazySchema } from "./lazy.js";

/**
 * `talk` (OpenClaw's keys). Only `talk.realtime` is acted on here: browser Talk mode over
 * OpenAI Realtime WebRTC (gateway/talk/). The native-app keys (ElevenLabs voices, speech
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

const realtime = lazySchema("talk.realtime", () =>
  z
    .looseObject({
      provider: z
        .string()
        .min(1)
        .optional()
        .describe('realtime voice provider; "openai" is the one served here'),
      providers: z
        .looseObject({ openai: openaiRealtime().optional() })
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
    .catchall(compatOnly(z.unknown(), "realtime Talk tuning (transport, VAD, brain…)"))
    .describe("browser Talk mode (realtime voice)"),
);

export const talkSchema = lazySchema("talk", () =>
  z
    .looseObject({ realtime: realtime().optional() })
    .catchall(compatOnly(z.unknown(), "native-app Talk (speech providers, locale, interruption)"))
    .describe("Talk mode: realtime voice in the Control UI"),
);
