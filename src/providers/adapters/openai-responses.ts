import type {
  ResponseCreateParamsStreaming,
  ResponseInputItem,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";
import { openaiFastFields } from "../fast-mode.js";
import { openaiReasoningFields } from "../thinking.js";
import type {
  Message,
  ProviderAdapter,
  StopReason,
  StreamError,
  StreamEvent,
  StreamRequest,
} from "../types.js";
import { openaiClient } from "./openai-client.js";
import { finish, inStreamErrorKind, MessageBuilder, textOf, toStreamError } from "./shared.js";

/**
 * OpenAI Responses API (`POST {baseUrl}/responses`, typed SSE events) through the
 * official `openai` SDK. Stateless (`store: false`): the transcript is ours.
 */
export const adapter: ProviderAdapter = {
  async *stream(request, { signal }) {
    const out = new MessageBuilder();
    const state: State = { tools: new Map() };
    try {
      const client = openaiClient(request);
      const events = await client.responses.create(toParams(request), { signal });
      yield { type: "start" };
      for await (const event of events) {
        for (const e of mapEvent(event, out, state)) yield e;
        if (state.failed || state.finished) break;
      }
      if (state.failed) yield out.error(state.failed);
      else yield finish(out, state.finished, signal, "OpenAI Responses");
    } catch (err) {
      yield out.error(toStreamError(err, signal));
    }
  },
};

interface State {
  tools: Map<string, { id: string; name: string; json: string }>;
  finished?: StopReason;
  failed?: StreamError;
}

function* mapEvent(event: ResponseStreamEvent, out: MessageBuilder, state: State): Generator<StreamEvent> {
  switch (event.type) {
    case "response.output_text.delta":
      yield out.text(event.delta);
      break;
    case "response.reasoning_summary_text.delta":
    case "response.reasoning_text.delta":
      yield out.thinking(event.delta);
      break;
    case "response.output_item.added":
      if (event.item.type === "function_call") {
        const { id, call_id, name } = event.item;
        state.tools.set(id ?? call_id, { id: call_id, name, json: "" });
      }
      break;
    case "response.function_call_arguments.delta": {
      const tool = state.tools.get(event.item_id);
      if (tool) {
        tool.json += event.delta;
        yield { type: "toolcall_delta", id: tool.id, name: tool.name, delta: event.delta };
      }
      break;
    }
    case "response.output_item.done":
      if (event.item.type === "function_call") {
        const { id, call_id, name, arguments: json } = event.item;
        state.tools.delete(id ?? call_id);
        yield out.toolCall(call_id, name, json);
      }
      break;
    case "response.completed":
    case "response.incomplete": {
      const usage = event.response.usage;
      if (usage) {
        const cached = usage.input_tokens_details?.cached_tokens ?? 0;
        out.usage.input = usage.input_tokens - cached;
        out.usage.cacheRead = cached;
        out.usage.output = usage.output_tokens;
      }
      state.finished = event.type === "response.incomplete" ? "length" : "stop";
      break;
    }
    case "response.failed": {
      const e = event.response.error;
      state.failed = { kind: inStreamErrorKind(e) ?? "server", message: e?.message ?? "the response failed" };
      break;
    }
    case "error":
      state.failed = { kind: inStreamErrorKind(event) ?? "server", message: event.message };
      break;
  }
}

function toParams(request: StreamRequest): ResponseCreateParamsStreaming {
  return {
    model: request.model.ref.model,
    input: request.messages.flatMap(toInput),
    stream: true,
    store: false,
    ...(request.systemPrompt ? { instructions: request.systemPrompt } : {}),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((t) => ({
            type: "function" as const,
            name: t.name,
            description: t.description,
            parameters: t.parameters,
            strict: false,
          })),
        }
      : {}),
    ...(request.maxTokens !== undefined ? { max_output_tokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...openaiFastFields(request.model, request.fast),
    ...openaiReasoningFields(request.model, request.thinking),
  };
}

function toInput(m: Message): ResponseInputItem[] {
  if (m.role === "toolResult") {
    return [{ type: "function_call_output", call_id: m.toolCallId, output: textOf(m.content) }];
  }
  if (m.role === "user") {
    if (typeof m.content === "string") return [{ role: "user", content: m.content }];
    return [
      {
        role: "user",
        content: m.content.map((c) =>
          c.type === "text"
            ? { type: "input_text" as const, text: c.text }
            : {
                type: "input_image" as const,
                detail: "auto" as const,
                image_url: `data:${c.mimeType};base64,${c.data}`,
              },
        ),
      },
    ];
  }
  const items: ResponseInputItem[] = [];
  const text = textOf(m.content);
  if (text) items.push({ role: "assistant", content: text });
  for (const c of m.content) {
    if (c.type === "toolCall") {
      items.push({
        type: "function_call",
        call_id: c.id,
        name: c.name,
        arguments: JSON.stringify(c.arguments),
      });
    }
  }
  return items;
}
