import WebSocket from "ws";
import type { realtimeSession } from "./realtime.js";

/**
 * OpenAI Realtime over the gateway relay (OpenClaw's `gateway-relay` transport): the
 * gateway holds the vendor WebSocket (`wss://…/v1/realtime?model=…`, the API key in its
 * Authorization header) and the browser only ever sees relay events. Audio is PCM16 at
 * 24 kHz both ways (the GA API's `audio/pcm`). The vendor's events are mapped to
 * OpenClaw's relay events (`ready`, `audio`, `clear`, `transcript`, `toolCall`, `error`,
 * `close`); everything else stays here.
 */

export const RELAY_SAMPLE_RATE = 24_000;
/** Audio waiting to reach OpenAI past which more is refused (~20 s of speech): a stalled vendor must not grow the gateway. */
const MAX_UNSENT_BYTES = 1 << 20;
/** How long OpenAI has to open the socket and apply the session. */
const CONNECT_TIMEOUT_MS = 15_000;

/** One relay event as the owning connection receives it in `talk.event` (less `relaySessionId`). */
export type RelayEvent =
  | { type: "ready" }
  | { type: "audio"; audioBase64: string }
  | { type: "clear" }
  | { type: "transcript"; role: "user" | "assistant"; text: string; final: boolean }
  | { type: "toolCall"; callId: string; name: string; args: unknown }
  | { type: "error"; message: string }
  | { type: "close"; reason: "completed" | "error" | "timeout" };

export interface OpenAIRelay {
  /** Resolves once OpenAI applied the session (the gateway's prompt, voice and tool); rejects if it could not start. */
  ready: Promise<void>;
  /** Refuses (throws) while OpenAI is not taking what was already sent. */
  appendAudio(base64: string): void;
  /** Hands a function's output to the model and lets it answer. */
  toolResult(callId: string, output: unknown): void;
  close(): void;
}

/** The vendor's error text, unless it quotes the key (OpenAI's auth errors do): then its code only. */
function vendorError(error: { message?: unknown; code?: unknown; type?: unknown } | undefined, key: string) {
  const code = String(error?.code ?? error?.type ?? "error").slice(0, 60);
  const message = typeof error?.message === "string" ? error.message.slice(0, 300) : "";
  return !message || message.includes(key.slice(3, 10)) ? `OpenAI Realtime error (${code})` : message;
}

export function openOpenAIRelay(opts: {
  apiBase: string;
  apiKey: string;
  session: ReturnType<typeof realtimeSession>;
  emit(event: RelayEvent): void;
}): OpenAIRelay {
  const { apiKey, emit } = opts;
  const url = `${opts.apiBase.replace(/^http/, "ws")}/realtime?model=${encodeURIComponent(opts.session.model)}`;
  const ws = new WebSocket(url, {
    headers: { authorization: `Bearer ${apiKey}` },
    handshakeTimeout: CONNECT_TIMEOUT_MS,
  });
  const send = (event: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(event));
  const pcm = { type: "audio/pcm", rate: RELAY_SAMPLE_RATE };
  const { input, output } = opts.session.audio;
  let started = false;
  let closing = false;
  let failure: string | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const slow = setTimeout(() => {
      failure = `OpenAI Realtime did not start the session within ${CONNECT_TIMEOUT_MS / 1000} s`;
      ws.terminate();
    }, CONNECT_TIMEOUT_MS);
    ws.on("open", () =>
      send({
        type: "session.update",
        session: {
          ...opts.session,
          audio: { input: { ...input, format: pcm }, output: { ...output, format: pcm } },
        },
      }),
    );
    // A refused handshake (401 for a bad key): the status only, never the vendor's body.
    ws.on("unexpected-response", (_req, res) => {
      failure =
        res.statusCode === 401
          ? "OpenAI Realtime rejected the API key"
          : `OpenAI Realtime answered ${res.statusCode}`;
      ws.terminate();
    });
    ws.on("error", (err) => {
      failure ??= `could not reach the OpenAI Realtime API: ${err.name}`;
    });
    ws.on("close", (code, why) => {
      clearTimeout(slow);
      if (!started) return reject(new Error(failure ?? "OpenAI Realtime closed before the session started"));
      if (closing) return emit({ type: "close", reason: "completed" });
      // OpenAI ended the call: say why, unless an error event already did.
      if (!failure)
        emit({ type: "error", message: `OpenAI Realtime closed the call (${code} ${why})`.trim() });
      emit({ type: "close", reason: "error" });
    });
    ws.on("message", (data) => {
      // biome-ignore lint/suspicious/noExplicitAny: vendor events, each field checked where read
      let event: any;
      try {
        event = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (event.type === "session.updated" && !started) {
        started = true;
        clearTimeout(slow);
        resolve();
        emit({ type: "ready" });
      } else if (event.type === "error") {
        failure = vendorError(event.error, apiKey);
        if (started) emit({ type: "error", message: failure });
        else ws.close();
      } else if (started) relayed(event);
    });
  });
  // biome-ignore lint/suspicious/noExplicitAny: vendor events
  const relayed = (event: any) => {
    const text = (t: unknown) => (typeof t === "string" ? t : "");
    switch (event.type) {
      case "response.output_audio.delta":
        if (typeof event.delta === "string" && event.delta) emit({ type: "audio", audioBase64: event.delta });
        return;
      case "input_audio_buffer.speech_started":
        return emit({ type: "clear" });
      case "conversation.item.input_audio_transcription.completed":
        return emit({ type: "transcript", role: "user", text: text(event.transcript), final: true });
      case "response.output_audio_transcript.delta":
        return emit({ type: "transcript", role: "assistant", text: text(event.delta), final: false });
      case "response.output_audio_transcript.done":
        return emit({ type: "transcript", role: "assistant", text: text(event.transcript), final: true });
      case "response.done":
        for (const item of event.response?.output ?? []) {
          if (item?.type !== "function_call" || typeof item.call_id !== "string") continue;
          let args: unknown = {};
          try {
            args = JSON.parse(item.arguments || "{}");
          } catch {
            // unparsable arguments reach the consult as none: it answers "question required"
          }
          emit({ type: "toolCall", callId: item.call_id, name: String(item.name), args });
        }
    }
  };
  return {
    ready,
    appendAudio(audio) {
      if (ws.bufferedAmount > MAX_UNSENT_BYTES) {
        throw new Error("OpenAI Realtime is not keeping up: this audio was dropped, send less or wait");
      }
      send({ type: "input_audio_buffer.append", audio });
    },
    toolResult(callId, result) {
      send({
        type: "conversation.item.create",
        item: { type: "function_call_output", call_id: callId, output: JSON.stringify(result) },
      });
      send({ type: "response.create" });
    },
    close() {
      closing = true;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    },
  };
}
