/**
 * Attack: an agent's `tools.deny: ["exec"]` bypassed by naming an agent that does not
 * exist (session key `agent:ghost:x`, header `x-openclaw-agent-id: ghost2`, …): such
 * an agent used to run with the global tools. Every entry point must refuse it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../fakes/server.js";
import { runCli } from "../helpers/cli.js";
import type { RawSocket } from "../helpers/ws.js";
import { startTarget, type Target, TOKEN } from "./harness.js";

let target: Target;
let ws: RawSocket;
const markers = () => path.join(target.stateDir, "exec-ran");
const marker = (label: string) => path.join(markers(), label);

/** The model asks for `exec` on every turn, marking which message made it run. */
function execEveryTurn(req: RecordedRequest) {
  const body = JSON.stringify(req.body);
  if (body.includes('"tool_result"')) return { text: "done" };
  const label = /label-([a-z0-9]+)/.exec(body)?.[1] ?? "unlabelled";
  return {
    toolCalls: [
      { id: "t1", name: "exec", args: { command: `mkdir -p ${markers()} && touch ${marker(label)}` } },
    ],
  };
}

beforeAll(async () => {
  target = await startTarget({
    gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } },
    agents: { list: [{ id: "main", default: true, tools: { deny: ["exec"] } }, { id: "work" }] },
  });
  target.anthropic.setDefault(execEveryTurn);
  ws = await target.socket();
});
afterAll(async () => {
  ws?.ws.close();
  await target?.close();
});

const UNKNOWN = (id: string) => `unknown agent "${id}" (known: main, work)`;

/** Sends chat.send and waits for the run's last `chat` event. */
async function chatTurn(sessionKey: string, message: string) {
  const id = `turn-${message}`;
  ws.request(id, "chat.send", { sessionKey, message, idempotencyKey: id });
  const ack = await ws.response(id);
  expect(ack.ok).toBe(true);
  const runId = (ack.payload as { runId: string }).runId;
  for (;;) {
    const frame = await ws.next<{ event?: string; payload?: { runId?: string; state?: string } }>();
    if (frame.event === "chat" && frame.payload?.runId === runId && frame.payload.state !== "delta")
      return frame.payload.state;
  }
}

describe("per-agent tool policy cannot be bypassed with an unknown agent id", () => {
  it("the harness works: exec runs for an agent that allows it and not for main, which denies it", async () => {
    expect(await chatTurn("agent:work:x", "label-control")).toBe("final");
    expect(existsSync(marker("control"))).toBe(true);
    expect(await chatTurn("agent:main:x", "label-denied")).toBe("final");
    expect(existsSync(marker("denied"))).toBe(false);
  });

  it.each([
    ["chat.send", { sessionKey: "agent:ghost:x", message: "label-chatsend", idempotencyKey: "k1" }],
    ["chat.send", { sessionKey: "AGENT:Ghost:main", message: "label-upper", idempotencyKey: "k2" }],
    ["agent", { agentId: "ghost", message: "label-agentid", idempotencyKey: "k3" }],
    ["agent", { sessionKey: "agent:ghost:main", message: "label-agentkey", idempotencyKey: "k4" }],
    ["chat.history", { sessionKey: "agent:ghost:x" }],
    ["chat.abort", { sessionKey: "agent:ghost:x" }],
    ["sessions.list", { agentId: "ghost" }],
    ["sessions.reset", { key: "agent:ghost:x" }],
    ["sessions.delete", { key: "agent:ghost:x" }],
  ])("WS %s naming agent ghost is refused before anything runs", async (method, params) => {
    const calls = target.anthropic.requests.length;
    ws.request(`r-${method}`, method, params);
    const res = await ws.response(`r-${method}`);
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toContain(UNKNOWN("ghost"));
    expect(target.anthropic.requests.length).toBe(calls);
    expect(existsSync(path.join(target.stateDir, "agents", "ghost"))).toBe(false);
  });

  const completions = (headers: Record<string, string>, body: Record<string, unknown>) =>
    fetch(`${target.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({ messages: [{ role: "user", content: "label-openai" }], ...body }),
    });

  it.each([
    ["header x-openclaw-agent-id", { "x-openclaw-agent-id": "ghost2" }, {}, "ghost2"],
    ["model openclaw:<id>", {}, { model: "openclaw:ghost3" }, "ghost3"],
    ["header x-openclaw-session-key", { "x-openclaw-session-key": "agent:ghost4:x" }, {}, "ghost4"],
    [
      "streaming, header x-openclaw-agent-id",
      { "x-openclaw-agent-id": "ghost2" },
      { stream: true },
      "ghost2",
    ],
  ])(
    "OpenAI endpoint, %s naming an unknown agent: 400 and exec never runs",
    async (_name, headers, body, id) => {
      const calls = target.anthropic.requests.length;
      const res = await completions(headers, body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { message: string; type: string } };
      expect(json.error).toMatchObject({ type: "invalid_request_error" });
      expect(json.error.message).toContain(UNKNOWN(id));
      expect(target.anthropic.requests.length).toBe(calls);
      expect(existsSync(marker("openai"))).toBe(false);
    },
  );

  it("CLI `openclaw agent --agent ghost` fails with the same message", async () => {
    const result = await runCli(["agent", "--agent", "ghost", "-m", "label-cli"], target.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(UNKNOWN("ghost"));
    expect(existsSync(marker("cli"))).toBe(false);
  });

  it("no unknown agent got a session store or ran exec", () => {
    for (const id of ["ghost", "ghost2", "ghost3", "ghost4"])
      expect(existsSync(path.join(target.stateDir, "agents", id))).toBe(false);
    for (const label of ["chatsend", "upper", "agentid", "agentkey", "openai", "cli"])
      expect(existsSync(marker(label))).toBe(false);
  });
});
