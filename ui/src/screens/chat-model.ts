/**
 * What the chat shows, built from what the gateway already sends: `chat.history`
 * (transcript messages with their timestamps, model and usage) and the live `chat` /
 * `agent` events of a run. A turn is one user message, or everything the agent did in
 * reply (its rounds, tool calls and results) shown as one bubble.
 */

export interface Usage {
  input: number;
  output: number;
}

export interface ToolView {
  id: string;
  name: string;
  args?: unknown;
  result?: string;
  isError?: boolean;
  durationMs?: number;
  running?: boolean;
}

export type Part =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string }
  | { kind: "tool"; tool: ToolView }
  | { kind: "image"; src: string }
  /** A file sent with a message (not an image): its name, as a chip. */
  | { kind: "file"; name: string; audio?: boolean };

/** The run moved off its primary model: which one failed, which one it tried next, and why. */
export interface Fallback {
  from: string;
  to: string;
  reason?: string;
}

export interface Turn {
  id: string;
  role: "user" | "assistant";
  parts: Part[];
  /** When it was written (ms): the transcript's timestamp, or when the UI saw it. */
  at?: number;
  model?: string;
  /** Answered (or failed) on a fallback model: shown under the answer. */
  fallback?: Fallback;
  usage?: Usage;
  /** How the run ended when it did not finish normally. */
  ended?: "aborted" | "error";
  errorMessage?: string;
  /** A user message sent but not yet acknowledged, or refused (with why). */
  sending?: boolean;
  failed?: string;
  /** A user message's transcript id (from `chat.history`), which `sessions.rewind` takes. */
  entryId?: string;
  /** The run a user message started (from `chat.send`'s answer; the transcript keeps it too). */
  runId?: string;
  /** The files a user message was sent with (`chat.send` attachments), kept for Retry. */
  attachments?: unknown[];
}

/** A transcript message as `chat.history` returns it (pi-coding-agent shape plus id and timestamp). */
export interface HistoryMessage {
  role: "user" | "assistant" | "toolResult";
  content: string | Record<string, unknown>[];
  id?: string;
  /** Epoch ms (OpenClaw's shape); ISO text from older gateways. */
  timestamp?: number | string;
  provider?: string;
  model?: string;
  usage?: Partial<Usage>;
  stopReason?: string;
  errorMessage?: string;
  toolCallId?: string;
  toolName?: string;
  isError?: boolean;
  runId?: string;
  /** On the answer of a model that took over: the failover's move, as the live lifecycle event had it. */
  fallback?: AgentEvent["data"];
}

/** Image blocks carry base64 data; only raster types become an <img> (no SVG, which can hold script). */
const IMAGE_TYPES = /^image\/(png|jpe?g|gif|webp)$/;

function imageSrc(block: Record<string, unknown>): string | undefined {
  const { data, mimeType } = block;
  if (typeof data !== "string" || typeof mimeType !== "string" || !IMAGE_TYPES.test(mimeType))
    return undefined;
  return `data:${mimeType};base64,${data}`;
}

function partsOf(content: HistoryMessage["content"]): Part[] {
  if (typeof content === "string") return content ? [{ kind: "text", text: content }] : [];
  const parts: Part[] = [];
  for (const block of content) {
    if (block.type === "text" && typeof block.text === "string" && block.text) {
      parts.push({ kind: "text", text: block.text });
    } else if (block.type === "thinking" && typeof block.thinking === "string" && block.thinking) {
      parts.push({ kind: "thinking", text: block.thinking });
    } else if (block.type === "toolCall") {
      parts.push({
        kind: "tool",
        tool: { id: String(block.id ?? ""), name: String(block.name ?? "?"), args: block.arguments },
      });
    } else if (block.type === "image") {
      const src = imageSrc(block);
      if (src) parts.push({ kind: "image", src });
    }
  }
  return parts;
}

function textOf(content: HistoryMessage["content"]): string {
  if (typeof content === "string") return content;
  return content.map((b) => (b.type === "text" && typeof b.text === "string" ? b.text : "")).join("");
}

export function addUsage(a: Usage | undefined, b: Partial<Usage> | undefined): Usage | undefined {
  if (!b) return a;
  return { input: (a?.input ?? 0) + (b.input ?? 0), output: (a?.output ?? 0) + (b.output ?? 0) };
}

