import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { type FakeDiscord, type PostedMessage, startFakeDiscord } from "../fakes/discord/index.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { ALICE, BOB, GENERAL, GUILD } from "../helpers/discord.js";

const HELP = GUILD.channels[1]!.id;
const DM_WITH_BOB = "1300000000000000042";
const TOKEN = "discord-e2e-gateway-token";

let discord: FakeDiscord;
let anthropic: FakeServer;
let gw: RunningGateway;
let env: NodeJS.ProcessEnv;

/** The Fly.io guide's Discord config, plus one mention-only channel. */
function guideConfig(apiBaseUrl: string) {
  return {
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, maxConcurrent: 4 },
      list: [{ id: "main", default: true }],
    },
    auth: { profiles: { "anthropic:default": { mode: "token", provider: "anthropic" } } },
    bindings: [{ agentId: "main", match: { channel: "discord" } }],
    channels: {
      discord: {
        enabled: true,
        apiBaseUrl,
        groupPolicy: "allowlist",
        guilds: {
          [GUILD.id]: {
            channels: { general: { allow: true }, help: { allow: true, requireMention: true } },
            requireMention: false,
          },
        },
      },
    },
    gateway: { mode: "local", bind: "auto" },
    meta: { lastTouchedVersion: "2026.1.25" },
  };
}

/** Resolves with the next message the bot posts in `channelId`. */
function nextPost(channelId: string): Promise<PostedMessage> {
  const seen = discord.messages.length;
  return discord
    .nextRequest((r) => r.method === "POST" && r.path.endsWith(`/channels/${channelId}/messages`))
    .then(() => discord.messages.slice(seen).find((m) => m.channelId === channelId)!);
}

beforeAll(async () => {
  discord = await startFakeDiscord({ guilds: [GUILD] });
  anthropic = await startFakeAnthropic();
  const stateDir = tempDir();
  const config = guideConfig(discord.apiBaseUrl);
  (config as Record<string, unknown>).models = { providers: { anthropic: { baseUrl: anthropic.url } } };
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
  env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    DISCORD_BOT_TOKEN: discord.token,
    ANTHROPIC_API_KEY: "sk-ant-discord-e2e",
  });
  gw = await startGateway(["--port", "0", "--bind", "lan"], env);
  await gw.waitForLine(/^\[discord\] logged in to discord as openclaw-test-bot$/);
});

afterAll(async () => {
  await gw?.stop();
  await discord?.close();
  await anthropic?.close();
});

