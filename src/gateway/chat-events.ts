import type { RunEvent } from "../agents/runtime.js";
import type { FallbackStep, StreamError } from "../providers/index.js";
import type { Broadcast } from "./events.js";

/** OpenClaw's `chat` error kinds. */
function errorKind(kind: string): "refusal" | "timeout" | "rate_limit" | "context_length" | "unknown" {
  if (kind === "timeout" || kind === "aborted") return "timeout";
  if (kind === "rate_limit" || kind === "overloaded") return "rate_limit";
  return "unknown";
}

/** Our failure kinds as OpenClaw's fallback reasons (its clients check them against a fixed list). */
const FALLBACK_REASONS: Record<StreamError["kind"], string> = {
  auth: "auth",
  rate_limit: "rate_limit",
  overloaded: "overloaded",
  server: "server_error",
  timeout: "timeout",
  connection: "unclassified",
  protocol: "unclassified",
  bad_request: "format",
  aborted: "unknown",
};

/**
 * OpenClaw's `agent` lifecycle event for a move to a fallback model: the selected
 * (primary) and active model, why, and each failed attempt.
 */
/** A kind read back from a transcript may be one this version does not know. */
const reasonOf = (kind: string): string => FALLBACK_REASONS[kind as StreamError["kind"]] ?? "unclassified";

export function fallbackData(step: FallbackStep): Record<string, unknown> {
  const attempts = step.attempts.map(({ model, error }) => ({
    provider: model.provider,
    model: model.model,
    error: error.message,
    reason: reasonOf(error.kind),
    ...(error.status ? { status: error.status } : {}),
  }));
  const summaries = attempts.map(
    (a) => `${a.provider}/${a.model}: ${a.status ? `HTTP ${a.status}` : a.reason.replace(/_/g, " ")}`,
  );
  const lastFailure = step.attempts.at(-1)?.error;
  return {
    phase: "fallback",
    selectedProvider: step.selected.provider,
    selectedModel: step.selected.model,
    activeProvider: step.to.provider,
    activeModel: step.to.model,
    fromProvider: step.from.provider,
    fromModel: step.from.model,
    reasonSummary: lastFailure
      ? reasonOf(lastFailure.kind).replace(/_/g, " ")
      : "cooling down after an earlier failure",
    attemptSummaries: summaries,
    attempts,
  };
}

/**
 * Turns agent run events into the protocol's `chat` events (what chat UIs render:
 * delta / final / aborted / error, with the text so far) and `agent` events
 * (assistant text, tool calls, lifecycle), each numbered per run. Both need
 * `operator.read`. A run's start and end also change its session (`sessions.changed`,
 * which OpenClaw's sidebar refreshes on, sent to `sessions.subscribe`rs only) and its end
 * adds the reply to the transcript (`session.message`, which its open chat appends, sent
 * only to connections following that session with `sessions.messages.subscribe`).
 */
export function createChatEventBridge(broadcast: Broadcast): (e: RunEvent) => void {
  const runs = new Map<string, { seq: number; text: string }>();
  return ({ runId, sessionKey, agentId, event }) => {
    const changed = (reason: string) =>
      broadcast("sessions.changed", { sessionKey, agentId, reason, ts: Date.now() }, "operator.read", {
        audience: { kind: "sessions" },
      });
    let run = runs.get(runId);
    if (!run) {
      run = { seq: 0, text: "" };
      runs.set(runId, run);
      changed("run-start");
      broadcast(
        "agent",
        { runId, seq: run.seq++, stream: "lifecycle", ts: Date.now(), data: { phase: "start", sessionKey } },
        "operator.read",
      );
    }
    const base = { runId, sessionKey };
    const agent = (stream: string, data: Record<string, unknown>) =>
      broadcast("agent", { runId, seq: run.seq++, stream, ts: Date.now(), data }, "operator.read");
    const chat = (payload: Record<string, unknown>) =>
      broadcast("chat", { ...base, seq: run.seq++, ...payload }, "operator.read");
    const message = () => ({ role: "assistant", content: [{ type: "text", text: run.text }] });
    switch (event.type) {
      case "delta":
        run.text += event.text;
        chat({ state: "delta", deltaText: event.text, message: message() });
        agent("assistant", { delta: event.text });
        return;
      case "tool":
        agent("tool", { ...event });
        return;
      case "fallback": {
        // With the session key at the top, as OpenClaw sends it (its UI filters on it).
        const { type: _, ...step } = event;
        const data = { ...fallbackData(step), sessionKey };
        const frame = { runId, sessionKey, seq: run.seq++, stream: "lifecycle", ts: Date.now(), data };
        broadcast("agent", frame, "operator.read");
        return;
      }
      case "final":
        run.text = event.text;
        chat({
          state: "final",
          message: message(),
          usage: event.usage,
          stopReason: "stop",
          model: event.answeredBy?.model,
        });
        agent("lifecycle", { phase: "end" });
        break;
      case "aborted":
        chat({ state: "aborted", message: message(), stopReason: "aborted" });
        agent("lifecycle", { phase: "end", aborted: true });
        break;
      case "error":
        chat({
          state: "error",
          message: message(),
          errorMessage: event.message,
          errorKind: errorKind(event.kind),
        });
        agent("lifecycle", { phase: "error", error: event.message });
        break;
    }
    runs.delete(runId);
    broadcast(
      "session.message",
      { sessionKey, agentId, message: { ...message(), timestamp: Date.now() } },
      "operator.read",
      { audience: { kind: "session", key: sessionKey } },
    );
    changed("run-end");
  };
}
