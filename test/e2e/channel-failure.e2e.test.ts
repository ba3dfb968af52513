/**
 * A channel that cannot start must not take the gateway's other work with it: its
 * problem is one line in the log and an error in `channels.status`, the other channels
 * run, and messages journaled before a crash are still answered after the restart.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeDiscord } from "../fakes/discord/index.js";
import { runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { ALICE, GENERAL, GUILD } from "../helpers/discord.js";
import { useRunningGateways } from "../helpers/fake-model-gateways.js";

const { running, cleanups } = useRunningGateways();

describe("a channel option outside the channel's range", () => {
  it("is a config problem: `config validate` names the key and the range, and the gateway does not start", async () => {
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({ gateway: { mode: "local" }, channels: { discord: { textChunkLimit: 3000 } } }),
    );
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, DISCORD_BOT_TOKEN: "x".repeat(40) });
    const validate = await runCli(["config", "validate"], env);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain("channels.discord.textChunkLimit: must be ≤ 2000 (got 3000)");

    const gateway = await runCli(["gateway", "--port", "0"], env);
    expect(gateway.code).toBe(1);
    expect(gateway.stderr).toContain("channels.discord.textChunkLimit: must be ≤ 2000 (got 3000)");
    expect(gateway.stderr).not.toMatch(/unhandled|^\s+at /m);
  });
});

describe("a channel that fails to start", () => {
  it("is one log line and an error in channels.status; Discord runs and the journal replays after kill -9", async () => {
    const discord = await startFakeDiscord({ guilds: [GUILD] });
    const anthropic = await startFakeAnthropic();
    cleanups.push(
      () => discord.close(),
      () => anthropic.close(),
    );
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: anthropic.url } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
        channels: {
          discord: { apiBaseUrl: discord.apiBaseUrl, guilds: { [GUILD.id]: { requireMention: false } } },
          // Configured, but its factory throws: no TELEGRAM_BOT_TOKEN and no botToken.
          telegram: { dmPolicy: "pairing" },
        },
      }),
    );
    const env = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      DISCORD_BOT_TOKEN: discord.token,
      ANTHROPIC_API_KEY: "sk-channel-failure-1234",
    });
    const failureLine = /^\[channels\] telegram failed to start: telegram is configured but has no token.*$/m;

    // First life: Telegram fails, Discord answers; the gateway dies mid-turn.
    anthropic.enqueue({ stall: "afterFirstToken" });
    const first = await startGateway(["--port", "0"], env);
    running.push(first);
    await first.waitForLine(failureLine);
    await first.waitForLine(/\[discord\] logged in to discord as/);
    const status = await runCli(["channels", "status", "--json"], env);
    expect(status.code, status.stderr).toBe(0);
    const channels = (JSON.parse(status.stdout) as { channels: Record<string, unknown>[] }).channels;
    expect(channels.find((c) => c.channel === "telegram")).toMatchObject({
      state: "error",
      connected: false,
      lastError: expect.stringContaining("set TELEGRAM_BOT_TOKEN"),
    });
    expect(channels.find((c) => c.channel === "discord")).toMatchObject({ state: "ready", connected: true });

    const modelCalled = anthropic.nextRequest();
    discord.sendMessage({ channelId: GENERAL, guildId: GUILD.id, author: ALICE, content: "still there?" });
    await modelCalled;
    await first.stop("SIGKILL");
    // One line for the failure, no stack trace on the console.
    const { stdout, stderr } = first.output();
    expect(`${stdout}\n${stderr}`.match(new RegExp(failureLine.source, "gm"))).toHaveLength(1);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("unhandled");

    // Second life: Telegram still fails, and the journaled message is answered in Discord.
    anthropic.enqueue({ text: "Yes, after the restart." });
    const posted = discord.nextRequest(
      (r) => r.method === "POST" && r.path.endsWith(`/channels/${GENERAL}/messages`),
    );
    const second = await startGateway(["--port", "0"], env);
    running.push(second);
    await second.waitForLine(failureLine);
    await second.waitForLine(/replaying 1 message\(s\) accepted before the last stop/);
    await posted;
    expect(discord.messages.map((m) => m.content)).toEqual(["Yes, after the restart."]);
  });
});
