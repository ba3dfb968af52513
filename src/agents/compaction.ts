import type { Logger } from "../infra/logger.js";
import type { Failover, Message, ModelRef } from "../providers/index.js";
import type { Transcript, TranscriptEntry } from "../sessions/transcript.js";
import { type CompactionLine, estimateTokens, transcriptToMessages } from "./history.js";

/** Compact when the conversation passes this share of the context budget… */
export const COMPACT_AT = 0.8;
/** …keeping the newest turns that fit this share verbatim. */
const KEEP_SHARE = 0.4;
/** Tokens kept free for the answer when `reserveTokensFloor` asks for no more (a long reply fits). */
export const ANSWER_RESERVE_TOKENS = 8_000;
/** The history budget never drops below this, however large the system prompt: a turn always has room. */
export const MIN_BUDGET_TOKENS = 4_000;
/** OpenClaw's `memoryFlush.softThresholdTokens` default: the flush comes this many tokens before compaction. */
export const DEFAULT_SOFT_THRESHOLD_TOKENS = 4_000;
/** OpenClaw caps the reserve at this share of the window, so a small model keeps room for the conversation. */
const MAX_RESERVE_SHARE = 0.25;

/** Where, in tokens of conversation history, a session is cut, compacted and flushed. */
export interface CompactionPlan {
  /** History sent to the model at most (the newest turns that fit). */
  budgetTokens: number;
  /** Compaction runs when the history passes this. */
  compactAt: number;
  /** The memory flush runs when the history passes this (once per compaction cycle). */
  flushAt: number;
}

/**
 * The thresholds for one turn. The budget is the window less the system prompt (about 4
 * characters a token) and the reserve: ANSWER_RESERVE_TOKENS, or `reserveTokensFloor` when
 * that is larger (capped at a quarter of the window, as OpenClaw does). Compaction comes at
 * COMPACT_AT of the budget, the flush `softThresholdTokens` before it. A margin that leaves
 * nothing (a small window) flushes at the compaction mark itself, right before compacting,
 * rather than never; 0 does the same on purpose.
 */
export function compactionPlan(opts: {
  contextTokens: number;
  systemPromptChars: number;
  reserveTokensFloor?: number;
  softThresholdTokens?: number;
}): CompactionPlan {
  const floor = Math.min(Math.max(opts.reserveTokensFloor ?? 0, 0), opts.contextTokens * MAX_RESERVE_SHARE);
  const reserve = Math.max(ANSWER_RESERVE_TOKENS, floor);
  const budgetTokens = Math.floor(
    Math.max(opts.contextTokens - Math.ceil(opts.systemPromptChars / 4) - reserve, MIN_BUDGET_TOKENS),
  );
  const compactAt = Math.floor(budgetTokens * COMPACT_AT);
  const soft = Math.max(opts.softThresholdTokens ?? DEFAULT_SOFT_THRESHOLD_TOKENS, 0);
  return { budgetTokens, compactAt, flushAt: compactAt - soft > 0 ? compactAt - soft : compactAt };
}

const SUMMARY_PROMPT =
  "You compress chat history for an assistant. Summarise the conversation below in under 400 words: " +
  "facts about the user, decisions made, open tasks, and anything the assistant promised. " +
  "Plain prose, no preamble.";

/** What a compaction wrote (OpenClaw's `sessions.compact` result fields). */
export interface CompactionResult {
  summary: string;
  firstKeptEntryId: string;
  tokensBefore: number;
}

/**
 * Summarises the older part of a conversation that no longer fits the context
 * window, and records a `compaction` line in the transcript (older lines stay on
 * disk untouched). Returns what was written, or undefined when nothing was: the
 * history is under `plan.compactAt` (`force` skips that check), everything fits the kept
 * share, or the model failed.
 */
export async function compactIfNeeded(deps: {
  transcript: Transcript;
  failover: Failover;
  models: ModelRef[];
  plan: CompactionPlan;
  history: Message[];
  signal: AbortSignal;
  log: Logger;
  /** Compact now whatever the size (`sessions.compact`); the newest turns that fit the kept share stay verbatim. */
  force?: boolean;
}): Promise<CompactionResult | undefined> {
  const tokensBefore = estimateTokens(deps.history);
  if (!deps.force && tokensBefore <= deps.plan.compactAt) return undefined;
  const lines = await deps.transcript.read();
  const entries = lines.filter((l): l is TranscriptEntry => l.type === "message");
  // Walk back over entries until the kept part fills its share; cut at a user message.
  const keepBudget = deps.plan.budgetTokens * KEEP_SHARE;
  let firstKept = entries.length;
  // (By size, not by fitToBudget: that drops a leading assistant message, so a slice
  // starting at a reply never "fitted" and nothing before the newest user message was kept.)
  while (firstKept > 0 && estimateTokens(transcriptToMessages(entries.slice(firstKept - 1))) <= keepBudget) {
    firstKept--;
  }
  // The newest user message stays verbatim however big it is: the model must see what it answers.
  const newestUser = entries.findLastIndex((e) => e.message?.role === "user");
  if (newestUser >= 0) firstKept = Math.min(firstKept, newestUser);
  while (firstKept < entries.length && entries[firstKept]!.message?.role !== "user") firstKept++;
  const older = transcriptToMessages(entries.slice(0, firstKept));
  if (older.length === 0 || firstKept >= entries.length) return undefined;

  let summary = "";
  for await (const event of deps.failover.stream(
    {
      models: deps.models,
      systemPrompt: SUMMARY_PROMPT,
      messages: [{ role: "user", content: [{ type: "text", text: render(older) }] }],
    },
    { signal: deps.signal },
  )) {
    if (event.type === "text_delta") summary += event.delta;
    if (event.type === "error") {
      // Asked for (`sessions.compact`): the caller hears why; in a turn, the turn goes on without.
      if (deps.force) throw new Error(`compaction failed: ${event.error.message}`);
      deps.log.warn(`compaction failed (${event.error.message}); older turns are left out instead`);
      return undefined;
    }
  }
  const line: Omit<CompactionLine, "type"> & { type: "compaction" } = {
    type: "compaction",
    summary: summary.trim(),
    firstKeptEntryId: entries[firstKept]!.id,
    tokensBefore,
  };
  await deps.transcript.append(line as never);
  deps.log.info(`compacted ${older.length} older message(s) (~${tokensBefore} tokens) into a summary`);
  return { summary: line.summary, firstKeptEntryId: line.firstKeptEntryId, tokensBefore };
}

function render(messages: Message[]): string {
  return messages
    .map((m) => {
      const text =
        typeof m.content === "string"
          ? m.content
          : m.content
              .map((c) => ("text" in c ? c.text : c.type === "toolCall" ? `[tool ${c.name}]` : ""))
              .join("");
      return `${m.role}: ${text}`;
    })
    .join("\n\n");
}
