import {
  type Dialect,
  type FakeServer,
  pieces,
  type RecordedRequest,
  type Reply,
  sse,
  startFakeServer,
} from "./server.js";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

const STREAM_PATH = /^\/v1beta\/models\/[^/:]+:streamGenerateContent\?alt=sse$/;
const GENERATE_PATH = /^\/v1beta\/models\/([^/:]+):generateContent$/;

/**
 * `generateContent` (not streamed), as audio transcription calls it: the answer names the
 * inline audio received (type, decoded bytes), since the fake cannot recognize speech.
 */
async function generate(req: RecordedRequest) {
  const model = GENERATE_PATH.exec(req.path)?.[1];
  if (!req.headers["x-goog-api-key"]) {
    return {
      status: 403,
      body: {
        error: {
          code: 403,
          message: "Method doesn't allow unregistered callers",
          status: "PERMISSION_DENIED",
        },
      },
    };
  }
  const contents = (req.body.contents ?? []) as {
    parts?: { inlineData?: { mimeType: string; data: string }; text?: string }[];
  }[];
  const inline = contents.flatMap((c) => c.parts ?? []).find((p) => p.inlineData)?.inlineData;
  const text = inline
    ? `fake transcript of ${inline.mimeType} audio (${Buffer.from(inline.data, "base64").length} bytes) by ${model}`
    : "no audio received";
  return {
    status: 200,
    body: {
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 12, totalTokenCount: 52 },
      modelVersion: model,
    },
  };
}

/**
 * Gemini API: `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`, each SSE
 * frame a whole GenerateContentResponse (CRLF line ends, as Google sends them).
 */
const gemini: Dialect = {
  serve: async (req) => (GENERATE_PATH.test(req.path) ? generate(req) : undefined),
  reject: (req) =>
    req.method === "POST" && (STREAM_PATH.test(req.path) || GENERATE_PATH.test(req.path))
      ? undefined
      : {
          status: 404,
          body: { error: { code: 404, message: `Unknown path ${req.path}`, status: "NOT_FOUND" } },
        },
  errorFrame: (status, message) =>
    sse({ error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN" } }, undefined, "\r\n"),
  errorBody: (status, message) => ({
    error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN" },
  }),
  frames(reply: Reply, req) {
    const model = /models\/([^:]+):/.exec(req.path)?.[1];
    const usage = reply.usage ?? { input: 10, output: 5 };
    const frame = (parts: unknown[], extra: Record<string, unknown> = {}) =>
      sse(
        {
          candidates: [{ content: { role: "model", parts }, index: 0, ...extra }],
          modelVersion: model,
        },
        undefined,
        "\r\n",
      );
    const frames: string[] = [];
    if (reply.thinking) frames.push(frame([{ text: reply.thinking, thought: true }]));
    for (const text of pieces(reply.text ?? "")) frames.push(frame([{ text }]));
    for (const call of reply.toolCalls ?? []) {
      frames.push(
        frame([{ functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.args } }]),
      );
    }
    frames.push(
      sse(
        {
          candidates: [
            {
              content: { role: "model", parts: [{ text: "" }] },
              finishReason: reply.stop === "length" ? "MAX_TOKENS" : "STOP",
              index: 0,
            },
          ],
          usageMetadata: {
            promptTokenCount: usage.input + (usage.cacheRead ?? 0),
            candidatesTokenCount: usage.output,
            cachedContentTokenCount: usage.cacheRead ?? 0,
            totalTokenCount: usage.input + (usage.cacheRead ?? 0) + usage.output,
          },
          modelVersion: model,
        },
        undefined,
        "\r\n",
      ),
    );
    // Gemini has no preamble frame: a cut "before the first token" is a cut right after the headers.
    return { frames, firstToken: 0 };
  },
};

export const startFakeGemini = (): Promise<FakeServer> => startFakeServer(gemini);
