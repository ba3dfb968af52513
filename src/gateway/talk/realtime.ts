import { BUILTIN_PROVIDERS } from "../../providers/catalog.js";
import { type GoogleLiveConfig, googleApiOrigin, googleLiveSocketUrl } from "./google-live.js";
import { RealtimeMintError, talkTools, voiceInstructions } from "./shared.js";

export { CONSULT_TOOL_NAME, RealtimeMintError, voiceInstructions } from "./shared.js";

/**
 * OpenAI Realtime for browser Talk, as OpenClaw's GA WebRTC path does it: the gateway
 * mints a short-lived client secret (`POST /v1/realtime/client_secrets`) with the whole
 * session config (model, voice, instructions, the one consult tool), and the browser posts
 * its SDP offer to `/v1/realtime/calls` with that secret only. The API key never leaves here.
 */

/** OpenClaw's default GA realtime model and voice. */
export const DEFAULT_REALTIME_MODEL = "gpt-realtime-2.1";
export const DEFAULT_REALTIME_VOICE = "alloy";
/** What transcribes the caller's speech for the session's history (OpenClaw's choice). */
const INPUT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe";
/**
 * The secret only has to outlive the SDP exchange, which starts right after it is minted
 * (the browser opens the microphone first): a leaked one is useless a minute later.
 */
const CLIENT_SECRET_TTL_SECONDS = 60;
const MINT_TIMEOUT_MS = 15_000;

/** The `talk.realtime` keys this gateway reads (config/schema/talk.ts). */
export interface TalkRealtimeConfig {
  provider?: string;
  /** OpenClaw's key: "gateway-relay" keeps the provider's socket on the gateway; else the browser's own transport. */
  transport?: string;
  model?: string;
  instructions?: string;
  providers?: {
    openai?: { apiKey?: string; model?: string; speakerVoice?: string; voice?: string };
    google?: GoogleLiveConfig;
  };
}

interface ConfigView {
  talk?: { realtime?: TalkRealtimeConfig };
  models?: { providers?: Record<string, { baseUrl?: string } | undefined> };
}

/** `https://api.openai.com/v1`, or where `models.providers.openai.baseUrl` points (a proxy, a test's fake). */
export function openaiApiBase(config: ConfigView): string {
  const base = config.models?.providers?.openai?.baseUrl ?? BUILTIN_PROVIDERS.openai!.baseUrl;
  return base.replace(/\/+$/, "");
}

/**
 * The origins the Control UI's CSP must let the page connect to for Talk: the realtime
 * API's origin (OpenAI's SDP exchange, Google Live's socket) while that provider is
 * chosen, else none; none either through the gateway relay (the page talks to the gateway only).
 */
export function talkConnectOrigins(config: ConfigView): string[] {
  const provider = config.talk?.realtime?.provider;
  if (config.talk?.realtime?.transport === "gateway-relay") return [];
  try {
    if (provider === "openai") return [new URL(openaiApiBase(config)).origin];
    if (provider === "google") return [new URL(googleLiveSocketUrl(googleApiOrigin(config))).origin];
  } catch {
    // a base URL that does not parse opens nothing
  }
  return [];
}

/** The session the client secret is minted for: model, voice and prompt decided here, never by the caller. */
export function realtimeSession(opts: {
  model: string;
  voice: string;
  instructions?: string;
  camera?: boolean;
}) {
  return {
    type: "realtime",
    model: opts.model,
    instructions: voiceInstructions(opts.instructions),
    audio: {
      input: {
        noise_reduction: { type: "near_field" },
        turn_detection: { type: "server_vad", create_response: true, interrupt_response: true },
        transcription: { model: INPUT_TRANSCRIPTION_MODEL },
      },
      output: { voice: opts.voice },
    },
    tools: talkTools(opts.camera),
    tool_choice: "auto",
  };
}

/** Mints one ephemeral client secret: `{ value, expiresAt }` (epoch ms). */
export async function mintClientSecret(opts: {
  apiBase: string;
  apiKey: string;
  session: ReturnType<typeof realtimeSession>;
}): Promise<{ value: string; expiresAt?: number }> {
  let res: Response;
  try {
    res = await fetch(`${opts.apiBase}/realtime/client_secrets`, {
      method: "POST",
      headers: { authorization: `Bearer ${opts.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        expires_after: { anchor: "created_at", seconds: CLIENT_SECRET_TTL_SECONDS },
        session: opts.session,
      }),
      signal: AbortSignal.timeout(MINT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new RealtimeMintError(0, `could not reach the OpenAI Realtime API: ${(err as Error).name}`);
  }
  const body = (await res.json().catch(() => undefined)) as
    | { value?: unknown; expires_at?: unknown; error?: { code?: unknown; type?: unknown } }
    | undefined;
  if (!res.ok) {
    const code = typeof body?.error?.code === "string" ? body.error.code : body?.error?.type;
    const why = res.status === 401 ? "rejected the API key" : `answered ${res.status}`;
    throw new RealtimeMintError(
      res.status,
      `OpenAI Realtime ${why}${typeof code === "string" ? ` (${code.slice(0, 60)})` : ""}`,
    );
  }
  if (typeof body?.value !== "string" || !body.value) {
    throw new RealtimeMintError(res.status, "OpenAI Realtime answered without a client secret");
  }
  return {
    value: body.value,
    ...(typeof body.expires_at === "number" ? { expiresAt: body.expires_at * 1000 } : {}),
  };
}

/** Model, voice and session from config (`talk.realtime.model`, then the provider's), never from the caller. */
export function openaiSession(realtime: TalkRealtimeConfig, camera?: boolean) {
  const openai = realtime.providers?.openai ?? {};
  const model = realtime.model ?? openai.model ?? DEFAULT_REALTIME_MODEL;
  const voice = (openai.speakerVoice ?? openai.voice ?? DEFAULT_REALTIME_VOICE).toLowerCase();
  const session = realtimeSession({
    model,
    voice,
    camera,
    ...(realtime.instructions ? { instructions: realtime.instructions } : {}),
  });
  return { model, voice, session };
}

/** OpenClaw's `BrowserRealtimeWebRtcSdpSession` for OpenAI, less the gateway's voiceSessionId. */
export async function openaiBrowserSession(opts: {
  config: ConfigView;
  realtime: TalkRealtimeConfig;
  apiKey: string;
  /** The page can answer describe_view from its camera. */
  camera?: boolean;
}) {
  const { model, voice, session } = openaiSession(opts.realtime, opts.camera);
  const apiBase = openaiApiBase(opts.config);
  const secret = await mintClientSecret({ apiBase, apiKey: opts.apiKey, session });
  return {
    provider: "openai",
    transport: "webrtc",
    clientSecret: secret.value,
    offerUrl: `${apiBase}/realtime/calls`,
    model,
    voice,
    ...(secret.expiresAt !== undefined ? { expiresAt: secret.expiresAt } : {}),
  };
}
