import { z } from "zod";
import { mainSessionKey } from "../../routing/session-key.js";
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
import { PROVIDERS, type Provider, realtimeKey, resolveTalk, served } from "../talk/setup.js";
import {
  canonical,
  checkToolPayload,
  checkVoiceCapacity,
  openVoiceSession,
  saveUtterance,
  unavailable,
  voiceSession,
  voiceSessions,
} from "../talk/voice-sessions.js";
import { defineMethod } from "./types.js";

/**
 * Browser Talk (OpenClaw's client-owned WebRTC path): `talk.client.create` mints the
 * ephemeral OpenAI Realtime secret, `talk.client.toolCall` runs the realtime model's
 * consult through the session's agent like `chat.send`, `talk.client.transcript` saves
 * finalized speech into the session, `talk.client.close` ends the logical call.
 */

const sessionKey = z.string().min(1).max(512);
const voiceSessionId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

async function createClientSession(
  gateway: GatewayContext,
  rawKey: string,
  asked: string | undefined,
  camera: boolean,
) {
  const { config, realtime, provider, key, apiKey } = resolveTalk(gateway, rawKey, asked);
  if (realtime.transport === "gateway-relay") {
    // OpenClaw's clients then start the call with talk.session.create.
    throw unavailable(
      'Talk is set up for the gateway relay (talk.realtime.transport "gateway-relay"): start it with talk.session.create',
      "TALK_GATEWAY_RELAY",
    );
  }
  checkVoiceCapacity(gateway);
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
            camera,
          })
        : await openaiBrowserSession({ config, realtime, apiKey, camera });
  } catch (err) {
    if (err instanceof RealtimeMintError) throw unavailable(err.message, "TALK_PROVIDER_ERROR");
    throw err;
  }
  // OpenClaw's browser session shapes: everything the browser needs, and no more.
  return { ...minted, voiceSessionId: openVoiceSession(gateway, key) };
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
    transports: id === "google" ? ["provider-websocket"] : ["webrtc", "gateway-relay"],
    brains: ["agent-consult"],
  });
  // The transport this gateway starts a call with.
  const transport =
    realtime.transport === "gateway-relay" ? "gateway-relay" : shape(active ?? "openai").transports[0];
  return {
    ...(active ? { ...shape(active), transports: [transport] } : { modes: [], transports: [], brains: [] }),
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
      // OpenClaw's: "camera-frame" declares describe_view (the page answers it); others are not served here.
      capabilities: z.array(z.string().max(64)).max(8).optional(),
    }),
    handle: (p, { gateway }) =>
      createClientSession(
        gateway,
        p.sessionKey ?? mainSessionKey(gateway.agents.defaultAgentId()),
        p.provider,
        p.capabilities?.includes("camera-frame") === true,
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
      const call = voiceSession(gateway, p.voiceSessionId, p.sessionKey);
      if (p.name !== CONSULT_TOOL_NAME) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `unknown Talk tool "${p.name}"`);
      }
      checkToolPayload("tool arguments", p.args);
      const idempotencyKey = `talk:${p.voiceSessionId}:${p.callId}`;
      const run = gateway.agents.send({
        sessionKey: p.sessionKey,
        text: consultMessage(p.args),
        idempotencyKey,
        submitter: `ws:${connId}`,
      });
      await run.accepted;
      call.runs.add(run.runId);
      const outcome = await run.done.finally(() => call.runs.delete(run.runId));
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
      await saveUtterance(gateway, p.voiceSessionId, call, p.entryId, p.role, p.text);
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
