import type { GatewayClient } from "../../src/gateway/client.js";
import type { EventFrame } from "../../src/gateway/protocol.js";

const ENDED = new Set(["final", "error", "aborted"]);

export interface TurnOptions {
  sessionKey?: string;
  /** Defaults to `k-<message>`: the same message twice is one turn (OpenClaw's dedupe). */
  idempotencyKey?: string;
}

/**
 * Sends `message` with `chat.send` and resolves with the final chat state (`final`, `error`
 * or `aborted`) of that run, not of any other run on the connection. The end can arrive
 * before `chat.send` answers with the run id, so ends are remembered until it does.
 */
export async function chatTurn(
  client: GatewayClient,
  message: string,
  opts: TurnOptions = {},
): Promise<string> {
  const ended = new Map<string, string>();
  let runId: string | undefined;
  let finish!: (state: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  const stop = client.onEvent((frame: EventFrame) => {
    const p = frame.payload as { runId?: string; state?: string } | undefined;
    if (frame.event !== "chat" || !p?.runId || !ENDED.has(p.state ?? "")) return;
    ended.set(p.runId, p.state ?? "");
    if (p.runId === runId) finish(p.state ?? "");
  });
  try {
    const ack = (await client.request("chat.send", {
      sessionKey: opts.sessionKey ?? "main",
      message,
      idempotencyKey: opts.idempotencyKey ?? `k-${message}`,
    })) as { runId: string };
    runId = ack.runId;
    const already = ended.get(runId);
    if (already !== undefined) finish(already);
    return await done;
  } finally {
    stop();
  }
}
