import { randomUUID } from "node:crypto";
import { z } from "zod";
import { createAuthProfileStore } from "../../providers/auth-profiles.js";
import { canonicalSessionKey, mainSessionKey } from "../../routing/session-key.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { DEFAULT_GOOGLE_LIVE_MODEL, GOOGLE_LIVE_VOICES, googleBrowserSession } from "../talk/google-live.js";
import {
  CONSULT_TOOL_NAME,
  DEFAULT_REALTIME_MODEL,
  openaiBrowserSession,
  RealtimeMintError,
  type TalkRealtimeConfig,
  voiceInstructions,
} from "../talk/realtime.js";
import { defineMethod } from "./types.js";

/**
 * Browser Talk (OpenClaw's client-owned WebRTC path): `talk.client.create` mints the
 * ephemeral OpenAI Realtime secret, `talk.client.toolCall` runs the realtime model's
 * consult through the session's agent like `chat.send`, `talk.client.transcript` saves
 * finalized speech into the session, `talk.client.close` ends the logical call.
 */

/** OpenClaw's runtime bounds: 8 live calls per gateway, 30 minutes each. */
const MAX_VOICE_SESSIONS = 8;
const VOICE_SESSION_TTL_MS = 30 * 60_000;
/** OpenClaw's cap on a realtime tool call's arguments (UTF-8 bytes). */
const MAX_TOOL_ARGS_BYTES = 256_000;
/** Transcript entries one call may save: a long call, not an unbounded write. */
const MAX_TRANSCRIPT_ENTRIES = 2_000;

interface VoiceSession {
  sessionKey: string;
  expiresAt: number;
  entries: Set<string>;
}

const live = new WeakMap<GatewayContext, Map<string, VoiceSession>>();
function voiceSessions(gateway: GatewayContext): Map<string, VoiceSession> {
  const map = live.get(gateway) ?? new Map<string, VoiceSession>();
  live.set(gateway, map);
  const now = Date.now();
  for (const [id, s] of map) if (s.expiresAt <= now) map.delete(id);
  return map;
}

const sessionKey = z.string().min(1).max(512);
const voiceSessionId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
const unavailable = (message: string, code: string) =>
  new GatewayRequestError(ErrorCodes.UNAVAILABLE, message, { details: { code } });

const canonical = (gateway: GatewayContext, key: string) =>
  canonicalSessionKey(gateway.config().config.agents?.list, key);

/** The call a request names, bound to the same session key; refused once closed or expired. */
function voiceSession(gateway: GatewayContext, id: string, key: string): VoiceSession {
  const session = voiceSessions(gateway).get(id);
  if (!session || session.sessionKey !== canonical(gateway, key)) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "unknown or closed Talk session");
  }
  return session;
}

/** The realtime providers served here (OpenClaw's ids). */
const PROVIDERS = ["openai", "google"] as const;
type Provider = (typeof PROVIDERS)[number];
const served = (id: string | undefined): id is Provider => PROVIDERS.includes(id as Provider);

/**
 * The provider's key, in OpenClaw's order: `talk.realtime.providers.<id>.apiKey`, then the
 * agent's credentials for it (an auth profile, then the env: OPENAI_API_KEY; GEMINI_API_KEY
 * or GOOGLE_API_KEY; then `models.providers.<id>.apiKey`).
 */
function realtimeKey(
  gateway: GatewayContext,
  realtime: TalkRealtimeConfig,
  provider: Provider,
  agentId: string,
) {
  const configured = realtime.providers?.[provider]?.apiKey?.trim();
  if (configured) return configured;
  try {
    const profiles = createAuthProfileStore({ stateDir: gateway.stateDir, agentId });
    return gateway.agents.registry().credentials(provider, profiles)[0]?.key;
  } catch {
    return undefined;
  }
}

const NOT_SET_UP =
  'Talk is not set up: set talk.realtime.provider to "openai" with an OpenAI key (talk.realtime.providers.openai.apiKey, or OPENAI_API_KEY), or to "google" with a Gemini key (talk.realtime.providers.google.apiKey, or GEMINI_API_KEY)';

