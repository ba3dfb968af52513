import type { Logger } from "../infra/logger.js";
import type { SessionStore } from "../sessions/store.js";
import type { InboxEntry } from "./inbox.js";
import type { TurnOutcome } from "./runner.js";

/** What replaying needs from the runtime: a way to run a message again, and to drop it. */
export interface ReplayDeps {
  /**
   * Queues the entry's message again (its reply goes where the message came from, as for
   * any chat-app message); throws when its agent no longer exists.
   */
  rerun(entry: InboxEntry): { done: Promise<TurnOutcome> };
  /** Marks an entry handled without running it. */
  drop(id: string): void;
  log: Logger;
}

/** Runs journaled messages again, in order. */
export function replayJournal(pending: readonly InboxEntry[], deps: ReplayDeps): void {
  for (const entry of pending) {
    try {
      deps.rerun(entry);
    } catch (err) {
      // Its agent was removed from agents.list since: nothing can answer it any more.
      deps.log.error(`not replaying message ${entry.id} for ${entry.sessionKey}: ${(err as Error).message}`);
      deps.drop(entry.id);
    }
  }
}

/**
 * How far a journaled run got before the crash: not started (no user message in the
 * transcript), started (user message, no final answer), or answered (the text).
 */
export async function replayProgress(
  store: SessionStore,
  sessionKey: string,
  runId: string,
): Promise<{ started: boolean; answered?: string }> {
  const entry = store.get(sessionKey);
  if (!entry) return { started: false };
  const messages = (await store.transcript(entry.sessionId).messages()).map((e) => e.message!);
  const at = messages.findIndex((m) => m.role === "user" && m.runId === runId);
  if (at < 0) return { started: false };
  const final = messages
    .slice(at + 1)
    .find(
      (m) =>
        m.role === "assistant" &&
        !m.stopReason &&
        !(m.content as { type: string }[]).some((c) => c.type === "toolCall"),
    );
  if (!final) return { started: true };
  const text = (final.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("");
  return { started: true, answered: text };
}
