/**
 * The built gateway with a fake Telegram, a fake model (Anthropic), a fake OpenAI for
 * transcription and a fake Brave Search: a voice note reaches the model as a transcript,
 * and the model's web_search call is answered from Brave's JSON. A second gateway without
 * any transcription key answers a voice note with a sentence instead of silence.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import { type FakeBrave, startFakeBrave } from "../fakes/search/brave.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeTelegram, type SentMessage, startFakeTelegram } from "../fakes/telegram/index.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const FIXTURE = readFileSync(path.resolve(import.meta.dirname, "../fixtures/audio/voice-note.wav"));
const ALICE = { id: 333000333, first_name: "Alice", username: "alice" };
const OPENAI_KEY = "sk-e2e-transcription-key-000111";

let telegram: FakeTelegram;
let anthropic: FakeServer;
let openai: FakeServer;
let brave: FakeBrave;
const gateways: RunningGateway[] = [];

async function start(
  tg: FakeTelegram,
  extraEnv: Record<string, string>,
  extraConfig: Record<string, unknown> = {},
) {
  const stateDir = tempDir();
  const config = {
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
      list: [{ id: "main", default: true }],
    },
    bindings: [{ agentId: "main", match: { channel: "telegram" } }],
    channels: { telegram: { enabled: true, apiRoot: tg.apiRoot, allowFrom: [`tg:${ALICE.id}`] } },
    models: { providers: { anthropic: { baseUrl: anthropic.url }, openai: { baseUrl: `${openai.url}/v1` } } },
    gateway: { mode: "local" },
    ...extraConfig,
  };
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
  const env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: "voice-search-e2e-gateway-token",
    TELEGRAM_BOT_TOKEN: tg.token,
    ANTHROPIC_API_KEY: "sk-ant-voice-search-e2e",
    ...extraEnv,
  });
  const gw = await startGateway(["--port", "0"], env);
  gateways.push(gw);
  await gw.waitForLine(/^\[telegram\] logged in to telegram as openclaw_test_bot$/);
  return gw;
}

const toAlice = (m: SentMessage) => m.chatId === String(ALICE.id);
const requestText = (req: { body: Record<string, unknown> }) => JSON.stringify(req.body.messages);

beforeAll(async () => {
  telegram = await startFakeTelegram();
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
  brave = await startFakeBrave();
});

afterAll(async () => {
  for (const gw of gateways) await gw.stop();
  await telegram?.close();
  await anthropic?.close();
  await openai?.close();
  await brave?.close();
});

describe("voice notes and web search through the gateway", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await start(
      telegram,
      { OPENAI_API_KEY: OPENAI_KEY, BRAVE_API_KEY: brave.key },
      { plugins: { entries: { brave: { config: { webSearch: { baseUrl: brave.url } } } } } },
    );
  });

  it("a Telegram voice note reaches the model as a transcript marked as coming from a voice note", async () => {
    anthropic.enqueue({ text: "Got it: you said hello." });
    const answer = telegram.nextSent(toAlice);
    telegram.inject({
      from: ALICE,
      voice: { fileId: "voice-1", data: FIXTURE, duration: 1, mimeType: "audio/wav" },
    });
    expect((await answer).text).toBe("Got it: you said hello.");
    const upload = openai.requests.find((r) => r.path === "/v1/audio/transcriptions")!;
    expect(upload.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const seen = requestText(anthropic.requests.at(-1)!);
    expect(seen).toContain("[Audio] The user sent a voice note; this is its automatic transcript");
    // The fake names the upload it got: the fixture's bytes, under the voice note's name.
    expect(seen).toContain(
      `fake transcript of voice-u-voice-1.ogg (${FIXTURE.length} bytes, audio/wav) by gpt-4o-transcribe`,
    );
  });

  it("the model's web_search call is answered by Brave, and the key stays out of the conversation and logs", async () => {
    anthropic.enqueue(
      { toolCalls: [{ id: "ws1", name: "web_search", args: { query: "openclaw release notes", count: 2 } }] },
      { text: "Found two pages." },
    );
    const answer = telegram.nextSent(toAlice);
    telegram.inject({ from: ALICE, text: "search the web for openclaw release notes" });
    expect((await answer).text).toBe("Found two pages.");
    expect(brave.requests.at(-1)!.query.get("q")).toBe("openclaw release notes");
    const toolResult = requestText(anthropic.requests.at(-1)!);
    expect(toolResult).toContain('\\"kind\\":\\"results\\"');
    expect(toolResult).toContain("https://example.com/openclaw%20release%20notes/2");
    expect(toolResult).not.toContain(brave.key);
    // The tool list the model was offered names web_search.
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.tools)).toContain('"web_search"');
    const { stdout, stderr } = gw.output();
    expect(stdout + stderr).not.toContain(brave.key);
  });
});

describe("a gateway without a transcription provider", () => {
  it("answers a voice note with a sentence saying so, and does not call the model", async () => {
    // Its own Telegram: two gateways polling one bot would split the updates.
    const tg = await startFakeTelegram();
    await start(tg, {});
    const before = anthropic.requests.length;
    const answer = tg.nextSent(toAlice);
    tg.inject({
      from: ALICE,
      voice: { fileId: "voice-2", data: FIXTURE, duration: 1, mimeType: "audio/wav" },
    });
    const reply = await answer;
    expect(reply.text).toContain("no transcription provider is set up");
    expect(reply.text).toContain("OPENAI_API_KEY");
    expect(anthropic.requests.length).toBe(before);
    await gateways.pop()?.stop();
    await tg.close();
  });
});
