import type { Logger } from "../infra/logger.js";
import type { Failover, Message, ModelRef } from "../providers/index.js";
import type { Transcript, TranscriptEntry } from "../sessions/transcript.js";
import { type CompactionLine, estimateTokens, fitToBudget, transcriptToMessages } from "./history.js";

/** Compact when the conversation passes this share of the context budget… */
export const COMPACT_AT = 0.8;
/** …keeping the newest turns that fit this share verbatim. */
const KEEP_SHARE = 0.4;

const SUMMARY_PROMPT =
  "You compress chat history for an assistant. Summarise the conversation below in under 400 words: " +
  "facts about the user, decisions made, open tasks, and anything the assistant promised. " +
  "Plain prose, no preamble.";

/**
 * Summarises the older part of a conversation that no longer fits the context
 * window, and records a `compaction` line in the transcript (older lines stay on
 * disk untouched). Returns true when a compaction was written.
 */
export async function compactIfNeeded(deps: {
  transcript: Transcript;
  failover: Failover;
  models: ModelRef[];
  budgetTokens: number;
  history: Message[];
  signal: AbortSignal;
  log: Logger;
}): Promise<boolean> {
  const tokensBefore = estimateTokens(deps.history);
  if (tokensBefore <= deps.budgetTokens * COMPACT_AT) return false;
  const lines = await deps.transcript.read();
  const entries = lines.filter((l): l is TranscriptEntry => l.type === "message");
  // Walk back over entries until the kept part fills its share; cut at a user message.
  const keepBudget = deps.budgetTokens * KEEP_SHARE;
  let firstKept = entries.length;
  while (firstKept > 0) {
    const kept = fitToBudget(transcriptToMessages(entries.slice(firstKept - 1)), keepBudget);
    if (kept.length < transcriptToMessages(entries.slice(firstKept - 1)).length) break;
    firstKept--;
  }
  while (firstKept < entries.length && entries[firstKept]!.message?.role !== "user") firstKept++;
  const older = transcriptToMessages(entries.slice(0, firstKept));
  if (older.length === 0 || firstKept >= entries.length) return false;

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
      deps.log.warn(`compaction failed (${event.error.message}); older turns are left out instead`);
      return false;
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
  return true;
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
