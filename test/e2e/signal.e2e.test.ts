import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeSignal, type SentMessage, startFakeSignal } from "../fakes/signal/index.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const BOT = "+15550000001";
const ALICE = "+15550000002";
const BOB = "+15550000003";
const FAMILY = "RmFtaWx5R3JvdXBJZA==";
const TOKEN = "signal-e2e-gateway-token";

let signal: FakeSignal;
let anthropic: FakeServer;
let gw: RunningGateway;
let env: NodeJS.ProcessEnv;

function config(
  signalSection: Record<string, unknown>,
  anthropicUrl?: string,
  more: Record<string, unknown> = {},
) {
  return {
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
      list: [{ id: "main", default: true }],
    },
    auth: { profiles: { "anthropic:default": { mode: "token", provider: "anthropic" } } },
    bindings: [{ agentId: "main", match: { channel: "signal" } }],
    channels: { signal: signalSection, ...more },
    gateway: { mode: "local" },
    ...(anthropicUrl ? { models: { providers: { anthropic: { baseUrl: anthropicUrl } } } } : {}),
  };
}

/** Resolves with the next `send` the gateway makes that matches. */
function nextSend(match: (m: SentMessage) => boolean): Promise<SentMessage> {
  const seen = signal.sent.length;
  const found = () => signal.sent.slice(seen).find(match);
  return new Promise((resolve) => {
    const wait = () =>
      void signal
        .nextCall((c) => c.method === "send")
        .then(() => {
          const m = found();
          if (m) resolve(m);
          else wait();
        });
    wait();
  });
}

const toAlice = (m: SentMessage) => m.recipient?.[0] === ALICE;

beforeAll(async () => {
  signal = await startFakeSignal({ account: BOT });
  anthropic = await startFakeAnthropic();
  const stateDir = tempDir();
  const section = {
    account: BOT,
    httpUrl: signal.url,
    dmPolicy: "pairing",
    allowFrom: [ALICE],
    groupPolicy: "allowlist",
    groups: { [FAMILY]: { requireMention: true } },
  };
  // WhatsApp configured but never linked: it must idle (no Baileys, no network) and say so.
  const more = { whatsapp: { allowFrom: [ALICE] } };
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config(section, anthropic.url, more)));
  env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-ant-signal-e2e",
  });
  gw = await startGateway(["--port", "0"], env);
  await gw.waitForLine(/^\[signal\] connected to signal-cli as \+15550000001$/);
});

afterAll(async () => {
  await gw?.stop();
  await signal?.close();
  await anthropic?.close();
});

