import { BUILTIN_PROVIDERS } from "../../providers/catalog.js";
import { RealtimeMintError, talkTools } from "./shared.js";

/**
 * Google Live for browser Talk, as OpenClaw's Google realtime provider does it: the gateway
 * mints a one-use ephemeral token (`POST /v1alpha/auth_tokens`) whose
 * `bidiGenerateContentSetup` locks the whole session (model, voice, prompt, the consult
 * tool, transcription); the browser opens the constrained Live WebSocket with that token as
 * `access_token` and sends only a minimal setup, which the token's constraints override.
 * The API key never leaves here.
 */

/** OpenClaw's defaults (extensions/google realtime-voice metadata). */
export const DEFAULT_GOOGLE_LIVE_MODEL = "gemini-3.1-flash-live-preview";
export const DEFAULT_GOOGLE_LIVE_VOICE = "Kore";
/** Google's prebuilt voices (OpenClaw's catalogue). */
export const GOOGLE_LIVE_VOICES = [
  "Zephyr",
  "Puck",
  "Charon",
  "Kore",
  "Fenrir",
  "Leda",
  "Orus",
  "Aoede",
  "Callirrhoe",
  "Autonoe",
  "Enceladus",
  "Iapetus",
  "Umbriel",
  "Algieba",
  "Despina",
  "Erinome",
  "Algenib",
  "Rasalgethi",
  "Laomedeia",
  "Achernar",
  "Alnilam",
  "Schedar",
  "Gacrux",
  "Pulcherrima",
  "Achird",
  "Zubenelgenubi",
  "Vindemiatrix",
  "Sadachbia",
  "Sadaltager",
  "Sulafat",
];
/** The Live API's PCM rates: 16 kHz in, 24 kHz out. */
const INPUT_RATE = 16_000;
const OUTPUT_RATE = 24_000;
/**
 * The token must be used within a minute (the browser opens the microphone first, then
 * the socket right away) and, once used, carries one call of at most 30 minutes (the
 * gateway's own bound on a Talk call).
 */
const NEW_SESSION_TTL_MS = 60_000;
const SESSION_TTL_MS = 30 * 60_000;
const MINT_TIMEOUT_MS = 15_000;
/** Ephemeral tokens and their constrained socket are v1alpha only. */
const CONSTRAINED_PATH =
  "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained";

/** `talk.realtime.providers.google` (config/schema/talk.ts). */
export interface GoogleLiveConfig {
  apiKey?: string;
  model?: string;
  speakerVoice?: string;
  voice?: string;
  temperature?: number;
  startSensitivity?: "low" | "high";
  endSensitivity?: "low" | "high";
  prefixPaddingMs?: number;
  silenceDurationMs?: number;
}

interface ConfigView {
  models?: { providers?: Record<string, { baseUrl?: string } | undefined> };
}

/**
 * The Gemini API's origin, `https://generativelanguage.googleapis.com`, or that of
 * `models.providers.google.baseUrl` (a proxy, a test's fake): tokens are minted there and
 * the Live socket is its ws(s) twin.
 */
export function googleApiOrigin(config: ConfigView): string {
  return new URL(config.models?.providers?.google?.baseUrl ?? BUILTIN_PROVIDERS.google!.baseUrl).origin;
}

export function googleLiveSocketUrl(origin: string): string {
  return `${origin.replace(/^http/, "ws")}${CONSTRAINED_PATH}`;
}

const modelResource = (model: string) => (model.startsWith("models/") ? model : `models/${model}`);

/** The Live API's OpenAPI schema types are upper case (what Google's SDK sends for lower-case JSON Schema). */
function liveSchema(schema: unknown): unknown {
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "type" && typeof value === "string") out[key] = value.toUpperCase();
    else if (key === "properties") {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, liveSchema(v)]));
    } else out[key] = value;
  }
  return out;
}

/**
 * The session the token locks, in the wire's `BidiGenerateContentSetup` shape: everything
 * decided here from config, nothing by the caller.
 */
