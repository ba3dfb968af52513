/**
 * Attack: post events to the gateway's Slack HTTP endpoint as if from Slack. Only a
 * request signed with the app's signing secret (v0 HMAC over the raw body) within five
 * minutes gets through; forged, tampered and stale (replayed) requests are answered 401
 * and never reach the agent, and a signed event replayed within the window is handled once.
 */
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/index.js";
import { freePort, type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543";
const ALICE = { id: "UALICE001", name: "alice" };

let slack: FakeSlack;
let anthropic: FakeServer;
let gw: RunningGateway;
let url: string;

function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

const now = () => Math.floor(Date.now() / 1000);

function dmEvent(text: string, ts: string): string {
  return JSON.stringify({
    type: "event_callback",
    team_id: slack.bot.teamId,
    event_id: `Ev${ts}`,
    event: { type: "message", channel: "DALICE001", channel_type: "im", user: ALICE.id, text, ts },
  });
}

beforeAll(async () => {
  slack = await startFakeSlack([ALICE]);
  anthropic = await startFakeAnthropic();
  const port = await freePort();
  url = `http://127.0.0.1:${port}/slack/events`;
  const dir = tempDir();
  const config = {
    gateway: { mode: "local" },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    models: { providers: { anthropic: { baseUrl: anthropic.url } } },
    channels: {
      slack: {
        mode: "http",
        signingSecret: SIGNING_SECRET,
        apiUrl: slack.apiUrl,
        dmPolicy: "open",
        allowFrom: ["*"],
      },
    },
  };
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify(config));
  gw = await startGateway(
    ["--port", String(port)],
    testEnv({
      OPENCLAW_STATE_DIR: dir,
      OPENCLAW_GATEWAY_TOKEN: "gateway-token-0123456789abcdef",
      SLACK_BOT_TOKEN: slack.botToken,
      ANTHROPIC_API_KEY: "sk-ant-slack-security",
    }),
  );
  await gw.waitForLine(/^\[slack\] slack events served at \/slack\/events$/m);
});

afterAll(async () => {
  await gw?.stop();
  await slack?.close();
  await anthropic?.close();
});

describe("Slack HTTP events: request signatures", () => {
  it("answers Slack's url_verification challenge when signed", async () => {
    const body = JSON.stringify({
      type: "url_verification",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    const ts = now();
    const res = await post(body, {
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": sign(body, ts),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("refuses forged, unsigned, tampered and stale requests; none reaches the agent", async () => {
    const ts = now();
    const body = dmEvent("forged", "1700000000.000001");
    const attempts: [string, Record<string, string>, string][] = [
      ["unsigned", {}, body],
      [
        "wrong secret",
        {
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": sign(body, ts, "guessed-secret-000000"),
        },
        body,
      ],
      // A signature captured for one body, sent with another.
      [
        "tampered",
        { "x-slack-request-timestamp": String(ts), "x-slack-signature": sign(body, ts) },
        dmEvent("evil", "1700000000.000002"),
      ],
      // A real request captured six minutes ago and replayed now.
      [
        "stale",
        { "x-slack-request-timestamp": String(ts - 360), "x-slack-signature": sign(body, ts - 360) },
        body,
      ],
      [
        "from the future",
        { "x-slack-request-timestamp": String(ts + 360), "x-slack-signature": sign(body, ts + 360) },
        body,
      ],
    ];
    for (const [what, headers, sent] of attempts) {
      const res = await post(sent, headers);
      expect(res.status, what).toBe(401);
    }
    expect(anthropic.requests).toHaveLength(0);
    expect(slack.messages).toHaveLength(0);
  });

  it("handles a signed event once, even when it is replayed within the window", async () => {
    anthropic.enqueue({ text: "hi Alice" });
    const body = dmEvent("hello", "1700000000.000100");
    const ts = now();
    const headers = { "x-slack-request-timestamp": String(ts), "x-slack-signature": sign(body, ts) };
    expect((await post(body, headers)).status).toBe(200);
    await slack.until(() => slack.messages.length === 1);
    expect(slack.messages[0]).toMatchObject({ channel: "DALICE001", text: "hi Alice" });
    // The same signed request again (Slack's own retry, or an eavesdropper): accepted, not re-run.
    expect((await post(body, headers)).status).toBe(200);
    anthropic.enqueue({ text: "second" });
    const next = dmEvent("again", "1700000000.000200");
    const ts2 = now();
    await post(next, { "x-slack-request-timestamp": String(ts2), "x-slack-signature": sign(next, ts2) });
    await slack.until(() => slack.messages.length === 2);
    expect(slack.messages.map((m) => m.text)).toEqual(["hi Alice", "second"]);
    expect(anthropic.requests).toHaveLength(2);
  });
});
