// The `web` build of the official SDK: with an API key it needs only fetch, so it
// leaves out google-auth-library, ws and fs (Vertex and Live API only), about half
// the bundled size of the `node` build.
import {
  type Content,
  FinishReason,
  type GenerateContentParameters,
  type GenerateContentResponse,
  GoogleGenAI,
  type Part,
} from "@google/genai/web";
import type { Message, ProviderAdapter, StopReason, StreamEvent, StreamRequest } from "../types.js";
import { cachedClient, finish, MessageBuilder, textOf, toStreamError } from "./shared.js";

/**
 * Google Gemini API (`POST {baseUrl}/{version}/models/{model}:streamGenerateContent?alt=sse`)
 * through the official `@google/genai` SDK. The SDK does not retry unless asked to.
 */
export const adapter: ProviderAdapter = {
  async *stream(request, { signal }) {
    const out = new MessageBuilder();
    let finished: StopReason | undefined;
    try {
      const { baseUrl, apiVersion } = splitVersion(request.model.baseUrl);
      const client = cachedClient(
        "google",
        request,
        () =>
          new GoogleGenAI({
            apiKey: request.apiKey,
            httpOptions: {
              baseUrl,
              apiVersion,
              ...(request.model.headers ? { headers: request.model.headers } : {}),
            },
          }),
      );
      const chunks = await client.models.generateContentStream(toParams(request, signal));
      yield { type: "start" };
      let calls = 0;
      for await (const chunk of chunks) {
        for (const e of mapChunk(chunk, out, () => `call_${calls++}`)) yield e;
        const reason = chunk.candidates?.[0]?.finishReason;
        if (reason) finished = reason === FinishReason.MAX_TOKENS ? "length" : "stop";
      }
      yield finish(out, finished, signal, "Gemini");
    } catch (err) {
      yield out.error(toStreamError(err, signal));
    }
  },
};

/** OpenClaw configs write `…/v1beta`; the SDK wants the version separately. */
function splitVersion(url: string): { baseUrl: string; apiVersion: string } {
  const match = /^(.*?)\/(v\d+(?:alpha|beta)?\d*)\/?$/.exec(url);
  return match ? { baseUrl: match[1]!, apiVersion: match[2]! } : { baseUrl: url, apiVersion: "v1beta" };
}

function* mapChunk(
  chunk: GenerateContentResponse,
  out: MessageBuilder,
  newId: () => string,
): Generator<StreamEvent> {
  const u = chunk.usageMetadata;
  if (u) {
    const cached = u.cachedContentTokenCount ?? 0;
    out.usage.input = (u.promptTokenCount ?? 0) - cached;
    out.usage.cacheRead = cached;
    // Thinking tokens are billed as output.
    out.usage.output = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0);
  }
  for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
    if (part.functionCall) {
      // Gemini sends each call whole, in one part.
      const id = part.functionCall.id ?? newId();
      const name = part.functionCall.name ?? "";
      const json = JSON.stringify(part.functionCall.args ?? {});
      yield { type: "toolcall_delta", id, name, delta: json };
      yield out.toolCall(id, name, json);
    } else if (part.text) {
      yield part.thought ? out.thinking(part.text) : out.text(part.text);
    }
  }
}

function toParams(request: StreamRequest, signal: AbortSignal | undefined): GenerateContentParameters {
  return {
    model: request.model.ref.model,
    contents: toContents(request.messages),
    config: {
      ...(signal ? { abortSignal: signal } : {}),
      ...(request.systemPrompt ? { systemInstruction: request.systemPrompt } : {}),
      ...(request.tools?.length
        ? {
            tools: [
              {
                functionDeclarations: request.tools.map((t) => ({
                  name: t.name,
                  description: t.description,
                  parametersJsonSchema: t.parameters,
                })),
              },
            ],
          }
        : {}),
      maxOutputTokens: request.maxTokens ?? request.model.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    },
  };
}

function toContents(messages: Message[]): Content[] {
  const out: Content[] = [];
  for (const m of messages) {
    const role = m.role === "assistant" ? "model" : "user";
    const parts = toParts(m);
    const last = out.at(-1);
    if (last?.role === role) last.parts!.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}

function toParts(m: Message): Part[] {
  if (m.role === "toolResult") {
    const key = m.isError ? "error" : "output";
    return [
      { functionResponse: { id: m.toolCallId, name: m.toolName, response: { [key]: textOf(m.content) } } },
    ];
  }
  if (m.role === "user") {
    if (typeof m.content === "string") return [{ text: m.content }];
    return m.content.map((c) =>
      c.type === "text" ? { text: c.text } : { inlineData: { mimeType: c.mimeType, data: c.data } },
    );
  }
  const parts: Part[] = [];
  for (const c of m.content) {
    if (c.type === "text" && c.text) parts.push({ text: c.text });
    else if (c.type === "toolCall")
      parts.push({ functionCall: { id: c.id, name: c.name, args: c.arguments } });
  }
  return parts.length ? parts : [{ text: "" }];
}
