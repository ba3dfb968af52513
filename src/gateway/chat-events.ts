import type { RunEvent } from "../agents/runtime.js";
import type { Broadcast } from "./events.js";

/** OpenClaw's `chat` error kinds. */
function errorKind(kind: string): "refusal" | "timeout" | "rate_limit" | "context_length" | "unknown" {
  if (kind === "timeout" || kind === "aborted") return "timeout";
  if (kind === "rate_limit" || kind === "overloaded") return "rate_limit";
  return "unknown";
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