export function googleLiveSetup(opts: {
  model: string;
  voice: string;
  instructions: string;
  google: GoogleLiveConfig;
  /** The page can answer describe_view (it sends the camera's frames itself). */
  camera?: boolean;
}) {
  const g = opts.google;
  const detection = {
    ...(g.startSensitivity
      ? { startOfSpeechSensitivity: `START_SENSITIVITY_${g.startSensitivity.toUpperCase()}` }
      : {}),
    ...(g.endSensitivity
      ? { endOfSpeechSensitivity: `END_SENSITIVITY_${g.endSensitivity.toUpperCase()}` }
      : {}),
    ...(g.prefixPaddingMs !== undefined ? { prefixPaddingMs: g.prefixPaddingMs } : {}),
    ...(g.silenceDurationMs !== undefined ? { silenceDurationMs: g.silenceDurationMs } : {}),
  };
  return {
    model: modelResource(opts.model),
    generationConfig: {
      responseModalities: ["AUDIO"],
      // Google Live can answer with transcripts and no audio at temperature 0 (OpenClaw omits it).
      ...(g.temperature !== undefined && g.temperature > 0 ? { temperature: g.temperature } : {}),
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: opts.voice } } },
    },
    systemInstruction: { parts: [{ text: opts.instructions }] },
    tools: [
      {
        functionDeclarations: talkTools(opts.camera).map((tool) => ({
          name: tool.name,
          description: tool.description,
          parameters: liveSchema(tool.parameters),
        })),
      },
    ],
    ...(Object.keys(detection).length > 0
      ? { realtimeInputConfig: { automaticActivityDetection: detection } }
      : {}),
    inputAudioTranscription: {},
    outputAudioTranscription: {},
  };
}

/** What the browser sends first; the token's locked setup wins over every field of it. */
export function googleLiveInitialMessage(model: string) {
  return {
    setup: {
      model: modelResource(model),
      generationConfig: { responseModalities: ["AUDIO"] },
      inputAudioTranscription: {},
      outputAudioTranscription: {},
    },
  };
}

export const GOOGLE_LIVE_AUDIO = {
  inputEncoding: "pcm16",
  inputSampleRateHz: INPUT_RATE,
  outputEncoding: "pcm16",
  outputSampleRateHz: OUTPUT_RATE,
} as const;

/** Mints one constrained, one-use token: `{ name, expiresAt }` (the deadline to open the socket, epoch ms). */
export async function mintLiveToken(opts: {
  origin: string;
  apiKey: string;
  setup: ReturnType<typeof googleLiveSetup>;
}): Promise<{ name: string; expiresAt: number }> {
  const now = Date.now();
  const expiresAt = now + NEW_SESSION_TTL_MS;
  let res: Response;
  try {
    res = await fetch(`${opts.origin}/v1alpha/auth_tokens`, {
      method: "POST",
      headers: { "x-goog-api-key": opts.apiKey, "content-type": "application/json" },
      body: JSON.stringify({
        uses: 1,
        expireTime: new Date(now + SESSION_TTL_MS).toISOString(),
        newSessionExpireTime: new Date(expiresAt).toISOString(),
        bidiGenerateContentSetup: opts.setup,
      }),
      signal: AbortSignal.timeout(MINT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new RealtimeMintError(0, `could not reach the Gemini API: ${(err as Error).name}`);
  }
  const body = (await res.json().catch(() => undefined)) as
    | { name?: unknown; error?: { status?: unknown } }
    | undefined;
  if (!res.ok) {
    // Google's message can quote the request; only its status word is passed on.
    const status = typeof body?.error?.status === "string" ? ` (${body.error.status.slice(0, 60)})` : "";
    const why =
      res.status === 401 || res.status === 403
        ? "rejected the API key"
        : res.status === 400
          ? "refused the request (a bad API key answers 400 too)"
          : `answered ${res.status}`;
    throw new RealtimeMintError(res.status, `Google Live ${why}${status}`);
  }
  if (typeof body?.name !== "string" || !body.name) {
    throw new RealtimeMintError(res.status, "Google Live answered without a token");
  }
  return { name: body.name, expiresAt };
}

/**
 * OpenClaw's `RealtimeVoiceBrowserSession` for Google: the one-use token as `clientSecret`,
 * the constrained socket, the PCM formats and the first message. Model and voice come
 * from config (`talk.realtime.model`, then the provider's).
 */
export async function googleBrowserSession(opts: {
  config: ConfigView;
  google: GoogleLiveConfig;
  model: string | undefined;
  instructions: string;
  apiKey: string;
  camera?: boolean;
}) {
  const model = opts.model ?? opts.google.model ?? DEFAULT_GOOGLE_LIVE_MODEL;
  const voice = opts.google.speakerVoice ?? opts.google.voice ?? DEFAULT_GOOGLE_LIVE_VOICE;
  const origin = googleApiOrigin(opts.config);
  const token = await mintLiveToken({
    origin,
    apiKey: opts.apiKey,
    setup: googleLiveSetup({
      model,
      voice,
      instructions: opts.instructions,
      google: opts.google,
      camera: opts.camera,
    }),
  });
  return {
    provider: "google",
    transport: "provider-websocket",
    protocol: "google-live-bidi",
    clientSecret: token.name,
    websocketUrl: googleLiveSocketUrl(origin),
    audio: GOOGLE_LIVE_AUDIO,
    initialMessage: googleLiveInitialMessage(model),
    model,
    voice,
    expiresAt: token.expiresAt,
  };
}
