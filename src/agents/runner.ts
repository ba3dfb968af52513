import type { Logger } from "../infra/logger.js";
import type {
  AnsweredBy,
  AssistantMessage,
  Failover,
  FallbackStep,
  FastMode,
  Message,
  ModelRef,
  ThinkingLevel,
  Usage,
} from "../providers/index.js";
import { fallbackNote } from "../sessions/notes.js";
import type { SessionEntry, SessionStore } from "../sessions/store.js";
import type { Transcript } from "../sessions/transcript.js";
import { compactIfNeeded, compactionPlan } from "./compaction.js";
import { contextFromTranscript, estimateTokens, fitToBudget } from "./history.js";
import { flushMemory, type MemoryFlush, shouldFlushMemory } from "./memory-flush.js";
import { addUsage, emptyUsage, type RoundResult, streamRound } from "./round.js";
import { runToolCalls } from "./tool-calls.js";
import { type AgentTool, type ToolContext, toolDefinitions } from "./tools/index.js";

/** A model that keeps asking for tools is stopped after this many rounds. */
export const MAX_TOOL_ROUNDS = 24;
export const DEFAULT_CONTEXT_TOKENS = 128_000;

export type TurnEvent =
  | { type: "delta"; text: string }
  | { type: "tool"; phase: "start"; id: string; name: string; args: unknown }
  | { type: "tool"; phase: "end"; id: string; name: string; isError: boolean; result: string }
  /** The model failed before its first token; the turn goes on with the next one. */
  | ({ type: "fallback" } & FallbackStep)
  | { type: "final"; text: string; message: AssistantMessage; answeredBy?: AnsweredBy; usage: Usage }
  | { type: "error"; message: string; kind: string; answeredBy?: AnsweredBy }
  | { type: "aborted"; text: string };

export interface TurnInput {
  runId: string;
  sessionKey: string;
  text: string;
  images?: { data: string; mimeType: string }[];
  idempotencyKey?: string;
  /** Where the message came from (kept on the session entry so replies can route back). */
  origin?: Partial<SessionEntry>;
  /** The user message is already in the transcript (a turn cut by a crash): continue from it. */
  resume?: boolean;
  signal: AbortSignal;
  onEvent(event: TurnEvent): void;
}

export interface TurnDeps {
  store: SessionStore;
  failover: Failover;
  models: ModelRef[];
  /** The session's or turn's Fast mode (each model's own default when undefined), and when the turn began. */
  fast?: { mode: FastMode | undefined; turnStartedAtMs: number };
  /** The turn's or session's thinking level (each model's default when undefined). */
  thinkingLevel?: ThinkingLevel;
  systemPrompt: string;
  tools: AgentTool[];
  /** The tools' JSON Schemas, when the caller already built them. */
  toolDefs?: ReturnType<typeof toolDefinitions>;
  toolContext: Omit<ToolContext, "signal" | "sessionKey">;
  contextTokens?: number;
  /** The message is already fsynced in the write-ahead journal (see inbox.ts). */
  journaled?: boolean;
  /** The memory flush (a silent turn before compaction); undefined when off. */
  memoryFlush?: MemoryFlush;
  /** `compaction.reserveTokensFloor`: tokens kept free for the answer, at least. */
  reserveTokensFloor?: number;
  log: Logger;
}

export type TurnOutcome = { status: "ok" | "error" | "aborted"; text: string; answeredBy?: AnsweredBy };

/**
 * One agent turn: the user message is written (fsynced) before anything else, so an
 * acknowledged message survives a crash; then model rounds with tool calls until the
 * model stops, each assistant message and tool result appended as it completes.
 */
export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<TurnOutcome> {
  const { transcript, messages } = await prepareTurn(deps, input);
  const request = {
    models: deps.models,
    systemPrompt: deps.systemPrompt,
    messages,
    tools: deps.toolDefs ?? toolDefinitions(deps.tools),
    ...(deps.fast?.mode !== undefined ? { fastMode: deps.fast.mode } : {}),
    turnStartedAtMs: deps.fast?.turnStartedAtMs ?? Date.now(),
    ...(deps.thinkingLevel !== undefined ? { thinkingLevel: deps.thinkingLevel } : {}),
  };
  const context: ToolContext = { ...deps.toolContext, sessionKey: input.sessionKey, signal: input.signal };
  const usage = emptyUsage();
  let text = "";
  for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
    const result = await streamRound(deps.failover, request, {
      signal: input.signal,
      onDelta: (delta) => input.onEvent({ type: "delta", text: delta }),
      onFallback: (step) => {
        input.onEvent({ type: "fallback", ...step });
        // Kept in the transcript (queued before the answer's lines) so the note survives a reload.
        transcript
          .append(fallbackNote(step))
          .catch((err) =>
            deps.log.warn(`run ${input.runId}: fallback not recorded: ${(err as Error).message}`),
          );
      },
    });
    addUsage(usage, result.usage);
    text += result.text;
    const ended = await recordRound(deps, input, transcript, result, { text, usage });
    if (ended) return ended;
    const message = result.message!;
    messages.push(message);
    const calls = message.content.filter((c) => c.type === "toolCall");
    if (calls.length === 0) {
      const { answeredBy } = result;
      if (answeredBy)
        deps.log.info(
          `run ${input.runId} answered by ${answeredBy.model.provider}/${answeredBy.model.model}`,
        );
      input.onEvent({ type: "final", text, message, answeredBy, usage });
      return { status: "ok", text, answeredBy };
    }
    await runToolCalls(calls, { tools: deps.tools, context, transcript, messages, onEvent: input.onEvent });
  }
  const why = `stopped after ${MAX_TOOL_ROUNDS} tool rounds`;
  input.onEvent({ type: "error", message: why, kind: "tool_loop" });
  return { status: "error", text };
}