/** Transcript messages as turns: tool results join the call they answer, with its duration. */
export function historyToTurns(messages: HistoryMessage[]): Turn[] {
  const turns: Turn[] = [];
  // When each tool call was made (its assistant message's time), for the result's duration.
  const calledAt = new Map<string, number>();
  messages.forEach((m, i) => {
    const id = m.id ?? `h${i}`;
    const at = typeof m.timestamp === "string" ? Date.parse(m.timestamp) : (m.timestamp ?? Number.NaN);
    if (m.role === "user") {
      turns.push({
        id,
        role: "user",
        parts: partsOf(m.content),
        ...(at >= 0 ? { at } : {}),
        ...(m.id ? { entryId: m.id } : {}),
        ...(m.runId ? { runId: m.runId } : {}),
      });
      return;
    }
    let turn = turns.at(-1);
    if (turn?.role !== "assistant") {
      turn = { id, role: "assistant", parts: [], ...(at >= 0 ? { at } : {}) };
      turns.push(turn);
    }
    if (m.role === "assistant") {
      const parts = partsOf(m.content);
      for (const p of parts) if (p.kind === "tool") calledAt.set(p.tool.id, at);
      turn.parts.push(...parts);
      if (m.model) turn.model = m.provider ? `${m.provider}/${m.model}` : m.model;
      const fallback = m.fallback && fallbackOf({ runId: "", stream: "lifecycle", data: m.fallback });
      if (fallback) turn.fallback = fallback;
      turn.usage = addUsage(turn.usage, m.usage);
      if (m.stopReason === "aborted" || m.stopReason === "error") {
        turn.ended = m.stopReason;
        turn.errorMessage = m.errorMessage;
      }
      return;
    }
    const call = turn.parts.find((p) => p.kind === "tool" && p.tool.id === m.toolCallId);
    const started = calledAt.get(m.toolCallId ?? "");
    const result = {
      result: textOf(m.content),
      isError: m.isError ?? false,
      ...(started !== undefined && at >= started ? { durationMs: at - started } : {}),
    };
    if (call?.kind === "tool") call.tool = { ...call.tool, ...result };
    else
      turn.parts.push({ kind: "tool", tool: { id: m.toolCallId ?? id, name: m.toolName ?? "?", ...result } });
    for (const p of partsOf(m.content)) if (p.kind === "image") turn.parts.push(p);
  });
  return turns;
}

/** A run in progress, from `chat` deltas (the text so far) and `agent` tool events. */
export interface LiveRun {
  runId: string;
  text: string;
  tools: (ToolView & { startedAt?: number })[];
  fallback?: Fallback;
}

export interface ChatEvent {
  runId: string;
  sessionKey: string;
  state: "delta" | "final" | "aborted" | "error";
  message?: { content?: { type: string; text?: string }[] };
  errorMessage?: string;
  usage?: Partial<Usage>;
  model?: string | { provider?: string; model?: string };
}

export interface AgentEvent {
  runId: string;
  stream: string;
  ts?: number;
  sessionKey?: string;
  data: {
    phase?: string;
    selectedProvider?: string;
    selectedModel?: string;
    activeProvider?: string;
    activeModel?: string;
    fromProvider?: string;
    fromModel?: string;
    reasonSummary?: string;
    id?: string;
    name?: string;
    args?: unknown;
    result?: string;
    isError?: boolean;
    sessionKey?: string;
  };
}

export function modelName(model: ChatEvent["model"]): string | undefined {
  if (!model) return undefined;
  if (typeof model === "string") return model;
  return model.provider && model.model ? `${model.provider}/${model.model}` : model.model;
}

/** A lifecycle `fallback` event as what the chat says: from (the model that failed) → to. */
export function fallbackOf(e: AgentEvent): Fallback | undefined {
  const d = e.data;
  if (d.phase !== "fallback") return undefined;
  const ref = (provider?: string, model?: string) =>
    model ? (provider ? `${provider}/${model}` : model) : "";
  const from = ref(d.fromProvider, d.fromModel) || ref(d.selectedProvider, d.selectedModel);
  const to = ref(d.activeProvider, d.activeModel);
  if (!from || !to || from === to) return undefined;
  return { from, to, ...(d.reasonSummary ? { reason: d.reasonSummary } : {}) };
}

/** A tool event applied to the live run. */
export function withToolEvent(run: LiveRun, e: AgentEvent): LiveRun {
  const { id, name = "?", phase } = e.data;
  if (!id) return run;
  const prior = run.tools.find((tool) => tool.id === id);
  const tool =
    phase === "end"
      ? {
          ...prior,
          id,
          name,
          result: e.data.result,
          isError: e.data.isError ?? false,
          running: false,
          ...(prior?.startedAt !== undefined && e.ts !== undefined
            ? { durationMs: e.ts - prior.startedAt }
            : {}),
        }
      : { id, name, args: e.data.args, running: true, startedAt: e.ts };
  return { ...run, tools: prior ? run.tools.map((t) => (t.id === id ? tool : t)) : [...run.tools, tool] };
}

/** The run ended: its tool calls and text become an ordinary turn. */
export function finishedTurn(run: LiveRun | undefined, e: ChatEvent): Turn {
  const text = e.message?.content?.map((b) => b.text ?? "").join("") ?? run?.text ?? "";
  const parts: Part[] = (run?.tools ?? []).map(({ startedAt: _, ...tool }) => ({
    kind: "tool" as const,
    tool: { ...tool, running: false },
  }));
  if (text) parts.push({ kind: "text", text });
  return {
    id: e.runId,
    role: "assistant",
    parts,
    at: Date.now(),
    model: modelName(e.model),
    ...(run?.fallback ? { fallback: run.fallback } : {}),
    usage: addUsage(undefined, e.usage),
    ...(e.state === "aborted" || e.state === "error"
      ? { ended: e.state, errorMessage: e.errorMessage ?? "" }
      : {}),
  };
}
