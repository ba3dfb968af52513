import { type Dialect, type FakeServer, pieces, type Reply, sse, startFakeServer } from "./server.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** Anthropic Messages API: `POST /v1/messages` answered with its named SSE events. */
const anthropic: Dialect = {
  reject: (req) =>
    req.method === "POST" && req.path === "/v1/messages"
      ? undefined
      : { status: 404, body: { type: "error", error: { type: "not_found_error", message: req.path } } },
  // The SDK skips frames without an event name, so the broken one is a named delta.
  malformedFrame: 'event: content_block_delta\ndata: {"type": "content_block_delta", \n\n',
  errorFrame: (status, message) =>
    sse({ type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message } }, "error"),
  errorBody: (status, message) => ({
    type: "error",
    error: { type: ERROR_TYPES[status] ?? "api_error", message },
  }),
  frames(reply: Reply, req) {
    const usage = reply.usage ?? { input: 10, output: 5 };
    const frames = [
      sse(
        {
          type: "message_start",
          message: {
            id: "msg_fake",
            type: "message",
            role: "assistant",
            model: req.body.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: {
              input_tokens: usage.input,
              output_tokens: 1,
              cache_read_input_tokens: usage.cacheRead ?? 0,
              cache_creation_input_tokens: 0,
            },
          },
        },
        "message_start",
      ),
      sse({ type: "ping" }, "ping"),
    ];
    let firstToken = -1;
    let index = 0;
    const block = (start: unknown, deltas: unknown[]) => {
      frames.push(sse({ type: "content_block_start", index, content_block: start }, "content_block_start"));
      for (const delta of deltas) {
        if (firstToken < 0) firstToken = frames.length;
        frames.push(sse({ type: "content_block_delta", index, delta }, "content_block_delta"));
      }
      frames.push(sse({ type: "content_block_stop", index }, "content_block_stop"));
      index++;
    };
    if (reply.thinking) {
      block({ type: "thinking", thinking: "", signature: "" }, [
        { type: "thinking_delta", thinking: reply.thinking },
        // Anthropic signs each thinking block; the signature is what lets a client send it back.
        { type: "signature_delta", signature: FAKE_THINKING_SIGNATURE },
      ]);
    }
    if (reply.text) {
      block(
        { type: "text", text: "" },
        pieces(reply.text).map((text) => ({ type: "text_delta", text })),
      );
    }
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      const json = JSON.stringify(call.args);
      const half = Math.ceil(json.length / 2);
      block({ type: "tool_use", id: call.id ?? `toolu_${i}`, name: call.name, input: {} }, [
        { type: "input_json_delta", partial_json: json.slice(0, half) },
        { type: "input_json_delta", partial_json: json.slice(half) },
      ]);
    }
    const stop = reply.toolCalls?.length ? "tool_use" : reply.stop === "length" ? "max_tokens" : "end_turn";
    frames.push(
      sse(
        {
          type: "message_delta",
          delta: { stop_reason: stop, stop_sequence: null },
          usage: { output_tokens: usage.output },
        },
        "message_delta",
      ),
      sse({ type: "message_stop" }, "message_stop"),
    );
    return { frames, firstToken: firstToken < 0 ? frames.length - 2 : firstToken };
  },
};

/** The signature the fake puts on every thinking block it streams. */
export const FAKE_THINKING_SIGNATURE = "fake-signature-EqQBCgIYAhIM";

export const startFakeAnthropic = (): Promise<FakeServer> => startFakeServer(anthropic);