/** Writes the user message (unless resuming), compacts if needed, and fits the history to the budget. */
async function prepareTurn(
  deps: TurnDeps,
  input: TurnInput,
): Promise<{ transcript: Transcript; messages: Message[] }> {
  const { store } = deps;
  const entry = await store.ensure(input.sessionKey, input.origin);
  if (input.origin) store.update(input.sessionKey, input.origin);
  const transcript = store.transcript(entry.sessionId);
  if (!input.resume) {
    const content = [
      { type: "text" as const, text: input.text },
      ...(input.images ?? []).map((img) => ({ type: "image" as const, ...img })),
    ];
    await transcript.appendMessage(
      {
        role: "user",
        content,
        runId: input.runId,
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      },
      // With the journal holding the message durably, the transcript line needs no fsync of its own.
      { durable: !deps.journaled },
    );
  }
  const plan = compactionPlan({
    contextTokens: deps.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
    systemPromptChars: deps.systemPrompt.length,
    reserveTokensFloor: deps.reserveTokensFloor,
    softThresholdTokens: deps.memoryFlush?.softThresholdTokens,
  });
  let history = contextFromTranscript(await transcript.read());
  const row = store.get(input.sessionKey);
  if (deps.memoryFlush && shouldFlushMemory(estimateTokens(history), plan.flushAt, row)) {
    // Compaction is near: first let the model write down what lasts (once per compaction cycle).
    await flushMemory({
      failover: deps.failover,
      models: deps.models,
      systemPrompt: deps.systemPrompt,
      flush: deps.memoryFlush,
      tools: deps.tools,
      toolDefs: deps.toolDefs ?? toolDefinitions(deps.tools),
      context: { ...deps.toolContext, sessionKey: input.sessionKey, signal: input.signal },
      history,
      signal: input.signal,
      log: deps.log,
    });
    store.update(input.sessionKey, {
      memoryFlushAt: Date.now(),
      memoryFlushCompactionCount: row?.compactionCount ?? 0,
    });
  }
  const compacted = await compactIfNeeded({
    transcript,
    failover: deps.failover,
    models: deps.models,
    plan,
    history,
    signal: input.signal,
    log: deps.log,
  });
  if (compacted) {
    store.update(input.sessionKey, {
      compactionCount: (store.get(input.sessionKey)?.compactionCount ?? 0) + 1,
    });
    history = contextFromTranscript(await transcript.read());
  }
  return { transcript, messages: fitToBudget(history, plan.budgetTokens) };
}

/**
 * Appends the round's message and usage; returns the turn's outcome when the round
 * ended it (aborted, failed, or nothing returned), else undefined.
 */
async function recordRound(
  deps: TurnDeps,
  input: TurnInput,
  transcript: Transcript,
  round: RoundResult,
  sofar: { text: string; usage: Usage },
): Promise<TurnOutcome | undefined> {
  const { message, answeredBy, failure } = round;
  const aborted = failure?.kind === "aborted" || input.signal.aborted;
  const stopReason = failure ? (aborted ? "aborted" : "error") : undefined;
  if (message) {
    await transcript.appendMessage({
      ...message,
      ...(answeredBy ? { provider: answeredBy.model.provider, model: answeredBy.model.model } : {}),
      usage: { ...round.usage },
      ...(stopReason ? { stopReason, ...(failure ? { errorMessage: failure.message } : {}) } : {}),
    });
  }
  recordUsage(deps.store, input.sessionKey, round.usage, answeredBy);
  if (aborted) {
    input.onEvent({ type: "aborted", text: sofar.text });
    return { status: "aborted", text: sofar.text, answeredBy };
  }
  if (failure || !message) {
    const why = failure?.message ?? "the model returned nothing";
    deps.log.warn(`run ${input.runId} failed: ${why}`);
    input.onEvent({ type: "error", message: why, kind: failure?.kind ?? "unknown", answeredBy });
    return { status: "error", text: sofar.text, answeredBy };
  }
  return undefined;
}

function recordUsage(store: SessionStore, key: string, usage: Usage, answeredBy?: AnsweredBy): void {
  const entry = store.get(key);
  if (!entry) return;
  store.update(key, {
    inputTokens: (entry.inputTokens ?? 0) + usage.input,
    outputTokens: (entry.outputTokens ?? 0) + usage.output,
    totalTokens: (entry.totalTokens ?? 0) + usage.input + usage.output,
    // How full the context is after this round (the last prompt and its answer): the Sessions page's meter.
    contextUsedTokens: usage.input + usage.cacheRead + usage.cacheWrite + usage.output,
    ...(answeredBy ? { model: answeredBy.model.model, modelProvider: answeredBy.model.provider } : {}),
  });
}
