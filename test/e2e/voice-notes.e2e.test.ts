/**
 * Voice notes over the wire from the chat apps other than Telegram (test/e2e/voice-search
 * covers Telegram): the built gateway, the fake chat app serving the recording, the fake
 * OpenAI transcribing it, and the fake model, which must see OpenClaw's `[Audio]` block.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { mp4AudioTrack } from "../fakes/audio-format.js";
import { type FakeDiscord, type PostedMessage, startFakeDiscord } from "../fakes/discord/index.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeSignal, startFakeSignal } from "../fakes/signal/index.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { ALICE, GENERAL, GUILD } from "../helpers/discord.js";

/** 8 s of Ogg Opus, the container and codec Discord records voice messages in. */
const VOICE_MESSAGE = readFileSync(path.resolve(import.meta.dirname, "../fixtures/audio/voice-message.ogg"));
/** A voice note as Signal's phone apps record it: raw AAC in ADTS frames (test/fixtures/audio/README.md). */
const AAC_NOTE = readFileSync(path.resolve(import.meta.dirname, "../fixtures/audio/signal-voice-note.aac"));
const OPENAI_KEY = "sk-e2e-voice-notes-key-000222";
/** Discord's message flag for a voice message recorded in the app. */
const IS_VOICE_MESSAGE = 1 << 13;

let anthropic: FakeServer;
let openai: FakeServer;
const requestText = (req: { body: Record<string, unknown> }) => JSON.stringify(req.body.messages);

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
});

afterAll(async () => {
  await anthropic?.close();
  await openai?.close();
});

describe("a Discord voice message", () => {
  let discord: FakeDiscord;
  let gw: RunningGateway;

  beforeAll(async () => {
    discord = await startFakeDiscord({ guilds: [GUILD] });
    const stateDir = tempDir();
    const config = {
      agents: {
        defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
        list: [{ id: "main", default: true }],
      },
      bindings: [{ agentId: "main", match: { channel: "discord" } }],
      channels: {
        discord: {
          enabled: true,
          apiBaseUrl: discord.apiBaseUrl,
          groupPolicy: "allowlist",
          guilds: { [GUILD.id]: { channels: { general: { allow: true } }, requireMention: false } },
        },
      },
      models: {
        providers: { anthropic: { baseUrl: anthropic.url }, openai: { baseUrl: `${openai.url}/v1` } },
      },
      gateway: { mode: "local" },
    };
    writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
    const env = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: "voice-notes-e2e-gateway-token",
      DISCORD_BOT_TOKEN: discord.token,
      ANTHROPIC_API_KEY: "sk-ant-voice-notes-e2e",
      OPENAI_API_KEY: OPENAI_KEY,
    });
    gw = await startGateway(["--port", "0"], env);
    await gw.waitForLine(/^\[discord\] logged in to discord as openclaw-test-bot$/);
  });

  afterAll(async () => {
    await gw?.stop();
    await discord?.close();
  });

  function nextPost(channelId: string): Promise<PostedMessage> {
    const seen = discord.messages.length;
    return discord
      .nextRequest((r) => r.method === "POST" && r.path.endsWith(`/channels/${channelId}/messages`))
      .then(() => discord.messages.slice(seen).find((m) => m.channelId === channelId)!);
  }

  it("is downloaded from the CDN, transcribed, and reaches the model as an [Audio] block", async () => {
    anthropic.enqueue({ text: "Heard you." });
    const posted = nextPost(GENERAL);
    discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "",
      flags: IS_VOICE_MESSAGE,
      attachments: [
        {
          filename: "voice-message.ogg",
          content_type: "audio/ogg",
          duration_secs: 8,
          waveform: Buffer.alloc(64).toString("base64"),
          data: VOICE_MESSAGE,
        },
      ],
    });
    expect((await posted).content).toBe("Heard you.");
    expect(discord.requests.some((r) => r.path.endsWith("/voice-message.ogg") && r.status === 200)).toBe(
      true,
    );
    const upload = openai.requests.find((r) => r.path === "/v1/audio/transcriptions")!;
    expect(upload.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const seen = requestText(anthropic.requests.at(-1)!);
    expect(seen).toContain("[Audio] The user sent a voice note; this is its automatic transcript");
    // The fake names what it got: the recording's bytes, name and type, as Discord served them.
    expect(seen).toContain(
      `fake transcript of voice-message.ogg (${VOICE_MESSAGE.length} bytes, audio/ogg) by gpt-4o-transcribe`,
    );
  });

  it("refuses one longer than the limit before downloading it, and says so in the channel", async () => {
    const before = { model: anthropic.requests.length, transcriptions: openai.requests.length };
    const posted = nextPost(GENERAL);
    discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "",
      flags: IS_VOICE_MESSAGE,
      attachments: [
        {
          filename: "long-message.ogg",
          content_type: "audio/ogg",
          duration_secs: 11 * 60,
          data: VOICE_MESSAGE,
        },
      ],
    });
    expect((await posted).content).toContain("That voice note is 660 s long; I transcribe up to 10 minutes.");
    expect(discord.requests.some((r) => r.path.endsWith("/long-message.ogg"))).toBe(false);
    expect(openai.requests.length).toBe(before.transcriptions);
    expect(anthropic.requests.length).toBe(before.model);
  });
});