async function createClientSession(gateway: GatewayContext, rawKey: string, asked: string | undefined) {
  const config = gateway.config().config;
  const realtime = (config.talk?.realtime ?? {}) as TalkRealtimeConfig;
  const provider = realtime.provider;
  if (!served(provider)) throw unavailable(NOT_SET_UP, "TALK_NOT_CONFIGURED");
  if (asked && asked !== provider) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `Talk is set up for "${provider}", not "${asked}"`,
    );
  }
  const key = canonical(gateway, rawKey);
  const agentId = gateway.agents.agentFor(key).id;
  const apiKey = realtimeKey(gateway, realtime, provider, agentId);
  if (!apiKey) throw unavailable(NOT_SET_UP, "TALK_NOT_CONFIGURED");
  const sessions = voiceSessions(gateway);
  if (sessions.size >= MAX_VOICE_SESSIONS) {
    throw unavailable(`at most ${MAX_VOICE_SESSIONS} Talk sessions at once: stop one first`, "TALK_BUSY");
  }
  let minted: Record<string, unknown>;
  try {
    minted =
      provider === "google"
        ? await googleBrowserSession({
            config,
            google: realtime.providers?.google ?? {},
            model: realtime.model,
            instructions: voiceInstructions(realtime.instructions),
            apiKey,
          })
        : await openaiBrowserSession({ config, realtime, apiKey });
  } catch (err) {
    if (err instanceof RealtimeMintError) throw unavailable(err.message, "TALK_PROVIDER_ERROR");
    throw err;
  }
  const id = randomUUID();
  sessions.set(id, { sessionKey: key, expiresAt: Date.now() + VOICE_SESSION_TTL_MS, entries: new Set() });
  // OpenClaw's browser session shapes: everything the browser needs, and no more.
  return { ...minted, voiceSessionId: id };
}

/** OpenClaw's consult arguments: `question` (or prompt/query/task), optional context and style. */
function consultMessage(args: unknown): string {
  const a = (args && typeof args === "object" ? args : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof a[k] === "string" ? (a[k] as string).trim() : "") || undefined;
  const question = str("question") ?? str("prompt") ?? str("query") ?? str("task");
  if (!question) throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "question required");
  const context = str("context");
  const style = str("responseStyle");
  return [question, context && `Context:\n${context}`, style && `Spoken style:\n${style}`]
    .filter(Boolean)
    .join("\n\n");
}

/** OpenClaw's GA realtime voices. */
const GA_VOICES = ["alloy", "ash", "ballad", "cedar", "coral", "echo", "marin", "sage", "shimmer", "verse"];

/** OpenClaw's `talk.catalog`: the realtime providers served here, ready once the chosen one has a key. */
function talkCatalog(gateway: GatewayContext) {
  const realtime = (gateway.config().config.talk?.realtime ?? {}) as TalkRealtimeConfig;
  const active = served(realtime.provider) ? realtime.provider : undefined;
  const agentId = gateway.agents.defaultAgentId();
  const ready = !!active && !!realtimeKey(gateway, realtime, active, agentId);
  const shape = (id: Provider) => ({
    modes: ["realtime"],
    transports: [id === "google" ? "provider-websocket" : "webrtc"],
    brains: ["agent-consult"],
  });
  return {
    ...(active ? shape(active) : { modes: [], transports: [], brains: [] }),
    speech: { providers: [] },
    transcription: { ready: false, providers: [] },
    realtime: {
      ready,
      ...(active ? { activeProvider: active } : {}),
      providers: PROVIDERS.map((id) => ({
        id,
        label: id === "google" ? "Google Live Voice" : "OpenAI",
        configured: active === id && ready,
        defaultModel: id === "google" ? DEFAULT_GOOGLE_LIVE_MODEL : DEFAULT_REALTIME_MODEL,
        voices: id === "google" ? GOOGLE_LIVE_VOICES : GA_VOICES,
        ...shape(id),
        supportsBrowserSession: true,
        supportsToolCalls: true,
      })),
    },
  };
}

