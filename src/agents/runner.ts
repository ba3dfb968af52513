import type { Logger } from "../infra/logger.js";
import type {
  AnsweredBy,
  AssistantMessage,
  Failover,
  Message,
  ModelRef,
  StreamError,
  Usage,
} from "../providers/index.js";
import type { SessionEntry, SessionStore } from "../sessions/store.js";
import { compactIfNeeded } from "./compaction.js";
import { contextFromTranscript, fitToBudget } from "./history.js";
import { type AgentTool, runTool, type ToolContext, toolDefinitions } from "./tools/index.js";

/** A model that keeps asking for tools is stopped after this many rounds. */
export const MAX_TOOL_ROUNDS = 24;
const DEFAULT_CONTEXT_TOKENS = 128_000;

export type TurnEvent =
  | { type: "delta"; text: string }
  | { type: "tool"; phase: "start"; id: string; name: string; args: unknown }
  | { type: "tool"; phase: "end"; id: string; name: string; isError: boolean; result: string }
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
  systemPrompt: string;
  tools: AgentTool[];
  /** The tools' JSON Schemas, when the caller already built them. */
  toolDefs?: ReturnType<typeof toolDefinitions>;
  toolContext: Omit<ToolContext, "signal" | "sessionKey">;
  contextTokens?: number;
  /** The message is already fsynced in the write-ahead journal (see inbox.ts). */
  journaled?: boolean;
  log: Logger;
}

export type TurnOutcome = { status: "ok" | "error" | "aborted"; text: string; answeredBy?: AnsweredBy };

/**
 * One agent turn: the user message is written (fsynced) before anything else, so an
 * acknowledged message survives a crash; then model rounds with tool calls until the
 * model stops, each assistant message and tool result appended as it completes.
 */
export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<TurnOutcome> {
  const { store, log } = deps;
  const entry = await store.ensure(input.sessionKey, input.origin);
  if (input.origin) store.update(input.sessionKey, input.origin);
  const transcript = store.transcript(entry.sessionId);
  const content = [
    { type: "text" as const, text: input.text },
    ...(input.images ?? []).map((img) => ({ type: "image" as const, ...img })),
  ];
  if (!input.resume) {
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

  const budget = Math.max(
    (deps.contextTokens ?? DEFAULT_CONTEXT_TOKENS) - Math.ceil(deps.systemPrompt.length / 4) - 8_000,
    4_000,
  );
  let history = contextFromTranscript(await transcript.read());
  const compacted = await compactIfNeeded({
    transcript,
    failover: deps.failover,
    models: deps.models,
    budgetTokens: budget,
    history,
    signal: input.signal,
    log,
  });
  if (compacted) history = contextFromTranscript(await transcript.read());
  const messages: Message[] = fitToBudget(history, budget);
  const tools = deps.toolDefs ?? toolDefinitions(deps.tools);
  const toolContext: ToolContext = {
    ...deps.toolContext,
    sessionKey: input.sessionKey,
    signal: input.signal,
  };
  const usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  let text = "";

  for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
    let message: AssistantMessage | undefined;
    let answeredBy: AnsweredBy | undefined;
    let failure: StreamError | undefined;
    let roundText = "";
    const roundUsage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    for await (const event of deps.failover.stream(
      { models: deps.models, systemPrompt: deps.systemPrompt, messages, tools },
      { signal: input.signal },
    )) {
      if (event.type === "start") answeredBy = event.answeredBy ?? answeredBy;
      else if (event.type === "text_delta") {
        roundText += event.delta;
        input.onEvent({ type: "delta", text: event.delta });
      } else if (event.type === "done") {
        message = event.message;
        answeredBy = event.answeredBy ?? answeredBy;
        addUsage(roundUsage, event.usage);
      } else if (event.type === "error") {
        failure = event.error;
        message = event.partial;
        answeredBy = event.answeredBy ?? answeredBy;
        addUsage(roundUsage, event.usage);
      }
    }
    addUsage(usage, roundUsage);
    text += roundText;
    const aborted = failure?.kind === "aborted" || input.signal.aborted;
    const stopReason = failure ? (aborted ? "aborted" : "error") : undefined;
    if (message) {
      await transcript.appendMessage({
        ...message,
        ...(answeredBy ? { provider: answeredBy.model.provider, model: answeredBy.model.model } : {}),
        usage: { ...roundUsage },
        ...(stopReason ? { stopReason, ...(failure ? { errorMessage: failure.message } : {}) } : {}),
      });
    }
    recordUsage(store, input.sessionKey, roundUsage, answeredBy);
    if (aborted) {
      input.onEvent({ type: "aborted", text });
      return { status: "aborted", text, answeredBy };
    }
    if (failure || !message) {
      const why = failure?.message ?? "the model returned nothing";
      log.warn(`run ${input.runId} failed: ${why}`);
      input.onEvent({ type: "error", message: why, kind: failure?.kind ?? "unknown", answeredBy });
      return { status: "error", text, answeredBy };
    }
    messages.push(message);
    const calls = message.content.filter((c) => c.type === "toolCall");
    if (calls.length === 0) {
      if (answeredBy)
        log.info(`run ${input.runId} answered by ${answeredBy.model.provider}/${answeredBy.model.model}`);
      input.onEvent({ type: "final", text, message, answeredBy, usage });
      return { status: "ok", text, answeredBy };
    }
    for (const call of calls) {
      input.onEvent({ type: "tool", phase: "start", id: call.id, name: call.name, args: call.arguments });
      const result = await runTool(deps.tools, call.name, call.arguments, toolContext);
      const toolMessage: Message = {
        role: "toolResult",
        toolCallId: call.id,
        toolName: call.name,
        content: result.content,
        ...(result.isError ? { isError: true } : {}),
      };
      await transcript.appendMessage(toolMessage as never);
      messages.push(toolMessage);
      const summary = result.content
        .map((c) => c.text)
        .join("")
        .slice(0, 2000);
      input.onEvent({
        type: "tool",
        phase: "end",
        id: call.id,
        name: call.name,
        isError: !!result.isError,
        result: summary,
      });
    }
  }
  const why = `stopped after ${MAX_TOOL_ROUNDS} tool rounds`;
  input.onEvent({ type: "error", message: why, kind: "tool_loop" });
  return { status: "error", text };
}

function addUsage(total: Usage, more: Usage): void {
  total.input += more.input;
  total.output += more.output;
  total.cacheRead += more.cacheRead;
  total.cacheWrite += more.cacheWrite;
}

function recordUsage(store: SessionStore, key: string, usage: Usage, answeredBy?: AnsweredBy): void {
  const entry = store.get(key);
  if (!entry) return;
  store.update(key, {
    inputTokens: (entry.inputTokens ?? 0) + usage.input,
    outputTokens: (entry.outputTokens ?? 0) + usage.output,
    totalTokens: (entry.totalTokens ?? 0) + usage.input + usage.output,
    ...(answeredBy ? { model: answeredBy.model.model, modelProvider: answeredBy.model.provider } : {}),
  });
}
