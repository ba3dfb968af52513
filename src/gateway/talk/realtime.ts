import { BUILTIN_PROVIDERS } from "../../providers/catalog.js";

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

/** The function the realtime model calls to hand a request to the agent (OpenClaw's name and shape). */
export const CONSULT_TOOL_NAME = "openclaw_agent_consult";
const CONSULT_TOOL = {
  type: "function",
  name: CONSULT_TOOL_NAME,
  description:
    "Delegate the caller's request to the configured OpenClaw agent for normal tool-backed work, actions, context, memory, or reasoning before speaking.",
  parameters: {
    type: "object",
    properties: {
      question: { type: "string", description: "The concrete question or task the user asked." },
      context: { type: "string", description: "Optional relevant context or transcript summary." },
      responseStyle: { type: "string", description: "Optional style hint for the spoken answer." },
    },
    required: ["question"],
  },
} as const;

/** OpenClaw's direct-tool prompt: the voice layer talks, the agent does the work. */
const BASE_INSTRUCTIONS = [
  "You are the realtime voice surface for the same OpenClaw agent the user can message directly.",
  "Do not mention a backend, supervisor, helper, or separate system. Present the result as your own work.",
  `Delegate substantive requests, actions, tool work, current facts, memory, workspace context, and user-specific context with ${CONSULT_TOOL_NAME}.`,
  "Answer directly only for greetings, acknowledgements, brief latency tests, or filler while waiting.",
  'While waiting for OpenClaw data or tool results, use at most one short natural backchannel such as "yeah", "mm-hmm", "got it", or "one sec"; vary it and do not treat it as the final answer.',
  "After the result arrives, speak it concisely and naturally, without markdown.",
].join("\n\n");

/** The `talk.realtime` keys this gateway reads (config/schema/talk.ts). */
export interface TalkRealtimeConfig {
  provider?: string;
  model?: string;
  instructions?: string;
  providers?: { openai?: { apiKey?: string; model?: string; speakerVoice?: string; voice?: string } };
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
 * API's origin when Talk is set up, else none (the policy stays `'self'` only).
 */
export function talkConnectOrigins(config: ConfigView): string[] {
  if (config.talk?.realtime?.provider !== "openai") return [];
  try {
    return [new URL(openaiApiBase(config)).origin];
  } catch {
    return [];
  }
}

/** The session the client secret is minted for: model, voice and prompt decided here, never by the caller. */
export function realtimeSession(opts: { model: string; voice: string; instructions?: string }) {
  const extra = opts.instructions?.trim();
  return {
    type: "realtime",
    model: opts.model,
    instructions: extra ? `${BASE_INSTRUCTIONS}\n\n${extra}` : BASE_INSTRUCTIONS,
    audio: {
      input: {
        noise_reduction: { type: "near_field" },
        turn_detection: { type: "server_vad", create_response: true, interrupt_response: true },
        transcription: { model: INPUT_TRANSCRIPTION_MODEL },
      },
      output: { voice: opts.voice },
    },
    tools: [CONSULT_TOOL],
    tool_choice: "auto",
  };
}

/** The upstream refused or failed; the message names the status, never the key or OpenAI's text (which can quote it). */
export class RealtimeMintError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RealtimeMintError";
  }
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
