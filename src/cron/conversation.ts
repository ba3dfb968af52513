import { type OutboundTarget, targetFromOrigin } from "../agents/outbound.js";
import { agentIdFromSessionKey } from "../routing/session-key.js";
import type { SessionStore } from "../sessions/store.js";

/**
 * What a `current` job needs of the conversation it was made in: its recent messages (the
 * run's context), a way to commit the run's result into it, and its chat route.
 */
export interface ConversationPort {
  /** The session's last `max` user and assistant messages, oldest first, as `role: text`. */
  tail(sessionKey: string, max: number): Promise<string[]>;
  /** Appends `text` as an assistant message, after the session's queued turns (never inside one). */
  commit(sessionKey: string, text: string): Promise<void>;
  /** Where the session talks in a chat app, if it does. */
  route(sessionKey: string): Promise<OutboundTarget | undefined>;
}

/** Longest single message quoted into a `current` run's context: a tail, not a transcript dump. */
export const MAX_TAIL_MESSAGE_CHARS = 2_000;

/** The port over the agents' session stores (AgentRuntime has what it needs). */
export function createConversationPort(agents: {
  store(agentId: string): Promise<SessionStore>;
  defaultAgentId(): string;
  afterQueuedTurns<T>(sessionKey: string, task: (canonicalKey: string) => Promise<T>): Promise<T>;
}): ConversationPort {
  const storeOf = (key: string) => agents.store(agentIdFromSessionKey(key) ?? agents.defaultAgentId());
  return {
    // Read in the session's lane too, so a turn half-written is never quoted.
    tail: (sessionKey, max) =>
      agents.afterQueuedTurns(sessionKey, async (key) => {
        const store = await storeOf(key);
        const entry = store.get(key);
        if (!entry) return [];
        const lines: string[] = [];
        for (const e of await store.transcript(entry.sessionId).messages()) {
          const m = e.message;
          if (!m || (m.role !== "user" && m.role !== "assistant")) continue;
          const text = m.content
            .map((c) =>
              (c as { type?: string; text?: string }).type === "text" ? (c as { text: string }).text : "",
            )
            .join("")
            .trim();
          if (text) lines.push(`${m.role}: ${text.slice(0, MAX_TAIL_MESSAGE_CHARS)}`);
        }
        return lines.slice(-max);
      }),
    commit: (sessionKey, text) =>
      agents.afterQueuedTurns(sessionKey, async (key) => {
        const store = await storeOf(key);
        const entry = await store.ensure(key);
        await store
          .transcript(entry.sessionId)
          .appendMessage({ role: "assistant", content: [{ type: "text", text }] }, { durable: true });
      }),
    route: (sessionKey) =>
      agents.afterQueuedTurns(sessionKey, async (key) => {
        const entry = (await storeOf(key)).get(key);
        return targetFromOrigin(entry?.origin) ?? targetFromOrigin(entry);
      }),
  };
}
