import {
  type AssistantMessage,
  type ErrorKind,
  emptyUsage,
  type Message,
  type StopReason,
  type StreamError,
  type StreamEvent,
  type TextContent,
  type ToolCall,
  type Usage,
} from "../types.js";

/** Builds the assistant message from deltas, so `done` and `error` can carry it. */
export class MessageBuilder {
  readonly content: AssistantMessage["content"] = [];
  readonly usage: Usage = emptyUsage();

  text(delta: string): StreamEvent {
    const last = this.content.at(-1);
    if (last?.type === "text") last.text += delta;
    else this.content.push({ type: "text", text: delta });
    return { type: "text_delta", delta };
  }

  thinking(delta: string): StreamEvent {
    const last = this.content.at(-1);
    if (last?.type === "thinking") last.thinking += delta;
    else this.content.push({ type: "thinking", thinking: delta });
    return { type: "thinking_delta", delta };
  }

  /** Anthropic's signature over the thinking block just streamed (kept so it can be replayed). */
  signThinking(signature: string): void {
    const last = this.content.at(-1);
    if (last?.type === "thinking") last.signature = (last.signature ?? "") + signature;
  }

  toolCall(id: string, name: string, argsJson: string): StreamEvent {
    const toolCall: ToolCall = { type: "toolCall", id, name, arguments: parseToolArguments(argsJson) };
    this.content.push(toolCall);
    return { type: "toolcall_end", toolCall };
  }

  message(): AssistantMessage {
    return { role: "assistant", content: this.content };
  }

  done(stopReason: StopReason): StreamEvent {
    const toolUse = this.content.some((c) => c.type === "toolCall");
    return {
      type: "done",
      // Some APIs (Gemini, Chat Completions via proxies) report "stop" with tool calls.
      stopReason: toolUse && stopReason === "stop" ? "toolUse" : stopReason,
      usage: this.usage,
      message: this.message(),
    };
  }

  error(error: StreamError): StreamEvent {
    return { type: "error", error, usage: this.usage, partial: this.message() };
  }
}

/** Tool arguments arrive as JSON text; a model that emits invalid JSON gets `{}`. */
export function parseToolArguments(json: string): Record<string, unknown> {
  if (!json.trim()) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function errorKindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 529 || status === 503) return "overloaded";
  if (status === 408) return "timeout";
  if (status >= 500) return "server";
  return "bad_request";
}

/** Error `type`s sent inside a stream (Anthropic `event: error`, OpenAI Responses `error`). */
const IN_STREAM_KINDS: Record<string, ErrorKind> = {
  overloaded_error: "overloaded",
  rate_limit_error: "rate_limit",
  rate_limit_exceeded: "rate_limit",
  api_error: "server",
  server_error: "server",
  authentication_error: "auth",
  permission_error: "auth",
  invalid_request_error: "bad_request",
};

/**
 * Maps what an SDK threw to a StreamError. Duck-typed so it serves all three SDKs
 * (Stainless `APIError` with `status`/`headers`, `@google/genai` `ApiError` with
 * `status`, fetch `TypeError` with a socket `cause`).
 */
export function toStreamError(err: unknown, signal?: AbortSignal): StreamError {
  const e = (err ?? {}) as { status?: unknown; name?: unknown; headers?: unknown; error?: unknown };
  const message = describe(err);
  if (signal?.aborted) return { kind: "aborted", message: "the request was aborted" };
  if (typeof e.status === "number") {
    return {
      kind: errorKindForStatus(e.status),
      status: e.status,
      message,
      retryAfterMs: parseRetryAfter(e.headers),
    };
  }
  const inStream = inStreamErrorKind(e.error);
  if (inStream) return { kind: inStream, message };
  const name = typeof e.name === "string" ? e.name : "";
  if (/timeout/i.test(name) || /timed? ?out/i.test(message)) return { kind: "timeout", message };
  if (/abort/i.test(name)) return { kind: "aborted", message };
  if (err instanceof SyntaxError || /JSON|parse/i.test(message)) return { kind: "protocol", message };
  return { kind: "connection", message };
}

/** The first error `type` or `code` in an in-stream error body that we know how to classify. */
export function inStreamErrorKind(body: unknown): ErrorKind | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as { type?: unknown; code?: unknown; error?: unknown };
  for (const name of [b.type, b.code]) {
    if (typeof name === "string" && IN_STREAM_KINDS[name]) return IN_STREAM_KINDS[name];
  }
  return inStreamErrorKind(b.error);
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${text}${cause}`.slice(0, 300);
}

/** `retry-after` is seconds or an HTTP date; `retry-after-ms` (OpenAI) is milliseconds. */
export function parseRetryAfter(headers: unknown): number | undefined {
  const get = (name: string): string | null | undefined =>
    headers instanceof Headers
      ? headers.get(name)
      : headers && typeof headers === "object"
        ? ((headers as Record<string, string | undefined>)[name] ?? null)
        : undefined;
  const ms = Number(get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The last event of a stream whose body has ended: `done` if the API sent its final
 * marker, else an error (SDKs end iteration quietly on a cut connection or an abort).
 */
export function finish(
  out: MessageBuilder,
  stopReason: StopReason | undefined,
  signal: AbortSignal | undefined,
  api: string,
): StreamEvent {
  if (stopReason) return out.done(stopReason);
  if (signal?.aborted) return out.error({ kind: "aborted", message: "the request was aborted" });
  return out.error({
    kind: "connection",
    message: `the ${api} stream ended before the response was complete`,
  });
}

export function textOf(content: Message["content"]): string {
  if (typeof content === "string") return content;
  return content
    .filter((c): c is TextContent => c.type === "text")
    .map((c) => c.text)
    .join("");
}

const clients = new Map<string, unknown>();
const MAX_CLIENTS = 16;

/**
 * One SDK client per endpoint, key and headers, reused across requests: building a
 * client costs more than a short request, and reuse keeps its connection pool warm.
 */
export function cachedClient<T>(
  kind: string,
  request: { apiKey: string; model: { baseUrl: string; headers?: Record<string, string> } },
  create: () => T,
): T {
  const key = `${kind}\0${request.model.baseUrl}\0${request.apiKey}\0${JSON.stringify(request.model.headers ?? {})}`;
  let client = clients.get(key) as T | undefined;
  if (!client) {
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    client = create();
    clients.set(key, client);
  }
  return client;
}
