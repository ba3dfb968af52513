import { z } from "zod";
import { mainSessionKey } from "../../routing/session-key.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import {
  type OpenAIRelay,
  openOpenAIRelay,
  RELAY_SAMPLE_RATE,
  type RelayEvent,
} from "../talk/openai-relay.js";
import { openaiApiBase, openaiSession } from "../talk/realtime.js";
import { resolveTalk } from "../talk/setup.js";
import {
  checkToolPayload,
  checkVoiceCapacity,
  openVoiceSession,
  saveUtterance,
  unavailable,
  VOICE_SESSION_TTL_MS,
  voiceSessions,
} from "../talk/voice-sessions.js";
import { defineMethod } from "./types.js";

/**
 * OpenClaw's Gateway relay for realtime Talk (`talk.session.*`, transport "gateway-relay"):
 * the gateway holds the OpenAI Realtime socket and its key; the browser appends microphone
 * PCM with `talk.session.appendAudio` and gets the model's audio, transcripts and tool
 * calls as `talk.event` events sent to its own connection only. A tool call is run by the
 * browser through `talk.client.toolCall` (the same agent path as every Talk call) and its
 * output handed back with `talk.session.submitToolResult`. One id names the call
 * everywhere (`sessionId` = `relaySessionId` = the voice session id), and every method
 * answers only the connection that created it.
 */

/** Decoded PCM one `appendAudio` may carry: ~1.4 s at 24 kHz PCM16 (the UI sends ~0.17 s). */
const MAX_AUDIO_CHUNK_BYTES = 65_536;
/** Relay calls one connection may hold at once (a page has one call; a second covers a replacement). */
const MAX_RELAYS_PER_CONNECTION = 2;
/** Tool calls the model may leave unanswered at once. */
const MAX_PENDING_TOOL_CALLS = 16;

interface RelayCall {
  connId: string;
  sessionKey: string;
  relay: OpenAIRelay;
  /** Tool calls the model made and the browser has not answered: the only ids a result may name. */
  pendingToolCalls: Set<string>;
  end(): void;
}

const relays = new WeakMap<GatewayContext, Map<string, RelayCall>>();
function relayCalls(gateway: GatewayContext): Map<string, RelayCall> {
  const map = relays.get(gateway) ?? new Map<string, RelayCall>();
  relays.set(gateway, map);
  return map;
}

/** The call, if this connection created it; the same refusal whether it never existed or is another's. */
function ownCall(gateway: GatewayContext, id: string, connId: string): RelayCall {
  const call = relayCalls(gateway).get(id);
  if (!call || call.connId !== connId) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "unknown or closed Talk session");
  }
  return call;
}

const AUDIO = {
  inputEncoding: "pcm16",
  inputSampleRateHz: RELAY_SAMPLE_RATE,
  outputEncoding: "pcm16",
  outputSampleRateHz: RELAY_SAMPLE_RATE,
} as const;

async function createRelay(
  gateway: GatewayContext,
  connId: string,
  p: { sessionKey?: string; provider?: string; ttlMs?: number },
) {
  const { config, realtime, provider, key, apiKey } = resolveTalk(
    gateway,
    p.sessionKey ?? mainSessionKey(gateway.agents.defaultAgentId()),
    p.provider,
  );
  if (provider !== "openai") {
    throw unavailable(
      `the gateway relay serves OpenAI Realtime only: set talk.realtime.provider to "openai", or talk.realtime.transport to "provider-websocket" for ${provider}`,
      "TALK_NOT_CONFIGURED",
    );
  }
  const calls = relayCalls(gateway);
  if ([...calls.values()].filter((c) => c.connId === connId).length >= MAX_RELAYS_PER_CONNECTION) {
    throw unavailable(
      `at most ${MAX_RELAYS_PER_CONNECTION} relayed Talk sessions per connection: close one with talk.session.close first`,
      "TALK_BUSY",
    );
  }
  checkVoiceCapacity(gateway);
  const id = openVoiceSession(gateway, key);
  const voice = voiceSessions(gateway).get(id)!;
  const { model, voice: voiceName, session } = openaiSession(realtime);
  const ttlMs = Math.min(p.ttlMs ?? VOICE_SESSION_TTL_MS, VOICE_SESSION_TTL_MS);
  let utterance = 0;
  let ended = false;
  let forget = () => {};
  const send = (event: RelayEvent) =>
    gateway.clients.sendTo(connId, "talk.event", { relaySessionId: id, ...event });
  const emit = (event: RelayEvent) => {
    if (ended) return;
    if (event.type === "toolCall") {
      if (call.pendingToolCalls.size >= MAX_PENDING_TOOL_CALLS) return;
      call.pendingToolCalls.add(event.callId);
    }
    if (event.type === "transcript" && event.final && event.text.trim()) {
      // Finalized speech joins the chat's history here, as OpenClaw's relay does (no browser round trip).
      void saveUtterance(
        gateway,
        id,
        voice,
        `relay-${event.role}-${utterance++}`,
        event.role,
        event.text.trim(),
      ).catch(() => undefined);
    }
    send(event);
    if (event.type === "close") call.end();
  };
  const relay = openOpenAIRelay({ apiBase: openaiApiBase(config), apiKey, session, emit });
  const timer = setTimeout(() => {
    emit({ type: "error", message: `the call reached its time limit (${Math.round(ttlMs / 1000)} s)` });
    emit({ type: "close", reason: "timeout" });
  }, ttlMs);
  timer.unref();
  const call: RelayCall = {
    connId,
    sessionKey: key,
    relay,
    pendingToolCalls: new Set(),
    end() {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      forget();
      relay.close();
      calls.delete(id);
      voiceSessions(gateway).delete(id);
    },
  };
  calls.set(id, call);
  // The browser's socket closing ends its calls: nobody is left to hear them.
  forget = gateway.clients.onDisconnect(connId, () => call.end());
  try {
    await relay.ready;
  } catch (err) {
    call.end();
    throw unavailable((err as Error).message, "TALK_PROVIDER_ERROR");
  }
  return {
    sessionId: id,
    provider,
    mode: "realtime",
    transport: "gateway-relay",
    brain: "agent-consult",
    relaySessionId: id,
    audio: AUDIO,
    model,
    voice: voiceName,
    expiresAt: Date.now() + ttlMs,
  };
}