describe("Signal through signal-cli's JSON-RPC daemon", () => {
  it("answers an allowed DM, showing typing while the agent works", async () => {
    anthropic.enqueue({ text: "Hello Alice, from the agent." });
    const reply = nextSend(toAlice);
    signal.receive({ from: ALICE, name: "Alice", text: "hello bot" });
    expect((await reply).message).toBe("Hello Alice, from the agent.");
    expect(
      signal.calls.some((c) => c.method === "sendTyping" && c.params.recipient?.toString() === ALICE),
    ).toBe(true);
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.messages)).toContain("hello bot");
  });

  it("a stranger gets a pairing code; after `openclaw pairing approve signal` the stranger is answered", async () => {
    const codeMessage = nextSend((m) => m.recipient?.[0] === BOB);
    signal.receive({ from: BOB, name: "Bob", text: "hi, who are you?" });
    const { message } = await codeMessage;
    const code = /Your pairing code: ([A-Z2-9]{8})/.exec(message)?.[1];
    expect(code).toBeDefined();
    expect(message).toContain(`openclaw pairing approve signal ${code}`);

    const approve = await runCli(["pairing", "approve", "signal", code!], env);
    expect(approve.stdout).toBe(`approved signal sender ${BOB}\n`);

    anthropic.enqueue({ text: "Nice to meet you, Bob." });
    const answer = nextSend((m) => m.recipient?.[0] === BOB);
    signal.receive({ from: BOB, name: "Bob", text: "hello again" });
    expect((await answer).message).toBe("Nice to meet you, Bob.");
  });

  it("in a group, answers only when the bot is mentioned", async () => {
    const before = anthropic.requests.length;
    signal.receive({ from: ALICE, groupId: FAMILY, groupName: "Family", text: "no mention, no answer" });
    signal.receive({ from: ALICE, groupId: "T3RoZXJHcm91cA==", mentions: [BOT], text: "group not allowed" });
    anthropic.enqueue({ text: "You mentioned me." });
    const reply = nextSend((m) => m.groupId === FAMILY);
    signal.receive({
      from: ALICE,
      groupId: FAMILY,
      groupName: "Family",
      mentions: [BOT],
      text: "what's up?",
    });
    expect((await reply).message).toBe("You mentioned me.");
    expect(anthropic.requests.length - before).toBe(1);
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.messages)).toContain("what's up?");
    expect(signal.sent.filter((m) => m.groupId === "T3RoZXJHcm91cA==")).toEqual([]);
  });

  it("a 9,000-character answer arrives as three messages of at most 4,000", async () => {
    const long = "This sentence is part of a very long answer. ".repeat(200).slice(0, 9000).trim();
    anthropic.enqueue({ text: long });
    const seen = signal.sent.length;
    const third = new Promise<void>((resolve) => {
      const wait = () =>
        void signal
          .nextCall((c) => c.method === "send")
          .then(() => {
            if (signal.sent.slice(seen).filter(toAlice).length >= 3) resolve();
            else wait();
          });
      wait();
    });
    signal.receive({ from: ALICE, text: "write me a long answer" });
    await third;
    const parts = signal.sent
      .slice(seen)
      .filter(toAlice)
      .map((m) => m.message);
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4000);
    expect(parts.join(" ").replace(/\s+/g, " ")).toBe(long.replace(/\s+/g, " "));
  });

  it("retries a send the daemon failed with a server error", async () => {
    anthropic.enqueue({ text: "Delivered on the second try." });
    signal.failNext({ method: "send", status: 503 });
    const failed = signal.nextCall((c) => c.method === "send");
    const reply = nextSend(toAlice);
    signal.receive({ from: ALICE, text: "are you there?" });
    await failed;
    expect((await reply).message).toBe("Delivered on the second try.");
    await gw.waitForLine(/^\[signal\] send message 1\/1 to direct \+15550000002 failed \(attempt 1\/3\)/m);
  });

  it("openclaw channels status lists every channel with its state", async () => {
    const result = await runCli(["channels", "status"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^signal\s+ready\s+\+15550000001$/m);
    expect(result.stdout).toMatch(/^discord\s+not configured$/m);
    expect(result.stdout).toMatch(
      /^whatsapp\s+stopped\s+WhatsApp is not linked: run `openclaw channels login --channel whatsapp`/m,
    );
    const ready = await fetch(`http://127.0.0.1:${gw.port}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, failing: [] });
  });
});

describe("Signal with a managed daemon but no signal-cli installed", () => {
  it("logs one clear line, reports state error, and the gateway keeps serving", async () => {
    const stateDir = tempDir();
    const section = { account: BOT, cliPath: "/nonexistent/bin/signal-cli" };
    writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config(section)));
    const env2 = testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: TOKEN });
    const gw2 = await startGateway(["--port", "0"], env2);
    try {
      const [line] = await gw2.waitForLine(/^\[signal\] signal-cli was not found.*$/m);
      expect(line).toContain("channels.signal.httpUrl");
      const status = await runCli(["channels", "status", "--json"], env2);
      const signalReport = JSON.parse(status.stdout).channels.find(
        (c: { channel: string }) => c.channel === "signal",
      );
      expect(signalReport).toMatchObject({ state: "error", connected: false, configured: true });
      expect((await runCli(["health"], env2)).code).toBe(0);
      expect(gw2.output().stderr.match(/signal-cli was not found/g)).toHaveLength(1);
      // No channels.whatsapp here: the QR login explains what to add instead of hanging.
      const login = await runCli(["channels", "login", "--channel", "whatsapp"], env2);
      expect(login.code).toBe(1);
      expect(login.stderr).toMatch(/whatsapp is not configured: add a channels\.whatsapp section first/);
    } finally {
      await gw2.stop();
    }
  });
});
