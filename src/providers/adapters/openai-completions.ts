import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import { openaiCompletionsReasoningFields } from "../thinking.js";
import type { Message, ProviderAdapter, StopReason, StreamEvent, StreamRequest } from "../types.js";
import { openaiClient } from "./openai-client.js";
import { finish, MessageBuilder, textOf, toStreamError } from "./shared.js";

/**
 * OpenAI Chat Completions (`POST {baseUrl}/chat/completions`, SSE ending in
 * `data: [DONE]`) through the official `openai` SDK. Also the dialect of OpenRouter,
 * LiteLLM, Ollama and vLLM, so custom providers mostly land here.
 */
export const adapter: ProviderAdapter = {
  async *stream(request, { signal }) {
    const out = new MessageBuilder();
    let finished: StopReason | undefined;
    try {
      const client = openaiClient(request);
      const chunks = await client.chat.completions.create(toParams(request), { signal });
      yield { type: "start" };
      const tools = new Map<number, { id: string; name: string; json: string }>();
      for await (const chunk of chunks) {
        for (const e of mapChunk(chunk, out, tools)) yield e;
        const reason = chunk.choices[0]?.finish_reason;
        if (reason) {
          for (const tool of tools.values()) yield out.toolCall(tool.id, tool.name, tool.json);
          tools.clear();
          finished = reason === "length" ? "length" : reason === "tool_calls" ? "toolUse" : "stop";
        }
      }
      // The SDK ends iteration quietly when the body ends, [DONE] or not.
      yield finish(out, finished, signal, "OpenAI");
    } catch (err) {
      yield out.error(toStreamError(err, signal));
    }
  },
};

function* mapChunk(
  chunk: ChatCompletionChunk,
  out: MessageBuilder,
  tools: Map<number, { id: string; name: string; json: string }>,
): Generator<StreamEvent> {
  if (chunk.usage) {
    const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
    out.usage.input = chunk.usage.prompt_tokens - cached;
    out.usage.cacheRead = cached;
    out.usage.output = chunk.usage.completion_tokens;
  }
  const delta = chunk.choices[0]?.delta;
  if (!delta) return;
  // Not in the OpenAI schema: DeepSeek, vLLM and OpenRouter send reasoning this way.
  const reasoning =
    (delta as { reasoning_content?: unknown; reasoning?: unknown }).reasoning_content ??
    (delta as { reasoning?: unknown }).reasoning;
  if (typeof reasoning === "string" && reasoning) yield out.thinking(reasoning);
  if (delta.content) yield out.text(delta.content);
  for (const call of delta.tool_calls ?? []) {
    let tool = tools.get(call.index);
    if (!tool) {
      tool = { id: call.id ?? `call_${call.index}`, name: call.function?.name ?? "", json: "" };
      tools.set(call.index, tool);
    }
    const piece = call.function?.arguments ?? "";
    tool.json += piece;
    if (piece) yield { type: "toolcall_delta", id: tool.id, name: tool.name, delta: piece };
  }
}

function toParams(request: StreamRequest): ChatCompletionChunkParams {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.systemPrompt) messages.push({ role: "system", content: request.systemPrompt });
  for (const m of request.messages) messages.push(toMessage(m));
  const maxTokens = request.maxTokens;
  return {
    model: request.model.ref.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(request.tools?.length
      ? {
          tools: request.tools.map((t) => ({
            type: "function" as const,
            function: { name: t.name, description: t.description, parameters: t.parameters },
          })),
        }
      : {}),
    // OpenAI's own reasoning models reject max_tokens; compatible servers often only know it.
    ...(maxTokens === undefined
      ? {}
      : request.model.ref.provider === "openai"
        ? { max_completion_tokens: maxTokens }
        : { max_tokens: maxTokens }),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...openaiCompletionsReasoningFields(request.model, request.thinking),
  };
}

type ChatCompletionChunkParams = ChatCompletionCreateParamsStreaming;

function toMessage(m: Message): ChatCompletionMessageParam {
  if (m.role === "toolResult")
    return { role: "tool", tool_call_id: m.toolCallId, content: textOf(m.content) };
  if (m.role === "user") {
    if (typeof m.content === "string") return { role: "user", content: m.content };
    const parts: ChatCompletionContentPart[] = m.content.map((c) =>
      c.type === "text"
        ? { type: "text", text: c.text }
        : { type: "image_url", image_url: { url: `data:${c.mimeType};base64,${c.data}` } },
    );
    return { role: "user", content: parts };
  }
  const toolCalls = m.content.flatMap((c) =>
    c.type === "toolCall"
      ? [
          {
            id: c.id,
            type: "function" as const,
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          },
        ]
      : [],
  );
  return {
    role: "assistant",
    content: textOf(m.content) || null,
    ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
  };
}
