import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

/**
 * State dirs written by the real programs (scripts/openclaw-fixtures.mjs): OpenClaw 2026.9.6
 * (SQLite) and the legacy sessions.json + JSONL layout. Ours started on a copy shows every
 * session and its history, continues the conversation, and changes none of OpenClaw's files.
 */
const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/openclaw-state");

let anthropic: FakeServer;
const running: RunningGateway[] = [];
beforeEach(async () => {
  anthropic = await startFakeAnthropic();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
  await anthropic.close();
});

function stateFrom(fixture: string) {
  const stateDir = tempDir();
  cpSync(path.join(FIXTURES, fixture), stateDir, { recursive: true });
  writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: anthropic.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    }),
  );
  const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test-key" });
  return { stateDir, env };
}

/** sha256 of every file under `dir` (relative path → hash): "unchanged" means byte for byte. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash("sha256").update(readFileSync(file)).digest("hex");
  }
  return out;
}

const chat = (client: GatewayClient, sessionKey: string, message: string) =>
  chatTurn(client, message, { sessionKey, idempotencyKey: message });

type HistoryMessage = { role: string; content: string | { type: string; text?: string }[] };
// A user message of text only is a plain string (OpenClaw's history shape); a reply has blocks.
const texts = (messages: HistoryMessage[]) =>
  messages.map(
    (m) =>
      `${m.role}: ${typeof m.content === "string" ? m.content : (m.content.find((c) => c.type === "text")?.text ?? "")}`,
  );

describe.each([
  ["v2026.9.6", "agents/main/agent"],
  ["legacy", "agents/main/sessions"],
])("started on a state dir of %s", (fixture, openclawFiles) => {
  it("lists every session, shows its history, continues it, and leaves OpenClaw's files as they were", async () => {
    const { stateDir, env } = stateFrom(fixture);
    const before = hashes(path.join(FIXTURES, fixture, openclawFiles));
    anthropic.setDefault({ text: "continued", usage: { input: 3, output: 1 } });
    const gw = await startGateway(["--port", "0"], env);
    running.push(gw);
    const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });

    const list = (await client.request("sessions.list", {})) as {
      totalCount: number;
      sessions: { key: string; totalTokens?: number; updatedAt: number }[];
    };
    expect(list.totalCount).toBe(2);
    expect(list.sessions.map((s) => s.key).sort()).toEqual(["agent:main:fixture-two", "agent:main:main"]);
    for (const s of list.sessions) {
      expect(s.totalTokens).toBeGreaterThan(0);
      expect(s.updatedAt).toBeGreaterThan(Date.parse("2026-01-01"));
    }
    const history = (await client.request("chat.history", { sessionKey: "main" })) as {
      messages: HistoryMessage[];
    };
    expect(texts(history.messages)).toEqual([
      "user: hello from the fixture",
      "assistant: ok from the fake model",
      "user: a second turn",
      "assistant: ok from the fake model",
    ]);

    // A new message continues the same conversation: the model gets the earlier turns.
    await chat(client, "main", "and a third");
    const sent = JSON.stringify(anthropic.requests.at(-1)!.body.messages);
    expect(sent).toContain("hello from the fixture");
    expect(sent).toContain("a second turn");
    const after = (await client.request("chat.history", { sessionKey: "main" })) as typeof history;
    expect(texts(after.messages).slice(-2)).toEqual(["user: and a third", "assistant: continued"]);
    await client.close();

    const cli = await runCli(["sessions", "--json"], env);
    expect(cli.code).toBe(0);
    const printed = JSON.parse(cli.stdout) as { totalCount: number; sessions: { key: string }[] };
    expect(printed.totalCount).toBe(2);
    expect(printed.sessions[0]!.key).toBe("agent:main:main");

    const now = hashes(path.join(stateDir, openclawFiles));
    for (const [file, hash] of Object.entries(before)) {
      if (file.endsWith(".jsonl")) {
        // A legacy transcript is shared: continuing the conversation appends to it, never rewrites it.
        const old = readFileSync(path.join(FIXTURES, fixture, openclawFiles, file), "utf8");
        expect(readFileSync(path.join(stateDir, openclawFiles, file), "utf8").startsWith(old)).toBe(true);
      } else expect(now[file]).toBe(hash);
    }
    if (fixture === "v2026.9.6") {
      // OpenClaw 2026.9.6 refuses to start when a legacy index appears beside its database.
      expect(existsSync(path.join(stateDir, "agents/main/sessions/sessions.json"))).toBe(false);
    }
  });

  it("a second start imports nothing again", async () => {
    const { env } = stateFrom(fixture);
    for (let i = 0; i < 2; i++) {
      const gw = await startGateway(["--port", "0"], env);
      running.push(gw);
      const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
      expect(((await client.request("sessions.list", {})) as { totalCount: number }).totalCount).toBe(2);
      await client.close();
      await gw.stop("SIGTERM");
      const { stdout, stderr } = gw.output();
      const imported = /imported \d+ session\(s\)/.test(stdout + stderr);
      expect(imported).toBe(i === 0);
    }
  });
});