describe("a Signal audio attachment", () => {
  const BOT = "+15550000001";
  const ALICE_NUMBER = "+15550000002";
  let signal: FakeSignal;
  let gw: RunningGateway;

  beforeAll(async () => {
    signal = await startFakeSignal({ account: BOT });
    const stateDir = tempDir();
    const config = {
      agents: {
        defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
        list: [{ id: "main", default: true }],
      },
      bindings: [{ agentId: "main", match: { channel: "signal" } }],
      // A daemon reached over HTTP, as in a container: its files are not on this host.
      channels: {
        signal: { account: BOT, httpUrl: signal.url, dmPolicy: "allowlist", allowFrom: [ALICE_NUMBER] },
      },
      models: {
        providers: { anthropic: { baseUrl: anthropic.url }, openai: { baseUrl: `${openai.url}/v1` } },
      },
      gateway: { mode: "local" },
    };
    writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
    const env = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: "voice-notes-signal-e2e-gateway-token",
      ANTHROPIC_API_KEY: "sk-ant-voice-notes-e2e",
      OPENAI_API_KEY: OPENAI_KEY,
    });
    gw = await startGateway(["--port", "0"], env);
    await gw.waitForLine(/^\[signal\] connected to signal-cli as \+15550000001$/);
  });

  afterAll(async () => {
    await gw?.stop();
    await signal?.close();
  });

  const nextReply = () => signal.nextCall((c) => c.method === "send").then(() => signal.sent.at(-1)!);

  /** Alice sends `text` with one audio attachment; the model's `answer` comes back to her on Signal. */
  async function aliceSends(
    text: string,
    attachment: { contentType: string; filename: string; data: Buffer },
    answer: string,
  ): Promise<void> {
    anthropic.enqueue({ text: answer });
    const reply = nextReply();
    signal.receive({ from: ALICE_NUMBER, name: "Alice", text, attachments: [attachment] });
    expect(await reply).toMatchObject({ recipient: [ALICE_NUMBER], message: answer });
  }

  it("is fetched from signal-cli with getAttachment, transcribed, and reaches the model as an [Audio] block", async () => {
    await aliceSends(
      "listen to this",
      { contentType: "audio/ogg", filename: "voice-message.ogg", data: VOICE_MESSAGE },
      "Heard you on Signal.",
    );
    const fetched = signal.calls.find((c) => c.method === "getAttachment")!;
    expect(fetched.params).toMatchObject({ account: BOT, recipient: ALICE_NUMBER });
    expect(fetched.params.id).toMatch(/\.ogg$/);
    const seen = requestText(anthropic.requests.at(-1)!);
    expect(seen).toContain("[Audio] The user sent an audio file; this is its automatic transcript");
    expect(seen).toContain("User text:\\nlisten to this"); // a newline, JSON-escaped
    // The fake names what it got: the recording's bytes, name and type, as signal-cli kept them.
    expect(seen).toContain(
      `fake transcript of voice-message.ogg (${VOICE_MESSAGE.length} bytes, audio/ogg) by gpt-4o-transcribe`,
    );
  });

  it("a voice note in raw AAC reaches OpenAI as M4A (which it accepts) and its transcript reaches the model", async () => {
    await aliceSends(
      "",
      { contentType: "audio/aac", filename: "voice-note.aac", data: AAC_NOTE },
      "Heard your AAC note.",
    );
    const upload = openai.requests.filter((r) => r.path === "/v1/audio/transcriptions").at(-1)!;
    const file = (upload.body.form as { file: { name: string; contentType: string; data: Buffer } }).file;
    expect(file.contentType).toBe("audio/mp4");
    expect(file.name).toMatch(/\.m4a$/);
    expect(mp4AudioTrack(file.data)).toMatchObject({ codec: "mp4a" });
    const seen = requestText(anthropic.requests.at(-1)!);
    expect(seen).toContain("[Audio] The user sent an audio file; this is its automatic transcript");
    expect(seen).toContain(`(${file.data.length} bytes, audio/mp4) by gpt-4o-transcribe`);
  });
});
