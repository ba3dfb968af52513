import type { Logger } from "../infra/logger.js";
import { localDate } from "../memory/index.js";
import type { Failover, Message, ModelRef } from "../providers/index.js";
import { streamRound } from "./round.js";
import { type AgentTool, runTool, type ToolContext, type toolDefinitions } from "./tools/index.js";

/** OpenClaw's defaults for `agents.defaults.compaction.memoryFlush`. */
export const DEFAULT_FLUSH_SYSTEM_PROMPT = "Session nearing compaction. Store durable memories now.";
export const DEFAULT_FLUSH_PROMPT =
  "Write any lasting notes to memory/YYYY-MM-DD.md; reply with NO_REPLY if nothing to store.";
/** A flush is a short housekeeping turn: a model that keeps calling tools is stopped here. */
export const MAX_FLUSH_ROUNDS = 6;

export interface MemoryFlushSettings {
  enabled?: boolean;
  systemPrompt?: string;
  prompt?: string;
  softThresholdTokens?: number;
}

/** A resolved memory flush: its prompts and how long before compaction it comes. */
export interface MemoryFlush {
  systemPrompt: string;
  prompt: string;
  softThresholdTokens?: number;
}

/** The flush settings, or undefined when `memoryFlush.enabled` is false. */
export function resolveMemoryFlush(settings: MemoryFlushSettings | undefined): MemoryFlush | undefined {
  if (settings?.enabled === false) return undefined;
  return {
    systemPrompt: settings?.systemPrompt ?? DEFAULT_FLUSH_SYSTEM_PROMPT,
    prompt: settings?.prompt ?? DEFAULT_FLUSH_PROMPT,
    ...(settings?.softThresholdTokens !== undefined
      ? { softThresholdTokens: settings.softThresholdTokens }
      : {}),
  };
}

/** The session row's record of flushes (OpenClaw's field names). */
export interface FlushRecord {
  compactionCount?: number;
  memoryFlushCompactionCount?: number;
}

/**
 * Whether the flush is due: the history passed the plan's flush mark, and no flush ran
 * since the last compaction (once per compaction cycle, as OpenClaw does: a conversation
 * sitting between the flush mark and compaction is not flushed on every turn).
 */
export function shouldFlushMemory(
  historyTokens: number,
  flushAt: number,
  row: FlushRecord | undefined,
): boolean {
  if (historyTokens < flushAt) return false;
  return row?.memoryFlushCompactionCount !== (row?.compactionCount ?? 0);
}

/**
 * The silent turn before compaction (OpenClaw's memory flush): the model sees the whole
 * conversation once more with a reminder to write durable notes, and may use its tools
 * (write, edit) to do so. Nothing of it reaches the user or the transcript; what it
 * wrote is in the memory files, which compaction does not touch.
 */
export async function flushMemory(deps: {
  failover: Failover;
  models: ModelRef[];
  systemPrompt: string;
  flush: MemoryFlush;
  tools: readonly AgentTool[];
  toolDefs: ReturnType<typeof toolDefinitions>;
  context: ToolContext;
  history: Message[];
  signal: AbortSignal;
  log: Logger;
}): Promise<void> {
  const prompt = deps.flush.prompt.replaceAll("YYYY-MM-DD", localDate(new Date()));
  const messages: Message[] = [...deps.history, { role: "user", content: [{ type: "text", text: prompt }] }];
  const request = {
    models: deps.models,
    systemPrompt: `${deps.systemPrompt}\n\n${deps.flush.systemPrompt}`,
    messages,
    tools: deps.toolDefs,
  };
  let written = 0;
  for (let round = 0; round < MAX_FLUSH_ROUNDS; round++) {
    const result = await streamRound(deps.failover, request, {
      signal: deps.signal,
      onDelta: () => undefined,
    });
    if (result.failure || !result.message) {
      deps.log.warn(`memory flush skipped: ${result.failure?.message ?? "the model returned nothing"}`);
      return;
    }
    messages.push(result.message);
    const calls = result.message.content.filter((c) => c.type === "toolCall");
    if (calls.length === 0) break;
    for (const call of calls) {
      const out = await runTool(deps.tools, call.name, call.arguments, deps.context);
      if (!out.isError && (call.name === "write" || call.name === "edit")) written++;
      messages.push({
        role: "toolResult",
        toolCallId: call.id,
        toolName: call.name,
        content: out.content,
        ...(out.isError ? { isError: true } : {}),
      });
    }
  }
  deps.log.info(`memory flush before compaction: ${written} file write(s)`);
}
