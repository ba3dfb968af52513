import { randomUUID } from "node:crypto";
import { canonicalSessionKey } from "../../routing/session-key.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";

/**
 * The gateway's live Talk calls (OpenClaw's voice sessions), whatever carries their audio:
 * each is bound to one chat session, lives at most 30 minutes, and saves its finalized
 * speech into that session once per entry id.
 */

/** OpenClaw's runtime bounds: 8 live calls per gateway, 30 minutes each. */
const MAX_VOICE_SESSIONS = 8;
export const VOICE_SESSION_TTL_MS = 30 * 60_000;
/** Transcript entries one call may save: a long call, not an unbounded write. */
const MAX_TRANSCRIPT_ENTRIES = 2_000;

export interface VoiceSession {
  sessionKey: string;
  expiresAt: number;
  entries: Set<string>;
  /** The agent runs its consults started (what `talk.session.steer` cancels). */
  runs: Set<string>;
}

const live = new WeakMap<GatewayContext, Map<string, VoiceSession>>();
export function voiceSessions(gateway: GatewayContext): Map<string, VoiceSession> {
  const map = live.get(gateway) ?? new Map<string, VoiceSession>();
  live.set(gateway, map);
  const now = Date.now();
  for (const [id, s] of map) if (s.expiresAt <= now) map.delete(id);
  return map;
}

/** OpenClaw's cap on what a realtime tool call carries either way (its arguments, its result), UTF-8 bytes of its JSON. */
const MAX_TOOL_PAYLOAD_BYTES = 256_000;

/** Refuses a tool call's arguments or result (`what`) over {@link MAX_TOOL_PAYLOAD_BYTES}. */
export function checkToolPayload(what: string, value: unknown): void {
  if (Buffer.byteLength(JSON.stringify(value ?? null)) > MAX_TOOL_PAYLOAD_BYTES) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `${what} over ${MAX_TOOL_PAYLOAD_BYTES} bytes`);
  }
}

export const unavailable = (message: string, code: string) =>
  new GatewayRequestError(ErrorCodes.UNAVAILABLE, message, { details: { code } });

export const canonical = (gateway: GatewayContext, key: string) =>
  canonicalSessionKey(gateway.config().config.agents?.list, key);

/** Refuses a new call past the gateway's bound. */
export function checkVoiceCapacity(gateway: GatewayContext): void {
  if (voiceSessions(gateway).size >= MAX_VOICE_SESSIONS) {
    throw unavailable(`at most ${MAX_VOICE_SESSIONS} Talk sessions at once: stop one first`, "TALK_BUSY");
  }
}

/** Registers a call for the canonical `sessionKey`; returns its voiceSessionId. */
export function openVoiceSession(gateway: GatewayContext, sessionKey: string): string {
  const id = randomUUID();
  voiceSessions(gateway).set(id, {
    sessionKey,
    expiresAt: Date.now() + VOICE_SESSION_TTL_MS,
    entries: new Set(),
    runs: new Set(),
  });
  return id;
}

/** The call a request names, bound to the same session key; refused once closed or expired. */
export function voiceSession(gateway: GatewayContext, id: string, key: string): VoiceSession {
  const session = voiceSessions(gateway).get(id);
  if (!session || session.sessionKey !== canonical(gateway, key)) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "unknown or closed Talk session");
  }
  return session;
}

/** Saves one finalized utterance into the call's chat session (once per `entryId`). */
export async function saveUtterance(
  gateway: GatewayContext,
  voiceSessionId: string,
  call: VoiceSession,
  entryId: string,
  role: "user" | "assistant",
  text: string,
): Promise<void> {
  if (call.entries.has(entryId)) return;
  if (call.entries.size >= MAX_TRANSCRIPT_ENTRIES) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "this Talk session saved its most entries");
  }
  call.entries.add(entryId);
  const agents = gateway.agents;
  await agents.afterQueuedTurns(call.sessionKey, async (key) => {
    const store = await agents.store(agents.agentFor(key).id);
    const entry = await store.ensure(key);
    await store
      .transcript(entry.sessionId)
      .appendMessage(
        { role, content: [{ type: "text", text }], talk: { voiceSessionId } },
        { durable: true },
      );
  });
}