export const talkMethods = {
  "talk.catalog": defineMethod({
    scope: "operator.read",
    params: z.object({ provider: z.string().optional(), model: z.string().optional() }).optional(),
    handle: (_p, { gateway }) => talkCatalog(gateway),
  }),
  "talk.client.create": defineMethod({
    scope: "operator.write",
    // OpenClaw's params; model, voice and instructions come from config only (no caller overrides).
    params: z.strictObject({
      sessionKey: sessionKey.optional(),
      provider: z.enum(PROVIDERS).optional(),
      transport: z.enum(["webrtc", "provider-websocket"]).optional(),
    }),
    handle: (p, { gateway }) =>
      createClientSession(
        gateway,
        p.sessionKey ?? mainSessionKey(gateway.agents.defaultAgentId()),
        p.provider,
      ),
  }),
  "talk.client.toolCall": defineMethod({
    scope: "operator.write",
    params: z.object({
      sessionKey,
      voiceSessionId,
      callId: z.string().min(1).max(256),
      name: z.string().min(1).max(128),
      args: z.unknown().optional(),
    }),
    handle: async (p, { gateway, connId }) => {
      voiceSession(gateway, p.voiceSessionId, p.sessionKey);
      if (p.name !== CONSULT_TOOL_NAME) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `unknown Talk tool "${p.name}"`);
      }
      if (Buffer.byteLength(JSON.stringify(p.args ?? null)) > MAX_TOOL_ARGS_BYTES) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "tool arguments over 256000 bytes");
      }
      const idempotencyKey = `talk:${p.voiceSessionId}:${p.callId}`;
      const run = gateway.agents.send({
        sessionKey: p.sessionKey,
        text: consultMessage(p.args),
        idempotencyKey,
        submitter: `ws:${connId}`,
      });
      await run.accepted;
      const outcome = await run.done;
      // OpenClaw's run identity, plus the answer to hand back to the realtime model.
      return {
        runId: run.runId,
        idempotencyKey,
        agentId: gateway.agents.agentFor(run.sessionKey).id,
        agentSessionKey: run.sessionKey,
        status: outcome.status,
        text: outcome.text,
      };
    },
  }),
  "talk.client.transcript": defineMethod({
    scope: "operator.write",
    params: z.object({
      sessionKey,
      voiceSessionId,
      entryId: voiceSessionId,
      role: z.enum(["user", "assistant"]),
      text: z.string().min(1).max(20_000),
      timestamp: z.number().optional(),
    }),
    handle: async (p, { gateway }) => {
      const call = voiceSession(gateway, p.voiceSessionId, p.sessionKey);
      if (call.entries.has(p.entryId)) return { ok: true };
      if (call.entries.size >= MAX_TRANSCRIPT_ENTRIES) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "this Talk session saved its most entries");
      }
      call.entries.add(p.entryId);
      const agents = gateway.agents;
      await agents.afterQueuedTurns(p.sessionKey, async (key) => {
        const store = await agents.store(agents.agentFor(key).id);
        const entry = await store.ensure(key);
        await store.transcript(entry.sessionId).appendMessage(
          {
            role: p.role,
            content: [{ type: "text", text: p.text }],
            talk: { voiceSessionId: p.voiceSessionId },
          },
          { durable: true },
        );
      });
      return { ok: true };
    },
  }),
  "talk.client.close": defineMethod({
    scope: "operator.write",
    params: z.object({ sessionKey, voiceSessionId }),
    handle: (p, { gateway }) => {
      const sessions = voiceSessions(gateway);
      if (sessions.get(p.voiceSessionId)?.sessionKey === canonical(gateway, p.sessionKey)) {
        sessions.delete(p.voiceSessionId);
      }
      return { ok: true };
    },
  }),
};
