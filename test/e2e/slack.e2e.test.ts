import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeSlack, type PostedMessage, startFakeSlack } from "../fakes/slack/index.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const ALICE = { id: "UALICE001", name: "alice" };
const BOB = { id: "UBOB00001", name: "bob" };
const GENERAL = "C0GENERAL";
const RANDOM = "C0RANDOM0";
const DM_WITH_BOB = "DBOB00001";
const TOKEN = "slack-e2e-gateway-token";

let slack: FakeSlack;
let anthropic: FakeServer;
let gw: RunningGateway;
let env: NodeJS.ProcessEnv;

/** OpenClaw's Slack setup: Socket Mode, one allowed channel answered in threads. */
function config(apiUrl: string, anthropicUrl: string) {
  return {
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
      list: [{ id: "main", default: true }],
    },
    models: { providers: { anthropic: { baseUrl: anthropicUrl } } },
    channels: {
      slack: {
        enabled: true,
        apiUrl,
        groupPolicy: "allowlist",
        replyToMode: "first",
        channels: { [GENERAL]: { enabled: true, requireMention: true } },
      },
    },
    gateway: { mode: "local" },
  };
}

/** Resolves with the next message the bot posts in `channel`. */
async function nextPost(channel: string): Promise<PostedMessage> {
  const seen = slack.messages.length;
  await slack.until(() => slack.messages.slice(seen).some((m) => m.channel === channel));
  return slack.messages.slice(seen).find((m) => m.channel === channel)!;
}

beforeAll(async () => {
  slack = await startFakeSlack([ALICE, BOB]);
  anthropic = await startFakeAnthropic();
  const stateDir = tempDir();
  writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify(config(slack.apiUrl, anthropic.url), null, 2),
  );
  env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    ANTHROPIC_API_KEY: "sk-ant-slack-e2e",
  });
  gw = await startGateway(["--port", "0"], env);
  await gw.waitForLine(/^\[slack\] connected to slack as lite-bot$/m);
});

afterAll(async () => {
  await gw?.stop();
  await slack?.close();
  await anthropic?.close();
});

describe("Slack over Socket Mode, through the CLI", () => {
  it("answers a mention in an allowed channel, in a thread under it", async () => {
    anthropic.enqueue({ text: "Hello **Alice**, from the agent." });
    const posted = nextPost(GENERAL);
    const { ts, event } = slack.message({
      channel: GENERAL,
      user: ALICE.id,
      text: `<@${slack.bot.userId}> hello`,
    });
    slack.sendEvent(event);
    expect(await posted).toMatchObject({ text: "Hello *Alice*, from the agent.", thread_ts: ts });
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.messages)).toContain("hello");
  });

  it("ignores an unlisted channel and an unmentioned message", async () => {
    const before = anthropic.requests.length;
    slack.sendEvent(
      slack.message({ channel: RANDOM, user: ALICE.id, text: `<@${slack.bot.userId}> here?` }).event,
    );
    slack.sendEvent(slack.message({ channel: GENERAL, user: ALICE.id, text: "no mention" }).event);
    anthropic.enqueue({ text: "Only this one." });
    const posted = nextPost(GENERAL);
    slack.sendEvent(
      slack.message({ channel: GENERAL, user: ALICE.id, text: `<@${slack.bot.userId}> now` }).event,
    );
    expect((await posted).text).toBe("Only this one.");
    expect(anthropic.requests.length - before).toBe(1);
    expect(slack.messages.filter((m) => m.channel === RANDOM)).toEqual([]);
  });

  it("a stranger's DM gets a pairing code; once approved, an answer", async () => {
    const codeMessage = nextPost(DM_WITH_BOB);
    slack.sendEvent(slack.message({ channel: DM_WITH_BOB, user: BOB.id, text: "hi, who are you?" }).event);
    const { text } = await codeMessage;
    const code = /Your pairing code: ([A-Z2-9]{8})/.exec(text)?.[1];
    expect(code).toBeDefined();
    expect(text).toContain(`openclaw pairing approve slack ${code}`);
    const approve = await runCli(["pairing", "approve", "slack", code!], env);
    // Sender ids are kept lower-cased (every channel's rule); Slack's U… ids match either way.
    expect(approve.stdout).toBe(`approved slack sender ${BOB.id.toLowerCase()}\n`);
    anthropic.enqueue({ text: "Nice to meet you, Bob." });
    const answer = nextPost(DM_WITH_BOB);
    slack.sendEvent(slack.message({ channel: DM_WITH_BOB, user: BOB.id, text: "hello again" }).event);
    expect((await answer).text).toBe("Nice to meet you, Bob.");
  });

  it("honours a 429's Retry-After and still delivers", async () => {
    slack.failNext({ method: "chat.postMessage", status: 429, retryAfter: 1 });
    anthropic.enqueue({ text: "After the rate limit." });
    const posted = nextPost(GENERAL);
    slack.sendEvent(
      slack.message({ channel: GENERAL, user: ALICE.id, text: `<@${slack.bot.userId}> go` }).event,
    );
    expect((await posted).text).toBe("After the rate limit.");
    const statuses = slack.requests.filter((r) => r.method === "chat.postMessage").map((r) => r.status);
    expect(statuses.slice(-2)).toEqual([429, 200]);
    await gw.waitForLine(/^\[slack\] Slack rate limit on chat\.postMessage: waiting 1 s \(Retry-After\)$/m);
  });

  it("reconnects after the socket drops, and answers again", async () => {
    const before = slack.connections;
    slack.dropSocket();
    // A new connection gets its hello as soon as it opens; events sent after it reach the bot.
    await slack.until(() => slack.connections === before + 1);
    await gw.waitForLine(/^\[slack\] slack socket closed; reconnecting in 2000 ms$/m);
    anthropic.enqueue({ text: "Still here." });
    const posted = nextPost(GENERAL);
    slack.sendEvent(
      slack.message({ channel: GENERAL, user: ALICE.id, text: `<@${slack.bot.userId}> still?` }).event,
    );
    expect((await posted).text).toBe("Still here.");
  });

  it("never prints the tokens, and channels status reports Slack", async () => {
    const printed = JSON.stringify(gw.output());
    expect(printed).not.toContain(slack.botToken);
    expect(printed).not.toContain(slack.appToken);
    const status = await runCli(["channels", "status", "--json"], env);
    expect(JSON.parse(status.stdout).channels).toContainEqual(
      expect.objectContaining({ channel: "slack", state: "ready", connected: true }),
    );
  });
});
