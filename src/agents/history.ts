import type { Message } from "../providers/index.js";
import type { TranscriptEntry } from "../sessions/transcript.js";

/** Roughly 4 characters a token: enough to keep a request inside the context window. */
const CHARS_PER_TOKEN = 4;
/**
 * What an image costs a model, whatever its bytes: providers scale it to about 1.15
 * megapixels, ~1,600 tokens (Anthropic's w×h/750). Its base64 counted as text would make
 * one phone photo look like 300,000 tokens and start a compaction.
 */
const IMAGE_TOKENS = 1600;

/** A message's estimated tokens: its JSON at CHARS_PER_TOKEN, images at IMAGE_TOKENS each. */
function messageTokens(m: Message): number {
  let images = 0;
  const json = JSON.stringify(m, (_key, value: unknown) => {
    const block = value as { type?: unknown; data?: unknown } | null;
    if (block?.type !== "image" || typeof block.data !== "string") return value;
    images++;
    return { ...block, data: "" };
  });
  return Math.ceil(json.length / CHARS_PER_TOKEN) + images * IMAGE_TOKENS;
}

/** The conversation a model sees, rebuilt from the transcript's message entries. */
export function transcriptToMessages(entries: readonly TranscriptEntry[]): Message[] {
  const out: Message[] = [];
  for (const entry of entries) {
    const m = entry.message;
    if (!m) continue;
    if (m.role === "user") out.push({ role: "user", content: m.content as never });
    else if (m.role === "assistant") {
      // A reply cut by an error or abort still shows the model what it had said.
      const content = (m.content as { type: string }[]).filter(
        (c) => c.type === "text" || c.type === "toolCall",
      );
      if (content.length > 0) out.push({ role: "assistant", content: content as never });
    } else if (m.role === "toolResult") {
      out.push({
        role: "toolResult",
        toolCallId: String(m.toolCallId),
        toolName: String(m.toolName),
        content: m.content as never,
        ...(m.isError ? { isError: true } : {}),
      });
    }
  }
  return dropOrphanToolResults(out);
}

/**
 * Keeps the newest messages that fit `budgetTokens`, starting at a user message so
 * a tool result is never sent without the call that asked for it.
 */
export function fitToBudget(messages: Message[], budgetTokens: number): Message[] {
  let total = 0;
  let start = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    total += messageTokens(messages[i]!);
    if (total > budgetTokens && i < messages.length - 1) break;
    start = i;
  }
  while (start < messages.length && messages[start]!.role !== "user") start++;
  return messages.slice(start);
}

/** A tool call whose result never got written (crash mid-tool) must not be sent half-done. */
function dropOrphanToolResults(messages: Message[]): Message[] {
  const answered = new Set(
    messages.filter((m) => m.role === "toolResult").map((m) => (m as { toolCallId: string }).toolCallId),
  );
  const called = new Set<string>();
  const out: Message[] = [];
  for (const m of messages) {
    if (m.role === "assistant") {
      const calls = m.content.filter((c) => c.type === "toolCall");
      if (calls.some((c) => !answered.has((c as { id: string }).id))) {
        const text = m.content.filter((c) => c.type === "text");
        if (text.length > 0) out.push({ role: "assistant", content: text });
        continue;
      }
      for (const c of calls) called.add((c as { id: string }).id);
    }
    if (m.role === "toolResult" && !called.has(m.toolCallId)) continue;
    out.push(m);
  }
  return out;
}

/** A transcript line recording that older turns were summarised (OpenClaw's `compaction` entry). */
export interface CompactionLine {
  type: "compaction";
  summary: string;
  firstKeptEntryId: string;
  tokensBefore: number;
}

export const estimateTokens = (messages: readonly Message[]): number =>
  messages.reduce((n, m) => n + messageTokens(m), 0);

/**
 * The conversation after the latest compaction: its summary (as an opening user
 * message) and the message entries it kept, then everything after.
 */
export function contextFromTranscript(lines: readonly { type: string; id?: string }[]): Message[] {
  let start = 0;
  let summary: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as Partial<CompactionLine> & { type: string };
    if (line.type !== "compaction") continue;
    const kept = lines.findIndex((l) => l.id === line.firstKeptEntryId);
    start = kept >= 0 ? kept : i + 1;
    summary = line.summary;
    break;
  }
  const entries = lines.slice(start).filter((l): l is TranscriptEntry => l.type === "message");
  const messages = transcriptToMessages(entries);
  if (summary === undefined) return messages;
  return [
    { role: "user", content: [{ type: "text", text: `[Summary of the earlier conversation]\n${summary}` }] },
    ...messages,
  ];
}
