import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import type { EventFrame } from "../../src/gateway/protocol.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { readSessionIndex } from "../helpers/session-index.js";

/** Messages in flight when the gateway is killed: each opens a new session (an index insert). */
const MESSAGES = 40;
/** Acks received before kill -9: the rest are mid-write somewhere (index, transcript, model call). */
const KILL_AFTER = 15;

const running: RunningGateway[] = [];
let model: FakeServer | undefined;
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
  await model?.close();
});

describe("session store under kill -9", () => {
  it("every acknowledged message is in its session's history after a restart; the index is intact", async () => {
    model = await startFakeAnthropic();
    model.setDefault({ text: "ok", usage: { input: 1, output: 1 } });
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: model.url } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, maxConcurrent: 8 } },
      }),
    );
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test-key" });
    const gw = await startGateway(["--port", "0"], env);
    running.push(gw);
    const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });

    const acked: string[] = [];
    let killed!: () => void;
    const killedNow = new Promise<void>((r) => (killed = r));
    const sends = Array.from({ length: MESSAGES }, async (_, i) => {
      const text = `message ${i}`;
      try {
        await client.request("chat.send", { sessionKey: `crash-${i}`, message: text, idempotencyKey: text });
      } catch {
        return; // Not acknowledged: the gateway died first; the client would retry.
      }
      acked.push(text);
      if (acked.length === KILL_AFTER) killed();
    });
    await killedNow;
    await gw.stop("SIGKILL");
    await Promise.allSettled(sends);
    await client.close().catch(() => undefined);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);

    // The index file passes SQLite's integrity check (a torn write would fail it).
    readSessionIndex(path.join(stateDir, "agents/main/sessions"));

    // Second life: the journal replays what was acked but not answered; each acked message
    // ends up in the history of its own session (once the replayed run has written it).
    const again = await startGateway(["--port", "0"], env);
    running.push(again);
    const { client: c2 } = await GatewayClient.connect({ url: `ws://127.0.0.1:${again.port}` });
    const finals = new Map<string, () => void>();
    const finished = new Set<string>();
    c2.onEvent((frame: EventFrame) => {
      const p = frame.payload as { sessionKey: string; state: string };
      if (frame.event !== "chat" || p.state !== "final") return;
      finished.add(p.sessionKey);
      finals.get(p.sessionKey)?.();
    });
    const userTexts = async (key: string) => {
      const history = (await c2.request("chat.history", { sessionKey: key })) as {
        messages: { role: string; content: string }[];
      };
      // A user message of text only is a plain string (OpenClaw's history shape).
      return history.messages.filter((m) => m.role === "user").map((m) => m.content);
    };
    for (const text of acked) {
      const key = `agent:main:crash-${text.split(" ")[1]}`;
      if (!(await userTexts(key)).includes(text) && !finished.has(key)) {
        await new Promise<void>((r) => finals.set(key, r));
      }
      expect(await userTexts(key)).toContain(text);
    }
    await c2.close();
  });
});
