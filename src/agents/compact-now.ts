import type { Logger } from "../infra/logger.js";
import type { SessionStore } from "../sessions/store.js";
import type { ResolvedAgent } from "./agent-config.js";
import { type CompactionResult, compactIfNeeded, compactionPlan } from "./compaction.js";
import { contextFromTranscript } from "./history.js";
import type { ModelCache } from "./model-cache.js";
import { DEFAULT_CONTEXT_TOKENS } from "./runner.js";

/** `sessions.compact`'s answer: the summary written, or why none was. */
export type CompactOutcome =
  | { compacted: true; result: CompactionResult }
  | { compacted: false; reason: "no-session" | "nothing-to-compact" };

/**
 * Compacts a session now, whatever its size (OpenClaw's `sessions.compact`): the older
 * turns become a summary line, the newest turns that fit the kept share stay verbatim.
 * The caller runs it in the session's queue, so it never races a turn.
 */
export async function compactNow(deps: {
  store: SessionStore;
  models: ModelCache;
  agent: ResolvedAgent;
  sessionKey: string;
  reserveTokensFloor?: number;
  signal: AbortSignal;
  log: Logger;
}): Promise<CompactOutcome> {
  const { store, models, agent, sessionKey } = deps;
  const entry = store.get(sessionKey);
  if (!entry) return { compacted: false, reason: "no-session" };
  const chain = models.modelChain(agent, entry.modelOverride as string | undefined);
  const transcript = store.transcript(entry.sessionId);
  const plan = compactionPlan({
    contextTokens: agent.contextTokens ?? models.contextWindow(chain[0]!) ?? DEFAULT_CONTEXT_TOKENS,
    systemPromptChars: 0,
    reserveTokensFloor: deps.reserveTokensFloor,
  });
  const result = await compactIfNeeded({
    transcript,
    failover: models.failover(agent.id),
    models: chain,
    plan,
    history: contextFromTranscript(await transcript.read()),
    signal: deps.signal,
    log: deps.log,
    force: true,
  });
  if (!result) return { compacted: false, reason: "nothing-to-compact" };
  store.update(sessionKey, { compactionCount: (store.get(sessionKey)?.compactionCount ?? 0) + 1 });
  return { compacted: true, result };
}
