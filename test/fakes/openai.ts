import { OPENAI_AUDIO_FORMATS, sniffAudio } from "./audio-format.js";
import { parseMultipart } from "./multipart.js";
import {
  type Dialect,
  type FakeServer,
  pieces,
  type RecordedRequest,
  type Reply,
  sse,
  startFakeServer,
} from "./server.js";

/**
 * OpenAI: Chat Completions (`POST /v1/chat/completions`, unnamed SSE chunks ending in
 * `data: [DONE]`) and the Responses API (`POST /v1/responses`, named typed events),
 * on one server as on api.openai.com.
 */
const TRANSCRIPTIONS = "/v1/audio/transcriptions";

/**
 * What the fake "hears": it cannot recognize speech, so the transcript names the upload
 * it received (file name, bytes, type, model, language), which a test can compare with
 * the fixture it sent.
 */
export const fakeTranscript = (f: { name: string; size: number; contentType: string }, model: string) =>
  `fake transcript of ${f.name} (${f.size} bytes, ${f.contentType}) by ${model}`;

/**
 * `POST /v1/audio/transcriptions`: multipart with `file` and `model`, as api.openai.com
 * checks them, and the file's format judged from its bytes (test/fakes/audio-format.ts).
 */
async function transcription(req: RecordedRequest) {
  const bad = (message: string, param: string) => ({
    status: 400,
    body: { error: { message, type: "invalid_request_error", param, code: null } },
  });
  if (!String(req.headers.authorization ?? "").startsWith("Bearer ")) {
    return {
      status: 401,
      body: {
        error: {
          message: "Missing bearer authentication",
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      },
    };
  }
  const type = String(req.headers["content-type"] ?? "");
  if (!type.startsWith("multipart/form-data")) return bad("expected multipart/form-data", "file");
  const parts = await parseMultipart(req.raw, type);
  const fields = Object.fromEntries(parts.flatMap((p) => ("value" in p ? [[p.field, p.value]] : [])));
  const file = parts.find((p) => "file" in p && p.field === "file");
  if (!file || !("file" in file)) return bad("you must provide a file", "file");
  if (!fields.model) return bad("you must provide a model parameter", "model");
  // As api.openai.com: the bytes decide, so raw AAC (ADTS) is refused whatever its name.
  const format = sniffAudio(file.file.data);
  if (format === "adts" || format === "unknown") {
    return bad(
      `Invalid file format. Supported formats: [${OPENAI_AUDIO_FORMATS.map((f) => `'${f}'`).join(", ")}]`,
      "file",
    );
  }
  (req.body as Record<string, unknown>).form = { ...fields, file: file.file };
  return {
    status: 200,
    body: {
      text: fakeTranscript(file.file, fields.model),
      usage: { type: "tokens", input_tokens: 12, output_tokens: 9, total_tokens: 21 },
    },
  };
}

const openai: Dialect = {
  serve: async (req) => (req.path === TRANSCRIPTIONS ? transcription(req) : undefined),
  reject: (req) =>
    req.method === "POST" &&
    (req.path === "/v1/chat/completions" || req.path === "/v1/responses" || req.path === TRANSCRIPTIONS)
      ? undefined
      : {
          status: 404,
          body: { error: { message: `Unknown path ${req.path}`, type: "invalid_request_error" } },
        },
  errorBody: (status, message) => ({
    error: {
      message,
      type: status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error",
      code: status === 429 ? "rate_limit_exceeded" : status === 401 ? "invalid_api_key" : null,
      param: null,
    },
  }),
  // Chat Completions puts `{"error": …}` in an unnamed chunk; the Responses API sends an `error` event.
  errorFrame: (status, message, req) => {
    const code = status === 429 ? "rate_limit_exceeded" : "server_error";
    return req.path.endsWith("/responses")
      ? sse({ type: "error", code, message, param: null, sequence_number: 99 }, "error")
      : sse({ error: { message, type: status === 429 ? "requests" : "server_error", code, param: null } });
  },
  frames: (reply, req) => (req.path.endsWith("/responses") ? responses(reply, req) : completions(reply, req)),
};

function completions(reply: Reply, req: RecordedRequest) {
  const usage = reply.usage ?? { input: 10, output: 5 };
  const chunk = (delta: unknown, finish: string | null = null) =>
    sse({
      id: "chatcmpl-fake",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: req.body.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  const frames = [chunk({ role: "assistant", content: "" })];
  const firstToken = frames.length;
  if (reply.thinking) frames.push(chunk({ reasoning_content: reply.thinking }));
  for (const text of pieces(reply.text ?? "")) frames.push(chunk({ content: text }));
  for (const [i, call] of (reply.toolCalls ?? []).entries()) {
    const json = JSON.stringify(call.args);
    const half = Math.ceil(json.length / 2);
    const id = call.id ?? `call_${i}`;
    frames.push(
      chunk({
        tool_calls: [
          { index: i, id, type: "function", function: { name: call.name, arguments: json.slice(0, half) } },
        ],
      }),
      chunk({ tool_calls: [{ index: i, function: { arguments: json.slice(half) } }] }),
    );
  }
  const finish = reply.toolCalls?.length ? "tool_calls" : reply.stop === "length" ? "length" : "stop";
  frames.push(
    chunk({}, finish),
    sse({
      id: "chatcmpl-fake",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: req.body.model,
      choices: [],
      usage: {
        prompt_tokens: usage.input + (usage.cacheRead ?? 0),
        completion_tokens: usage.output,
        total_tokens: usage.input + (usage.cacheRead ?? 0) + usage.output,
        prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
      },
    }),
    sse("[DONE]"),
  );
  return { frames, firstToken };
}

function responses(reply: Reply, req: RecordedRequest) {
  const usage = reply.usage ?? { input: 10, output: 5 };
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    sse({ type, sequence_number: seq++, ...data }, type);
  const base = { id: "resp_fake", object: "response", created_at: 1_700_000_000, model: req.body.model };
  const frames = [
    ev("response.created", { response: { ...base, status: "in_progress", output: [] } }),
    ev("response.in_progress", { response: { ...base, status: "in_progress", output: [] } }),
  ];
  let firstToken = -1;
  const output: unknown[] = [];
  let outputIndex = 0;
  if (reply.text) {
    const item = { type: "message", id: "msg_fake", role: "assistant", status: "in_progress", content: [] };
    frames.push(ev("response.output_item.added", { output_index: outputIndex, item }));
    for (const delta of pieces(reply.text)) {
      if (firstToken < 0) firstToken = frames.length;
      frames.push(
        ev("response.output_text.delta", {
          item_id: "msg_fake",
          output_index: outputIndex,
          content_index: 0,
          delta,
          logprobs: [],
        }),
      );
    }
    const done = {
      ...item,
      status: "completed",
      content: [{ type: "output_text", text: reply.text, annotations: [] }],
    };
    frames.push(ev("response.output_item.done", { output_index: outputIndex++, item: done }));
    output.push(done);
  }
  for (const [i, call] of (reply.toolCalls ?? []).entries()) {
    const json = JSON.stringify(call.args);
    const item = { type: "function_call", id: `fc_${i}`, call_id: call.id ?? `call_${i}`, name: call.name };
    frames.push(
      ev("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, arguments: "", status: "in_progress" },
      }),
    );
    if (firstToken < 0) firstToken = frames.length;
    frames.push(
      ev("response.function_call_arguments.delta", {
        item_id: item.id,
        output_index: outputIndex,
        delta: json,
      }),
      ev("response.function_call_arguments.done", {
        item_id: item.id,
        output_index: outputIndex,
        arguments: json,
      }),
    );
    const done = { ...item, arguments: json, status: "completed" };
    frames.push(ev("response.output_item.done", { output_index: outputIndex++, item: done }));
    output.push(done);
  }
  const incomplete = reply.stop === "length";
  frames.push(
    ev(incomplete ? "response.incomplete" : "response.completed", {
      response: {
        ...base,
        status: incomplete ? "incomplete" : "completed",
        incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
        output,
        usage: {
          input_tokens: usage.input + (usage.cacheRead ?? 0),
          input_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
          output_tokens: usage.output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.input + (usage.cacheRead ?? 0) + usage.output,
        },
      },
    }),
  );
  return { frames, firstToken: firstToken < 0 ? frames.length - 1 : firstToken };
}

export const startFakeOpenAI = (): Promise<FakeServer> => startFakeServer(openai);
