import Anthropic from "@anthropic-ai/sdk";
import type { MessageParam, RawMessageStreamEvent, Tool } from "@anthropic-ai/sdk/resources/messages";
import { anthropicFastFields } from "../fast-mode.js";
import { anthropicThinkingFields } from "../thinking.js";
import type { Message, ProviderAdapter, StopReason, StreamEvent, StreamRequest } from "../types.js";
import { cachedClient, finish, MessageBuilder, textOf, toStreamError } from "./shared.js";

/**
 * Anthropic Messages API (`POST {baseUrl}/v1/messages`, SSE) through the official
 * `@anthropic-ai/sdk`. SDK retries are off: failover.ts is the one retry layer.
 */
export const adapter: ProviderAdapter = {
  async *stream(request, { signal }) {
    const out = new MessageBuilder();
    let finished: StopReason | undefined;
    try {
      const client = cachedClient(
        "anthropic",
        request,
        () =>
          new Anthropic({
            apiKey: request.apiKey,
            baseURL: request.model.baseUrl,
            defaultHeaders: request.model.headers,
            maxRetries: 0,
            // SDK logs would print raw stream data; errors reach us as events instead.
            logLevel: "off",
          }),
      );
      const fast = anthropicFastFields(request.model, request.apiKey, request.fast);
      const events = await client.messages.create(
        { ...toParams(request), ...fast.body } as ReturnType<typeof toParams>,
        {
          signal,
          ...(fast.betas.length ? { headers: { "anthropic-beta": betaHeader(request, fast.betas) } } : {}),
        },
      );
      yield { type: "start" };
      const tools = new Map<number, { id: string; name: string; json: string }>();
      for await (const event of events) {
        for (const e of mapEvent(event, out, tools)) yield e;
        if (event.type === "message_delta") finished = stopReason(event.delta.stop_reason);
        if (event.type === "message_stop") finished ??= "stop";
      }
      yield finish(out, finished, signal, "Anthropic");
    } catch (err) {
      yield out.error(toStreamError(err, signal));
    }
  },
};

/** Our betas added to any the provider's configured headers already ask for. */
function betaHeader(request: StreamRequest, betas: string[]): string {
  const configured = Object.entries(request.model.headers ?? {}).find(
    ([name]) => name.toLowerCase() === "anthropic-beta",
  )?.[1];
  const all = [...(configured?.split(",").map((b) => b.trim()) ?? []), ...betas];
  return [...new Set(all.filter(Boolean))].join(",");
}

function* mapEvent(
  event: RawMessageStreamEvent,
  out: MessageBuilder,
  tools: Map<number, { id: string; name: string; json: string }>,
): Generator<StreamEvent> {
  switch (event.type) {
    case "message_start": {
      const u = event.message.usage;
      out.usage.input = u.input_tokens;
      out.usage.output = u.output_tokens;
      out.usage.cacheRead = u.cache_read_input_tokens ?? 0;
      out.usage.cacheWrite = u.cache_creation_input_tokens ?? 0;
      break;
    }
    case "content_block_start":
      if (event.content_block.type === "tool_use") {
        const { id, name } = event.content_block;
        tools.set(event.index, { id, name, json: "" });
      }
      break;
    case "content_block_delta": {
      const d = event.delta;
      if (d.type === "text_delta") yield out.text(d.text);
      else if (d.type === "thinking_delta") yield out.thinking(d.thinking);
      else if (d.type === "signature_delta") out.signThinking(d.signature);
      else if (d.type === "input_json_delta") {
        const tool = tools.get(event.index);
        if (tool) {
          tool.json += d.partial_json;
          yield { type: "toolcall_delta", id: tool.id, name: tool.name, delta: d.partial_json };
        }
      }
      break;
    }
    case "content_block_stop": {
      const tool = tools.get(event.index);
      if (tool) yield out.toolCall(tool.id, tool.name, tool.json);
      break;
    }
    case "message_delta":
      // Output tokens in message_delta are cumulative for the whole message.
      out.usage.output = event.usage.output_tokens;
      if (event.usage.input_tokens != null) out.usage.input = event.usage.input_tokens;
      break;
  }
}

function stopReason(reason: string | null): StopReason | undefined {
  if (reason === null) return undefined;
  if (reason === "max_tokens") return "length";
  if (reason === "tool_use") return "toolUse";
  return "stop";
}

function toParams(request: StreamRequest) {
  const tools: Tool[] | undefined = request.tools?.map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.parameters as Tool["input_schema"],
  }));
  const maxTokens = request.maxTokens ?? request.model.maxTokens;
  const { dropTemperature, ...thinking } = anthropicThinkingFields(
    request.model,
    request.thinking,
    maxTokens,
  );
  return {
    model: request.model.ref.model,
    max_tokens: maxTokens,
    stream: true as const,
    messages: toMessages(request.messages),
    ...(request.systemPrompt ? { system: request.systemPrompt } : {}),
    ...(tools?.length ? { tools } : {}),
    ...(request.temperature !== undefined && !dropTemperature ? { temperature: request.temperature } : {}),
    ...thinking,
  };
}

type Block = Exclude<MessageParam["content"], string>[number];

function toMessages(messages: Message[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const m of messages) {
    const blocks = toBlocks(m);
    const role = m.role === "assistant" ? "assistant" : "user";
    const last = out.at(-1);
    // The API wants user/assistant turns alternating; tool results are user turns.
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}

function toBlocks(m: Message): Block[] {
  if (m.role === "toolResult") {
    return [
      {
        type: "tool_result",
        tool_use_id: m.toolCallId,
        content: m.content.map(toUserBlock),
        ...(m.isError ? { is_error: true } : {}),
      } as Block,
    ];
  }
  if (m.role === "user") {
    return typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content.map(toUserBlock);
  }
  const blocks: Block[] = [];
  for (const c of m.content) {
    if (c.type === "text" && c.text) blocks.push({ type: "text", text: c.text });
    // A signed thinking block goes back as it came (a tool round with thinking on needs it);
    // one without a signature (another API's reasoning) cannot be replayed.
    else if (c.type === "thinking" && c.signature)
      blocks.push({ type: "thinking", thinking: c.thinking, signature: c.signature });
    else if (c.type === "toolCall")
      blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
  }
  return blocks.length ? blocks : [{ type: "text", text: textOf(m.content) || "(empty)" }];
}

function toUserBlock(c: { type: "text"; text: string } | { type: "image"; data: string; mimeType: string }) {
  if (c.type === "text") return { type: "text" as const, text: c.text };
  return {
    type: "image" as const,
    source: {
      type: "base64" as const,
      media_type: c.mimeType as "image/png",
      data: c.data,
    },
  };
}
