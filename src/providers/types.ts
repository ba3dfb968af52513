/**
 * The provider-neutral contract: messages, tools and one streaming event union that
 * every model API is mapped to (one adapter file per API). Failover, auth rotation and
 * cooldowns sit above this contract, once (see failover.ts).
 *
 * Event order for one stream: `start`, then any number of `text_delta`,
 * `thinking_delta`, `toolcall_delta`/`toolcall_end`, then exactly one `done` or
 * `error`. After `start`, adapters never throw: a failure arrives as a final `error`
 * event that keeps the usage counted so far.
 */

import type { ThinkingLevel } from "./thinking.js";

/** The wire protocol a provider speaks (`models.providers.<id>.api`). */
export const MODEL_APIS = [
  "anthropic-messages",
  "openai-completions",
  "openai-responses",
  "google-generative-ai",
] as const;
export type ModelApi = (typeof MODEL_APIS)[number];

/** A model by provider id and model id (`openrouter/meta/llama` = provider `openrouter`). */
export interface ModelRef {
  provider: string;
  model: string;
}

export interface TextContent {
  type: "text";
  text: string;
}

/** Base64 image data, inlined into the request. */
export interface ImageContent {
  type: "image";
  data: string;
  mimeType: string;
}

export interface ThinkingContent {
  type: "thinking";
  thinking: string;
  /** Anthropic's signature over the block: with it, the block can be sent back (tool rounds need that). */
  signature?: string;
}

export interface ToolCall {
  type: "toolCall";
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface UserMessage {
  role: "user";
  content: string | (TextContent | ImageContent)[];
}

export interface AssistantMessage {
  role: "assistant";
  content: (TextContent | ThinkingContent | ToolCall)[];
}

export interface ToolResultMessage {
  role: "toolResult";
  toolCallId: string;
  toolName: string;
  content: (TextContent | ImageContent)[];
  isError?: boolean;
}

export type Message = UserMessage | AssistantMessage | ToolResultMessage;

/** A JSON Schema object describing a tool's parameters. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** Token counts; `cacheRead`/`cacheWrite` are the prompt-cache share of the input. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export type StopReason = "stop" | "length" | "toolUse";

/**
 * Why a stream failed, split by what the caller should do about it:
 * `auth` (401/403: try another key), `rate_limit` (429), `overloaded` (529/503),
 * `server` (other 5xx), `timeout`, `connection` (reset/refused/cut mid-stream) and
 * `protocol` (a malformed chunk) are worth another try elsewhere; `bad_request`
 * (other 4xx) would fail the same everywhere; `aborted` means the caller asked to stop.
 */
export type ErrorKind =
  | "auth"
  | "rate_limit"
  | "overloaded"
  | "server"
  | "timeout"
  | "connection"
  | "protocol"
  | "bad_request"
  | "aborted";

export interface StreamError {
  kind: ErrorKind;
  /** One sentence, never a secret. */
  message: string;
  status?: number;
  /** From a `retry-after` header, when the API sent one. */
  retryAfterMs?: number;
}

/** Who answered: set by the failover layer on `start` and `done`. */
export interface AnsweredBy {
  model: ModelRef;
  profileId?: string;
}

export type StreamEvent =
  | { type: "start"; answeredBy?: AnsweredBy }
  | { type: "text_delta"; delta: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "toolcall_delta"; id: string; name: string; delta: string }
  | { type: "toolcall_end"; toolCall: ToolCall }
  | {
      type: "done";
      stopReason: StopReason;
      usage: Usage;
      message: AssistantMessage;
      answeredBy?: AnsweredBy;
    }
  | { type: "error"; error: StreamError; usage: Usage; partial: AssistantMessage; answeredBy?: AnsweredBy };

/** Fast mode (fast-mode.ts): `true` on, `false` off, `"auto"` on for calls started before the cutoff. */
export type FastMode = boolean | "auto";

/** The per-model params this layer acts on (`agents.defaults.models["p/m"].params`). */
export interface ModelParams {
  fastMode?: FastMode;
  /** The Fast-mode auto cutoff in seconds (default 60). */
  fastAutoOnSeconds?: number;
  /** An explicit service tier: sent as written, and Fast mode then leaves the tier alone. */
  serviceTier?: string;
  /** The thinking level unless a session chooses (`params.thinking`, else `agents.defaults.thinkingDefault`). */
  thinking?: ThinkingLevel;
}

/** A model as an adapter needs it: where to send, and what it accepts. */
export interface ResolvedModel {
  ref: ModelRef;
  api: ModelApi;
  baseUrl: string;
  /** Extra request headers (`models.providers.<id>.headers`). */
  headers?: Record<string, string>;
  contextWindow: number;
  maxTokens: number;
  input: ("text" | "image")[];
  /** `reasoning: true` in `models.providers.<id>.models[]`: the model thinks (thinking.ts). */
  reasoning?: boolean;
  /** `agents.defaults.models["<provider>/<model>"].params` this layer acts on (fast-mode.ts). */
  params?: ModelParams;
}

export interface StreamRequest {
  model: ResolvedModel;
  apiKey: string;
  systemPrompt?: string;
  messages: Message[];
  tools?: ToolDefinition[];
  maxTokens?: number;
  temperature?: number;
  /** Fast mode for this call (resolved by the failover); undefined: nobody chose, no field is sent. */
  fast?: boolean;
  /** Thinking level for this call, fitted to the model (thinking.ts); undefined: the model cannot think. */
  thinking?: ThinkingLevel;
}

export interface StreamOptions {
  signal?: AbortSignal;
}

/** One model API mapped to the event contract above. */
export interface ProviderAdapter {
  stream(request: StreamRequest, options: StreamOptions): AsyncIterable<StreamEvent>;
}

export const emptyUsage = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