const sessionId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

export const talkRelayMethods = {
  "talk.session.create": defineMethod({
    scope: "operator.write",
    // OpenClaw's params for a realtime relay; model, voice and prompt come from config only.
    params: z.strictObject({
      sessionKey: z.string().min(1).max(512).optional(),
      provider: z.string().optional(),
      mode: z.literal("realtime").optional(),
      transport: z.literal("gateway-relay").optional(),
      brain: z.literal("agent-consult").optional(),
      capabilities: z.array(z.string()).max(8).optional(),
      ttlMs: z.number().int().min(1_000).max(3_600_000).optional(),
    }),
    handle: (p, { gateway, connId }) => createRelay(gateway, connId, p),
  }),
  "talk.session.appendAudio": defineMethod({
    scope: "operator.write",
    params: z.strictObject({
      sessionId,
      audioBase64: z.string().min(1),
      timestamp: z.number().optional(),
    }),
    handle: (p, { gateway, connId }) => {
      const call = ownCall(gateway, p.sessionId, connId);
      const bytes = Buffer.byteLength(p.audioBase64, "base64");
      if (bytes > MAX_AUDIO_CHUNK_BYTES) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `audio chunk of ${bytes} bytes is over the ${MAX_AUDIO_CHUNK_BYTES}-byte limit: append smaller chunks`,
        );
      }
      try {
        call.relay.appendAudio(p.audioBase64);
      } catch (err) {
        throw unavailable((err as Error).message, "TALK_PROVIDER_BUSY");
      }
      return { ok: true };
    },
  }),
  "talk.session.submitToolResult": defineMethod({
    scope: "operator.write",
    params: z.strictObject({
      sessionId,
      callId: z.string().min(1).max(256),
      result: z.unknown(),
      options: z
        .strictObject({ suppressResponse: z.boolean().optional(), willContinue: z.boolean().optional() })
        .optional(),
    }),
    handle: (p, { gateway, connId }) => {
      const call = ownCall(gateway, p.sessionId, connId);
      // Checked before the call is taken as answered: a refused result leaves it open for another.
      checkToolPayload("tool result", p.result);
      if (!call.pendingToolCalls.delete(p.callId)) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `no pending tool call "${p.callId}" in this Talk session`,
        );
      }
      call.relay.toolResult(p.callId, p.result ?? null);
      return { ok: true };
    },
  }),
  "talk.session.steer": defineMethod({
    scope: "operator.write",
    params: z.strictObject({
      sessionId,
      sessionKey: z.string().min(1).max(512).optional(),
      text: z.string().min(1).max(4_000),
      mode: z.enum(["status", "steer", "cancel", "followup"]).optional(),
    }),
    handle: (p, { gateway, connId }) => steer(gateway, ownCall(gateway, p.sessionId, connId), p),
  }),
  "talk.session.close": defineMethod({
    scope: "operator.write",
    params: z.strictObject({ sessionId }),
    handle: (p, { gateway, connId }) => {
      const call = relayCalls(gateway).get(p.sessionId);
      if (call?.connId === connId) {
        gateway.clients.sendTo(connId, "talk.event", {
          relaySessionId: p.sessionId,
          type: "close",
          reason: "completed",
        });
        call.end();
      }
      return { ok: true };
    },
  }),
};

const SPOKEN_CANCEL = /^\s*(stop|cancel|never ?mind|forget it|abort)\b/i;

/**
 * OpenClaw's voice control of the work this call started: `status` says whether a consult
 * is running, `cancel` aborts it, `steer` and `followup` queue the words as the chat's next
 * turn (this gateway cannot change a running turn). Omitted mode: "stop"/"cancel"… cancel,
 * anything else follows up.
 */
async function steer(
  gateway: GatewayContext,
  call: RelayCall,
  p: { sessionId: string; text: string; mode?: "status" | "steer" | "cancel" | "followup" },
) {
  const mode = p.mode ?? (SPOKEN_CANCEL.test(p.text) ? "cancel" : "followup");
  const runs = voiceSessions(gateway).get(p.sessionId)?.runs ?? new Set<string>();
  const active = runs.size > 0;
  const base = {
    mode,
    sessionKey: call.sessionKey,
    sessionId: p.sessionId,
    active,
    show: false,
    suppress: false,
  };
  if (mode === "status") {
    const message = active ? "Still working on it." : "Nothing is running.";
    return { ok: true, ...base, message, speak: true };
  }
  if (mode === "cancel") {
    if (!active)
      return { ok: false, ...base, reason: "no_active_run", message: "Nothing is running.", speak: true };
    let aborted = 0;
    for (const runId of runs) aborted += gateway.agents.abort(call.sessionKey, runId);
    return { ok: true, ...base, aborted: aborted > 0, message: "Stopped.", speak: true };
  }
  const run = gateway.agents.send({
    sessionKey: call.sessionKey,
    text: p.text,
    idempotencyKey: `talk:${p.sessionId}:steer:${Date.now()}`,
    submitter: `ws:${call.connId}`,
  });
  await run.accepted;
  void run.done.catch(() => undefined);
  return { ok: true, ...base, queued: true, message: "Queued after the current task.", speak: false };
}