describe("Discord, set up as in the Fly.io guide", () => {
  it("answers a message in an allowed guild channel, in that channel, as a reply", async () => {
    anthropic.enqueue({ text: "Hello Alice, from the agent." });
    const posted = nextPost(GENERAL);
    const id = discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "hello bot",
    });
    // replyToMode defaults to "off", as in OpenClaw: a plain message in the channel.
    expect(await posted).toMatchObject({ content: "Hello Alice, from the agent." });
    expect((await posted).replyTo).toBeUndefined();
    expect(id).toMatch(/^\d+$/);
    const typing = discord.requests.filter((r) => r.path.endsWith(`/channels/${GENERAL}/typing`));
    expect(typing.length).toBeGreaterThan(0);
  });

  it("ignores a channel that is not allowed, and honours requireMention", async () => {
    const before = anthropic.requests.length;
    discord.sendMessage({
      channelId: "1100000000000000099",
      guildId: GUILD.id,
      author: ALICE,
      content: "not allowed here",
    });
    discord.sendMessage({
      channelId: HELP,
      guildId: GUILD.id,
      author: ALICE,
      content: "no mention, no answer",
    });
    anthropic.enqueue({ text: "You mentioned me." });
    const posted = nextPost(HELP);
    discord.sendMessage({
      channelId: HELP,
      guildId: GUILD.id,
      author: ALICE,
      content: `<@${discord.bot.id}> help please`,
      mentions: [discord.bot.id],
    });
    expect((await posted).content).toBe("You mentioned me.");
    // Only the mentioned message reached the model; nothing was posted anywhere else.
    expect(anthropic.requests.length - before).toBe(1);
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.messages)).toContain("help please");
    expect(discord.messages.filter((m) => m.channelId === "1100000000000000099")).toEqual([]);
  });

  it("a stranger's DM gets a pairing code; after approval the stranger is answered", async () => {
    const codeMessage = nextPost(DM_WITH_BOB);
    discord.sendMessage({ channelId: DM_WITH_BOB, author: BOB, content: "hi, who are you?" });
    const { content } = await codeMessage;
    const code = /Your pairing code: ([A-Z2-9]{8})/.exec(content)?.[1];
    expect(code).toBeDefined();
    expect(content).toContain(`openclaw pairing approve discord ${code}`);

    const list = await runCli(["pairing", "list", "discord"], env);
    expect(list.stdout).toContain(code);
    const approve = await runCli(["pairing", "approve", "discord", code!], env);
    expect(approve.stdout).toBe(`approved discord sender ${BOB.id}\n`);

    anthropic.enqueue({ text: "Nice to meet you, Bob." });
    const answer = nextPost(DM_WITH_BOB);
    discord.sendMessage({ channelId: DM_WITH_BOB, author: BOB, content: "hello again" });
    expect((await answer).content).toBe("Nice to meet you, Bob.");
  });

  it("a 5,000-character answer arrives as three messages with intact code blocks", async () => {
    // 14 long lines: the 2,000-character limit splits this, not maxLinesPerMessage (17).
    const code = Array.from(
      { length: 14 },
      (_, i) => `print("line ${i} of the example program", ${"x".repeat(100)})`,
    ).join("\n");
    const prose = "This paragraph explains the program in some detail. ".repeat(28);
    const body = `${prose}\n\n\`\`\`python\n${code}\n\`\`\`\n\n${prose}`;
    const long = `${body} ${"more words follow here ".repeat(200)}`.slice(0, 5000).trimEnd();
    expect(long.length).toBeGreaterThan(4950);
    anthropic.enqueue({ text: long });
    const seen = discord.messages.length;
    let third!: () => void;
    const three = new Promise<void>((r) => (third = r));
    const watch = () =>
      discord
        .nextRequest((r) => r.path.endsWith(`/channels/${GENERAL}/messages`))
        .then(() => {
          if (discord.messages.slice(seen).length >= 3) third();
          else void watch();
        });
    void watch();
    discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "write me a long answer",
    });
    await three;
    const parts = discord.messages.slice(seen).map((m) => m.content);
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(parts.join("\n").match(/print\("line \d+ of the example program", x{100}\)/g)).toHaveLength(14);
  });

  it("a dropped gateway connection resumes and the reply still arrives", async () => {
    const resumed = discord.nextFrame(6);
    discord.dropConnection();
    await resumed;
    anthropic.enqueue({ text: "Still here after the reconnect." });
    const posted = nextPost(GENERAL);
    discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "are you still there?",
    });
    expect((await posted).content).toBe("Still here after the reconnect.");
  });

  it("the agent's message tool posts through Discord", async () => {
    anthropic.enqueue(
      {
        toolCalls: [
          {
            name: "message",
            args: { channel: "discord", to: `channel:${HELP}`, text: "Heads-up from the agent." },
          },
        ],
      },
      { text: "I posted it in #help." },
    );
    const toolPost = nextPost(HELP);
    const reply = nextPost(GENERAL);
    discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "tell #help the news",
    });
    expect((await toolPost).content).toBe("Heads-up from the agent.");
    expect((await reply).content).toBe("I posted it in #help.");
  });

  it("channels.status reports the bot; openclaw channels status prints it", async () => {
    const result = await runCli(["channels", "status"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^discord\s+ready\s+openclaw-test-bot \(1 guilds\)$/m);
    const ready = await fetch(`http://127.0.0.1:${gw.port}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, failing: [] });
  });
});

describe("Discord without the Message Content intent", () => {
  it("close 4014 gives one clear log line; the gateway keeps serving and reports the error", async () => {
    const noIntent = await startFakeDiscord({ guilds: [GUILD], messageContentIntent: false });
    const stateDir = tempDir();
    writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(guideConfig(noIntent.apiBaseUrl)));
    const env2 = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      DISCORD_BOT_TOKEN: noIntent.token,
    });
    const gw2 = await startGateway(["--port", "0", "--bind", "lan"], env2);
    try {
      const [line] = await gw2.waitForLine(/^\[discord\] .*Message Content Intent.*$/);
      expect(line).toContain("Developer Portal");
      const status = await runCli(["channels", "status", "--json"], env2);
      expect(JSON.parse(status.stdout).channels[0]).toMatchObject({
        channel: "discord",
        state: "error",
        connected: false,
      });
      expect((await runCli(["health"], env2)).code).toBe(0);
    } finally {
      await gw2.stop();
      await noIntent.close();
    }
  });
});
