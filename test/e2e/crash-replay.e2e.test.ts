import { describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeDiscord } from "../fakes/discord/index.js";
import { startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { ALICE, GENERAL, GUILD } from "../helpers/discord.js";
import { useRunningGateways } from "../helpers/fake-model-gateways.js";

const { running, cleanups } = useRunningGateways();

describe("zero lost messages", () => {
  it("a Discord message accepted before kill -9 is answered in Discord after the restart", async () => {
    const discord = await startFakeDiscord({ guilds: [GUILD] });
    const anthropic = await startFakeAnthropic();
    cleanups.push(
      () => discord.close(),
      () => anthropic.close(),
    );
    const stateDir = stateDirWith(
      baseConfig(anthropic.url, {
        channels: {
          discord: { apiBaseUrl: discord.apiBaseUrl, guilds: { [GUILD.id]: { requireMention: false } } },
        },
      }),
    );
    const env = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      DISCORD_BOT_TOKEN: discord.token,
      ANTHROPIC_API_KEY: "sk-crash-1234",
    });

    // First life: the model hangs mid-answer; the gateway is killed while the turn runs.
    anthropic.enqueue({ stall: "afterFirstToken" });
    const first = await startGateway(["--port", "0"], env);
    running.push(first);
    await first.waitForLine(/\[discord\] logged in to discord as/);
    const modelCalled = anthropic.nextRequest();
    discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "please remember this",
    });
    await modelCalled;
    await first.stop("SIGKILL");
    expect(discord.messages).toEqual([]);

    // Second life: the journal replays the message and the answer reaches Discord.
    anthropic.enqueue({ text: "I remembered after the crash." });
    const posted = discord.nextRequest(
      (r) => r.method === "POST" && r.path.endsWith(`/channels/${GENERAL}/messages`),
    );
    const second = await startGateway(["--port", "0"], env);
    running.push(second);
    await second.waitForLine(/replaying 1 message\(s\) accepted before the last stop/);
    await posted;
    expect(discord.messages.map((m) => m.content)).toEqual(["I remembered after the crash."]);
    const replayedRequest = JSON.stringify(anthropic.requests.at(-1)!.body.messages);
    expect(replayedRequest).toContain("please remember this");
    // The message was not duplicated in the conversation.
    expect(replayedRequest.split("please remember this")).toHaveLength(2);
  });
});
