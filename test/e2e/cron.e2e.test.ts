import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord/index.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { ALICE, GENERAL, GUILD } from "../helpers/discord.js";
import { useRunningGateways } from "../helpers/fake-model-gateways.js";

/**
 * Automations through the built CLI, in real seconds: the fake model answers, the fake
 * Discord receives the announcement; restarts and kill -9 between.
 */

const TOKEN = "cron-e2e-gateway-token";
const { running, cleanups } = useRunningGateways();

interface World {
  discord: FakeDiscord;
  anthropic: FakeServer;
  env: NodeJS.ProcessEnv;
  start(): Promise<RunningGateway>;
  cli(...args: string[]): Promise<unknown>;
}

async function world(
  heartbeat?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<World> {
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
      agents: {
        defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, ...(heartbeat ? { heartbeat } : {}) },
      },
      channels: {
        discord: { apiBaseUrl: discord.apiBaseUrl, guilds: { [GUILD.id]: { requireMention: false } } },
      },
      ...extra,
    }),
  );
  const env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    DISCORD_BOT_TOKEN: discord.token,
    ANTHROPIC_API_KEY: "sk-ant-cron-e2e",
  });
  return {
    discord,
    anthropic,
    env,
    async start() {
      const gw = await startGateway(["--port", "0"], env);
      running.push(gw);
      await gw.waitForLine(/\[discord\] logged in to discord as/);
      return gw;
    },
    async cli(...args) {
      const result = await runCli(["cron", ...args, "--json"], env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout);
    },
  };
}

const posts = (discord: FakeDiscord) => discord.messages.filter((m) => m.channelId === GENERAL);

describe("openclaw cron, end to end", () => {
  it("a reminder added with --at now+2s is delivered to the Discord channel once, then the job is gone", async () => {
    const w = await world();
    const gw = await w.start();
    w.anthropic.enqueue({ text: "Reminder: stretch your legs." });
    const job = (await w.cli(
      "add",
      "--name",
      "stretch",
      "--at",
      "+2s",
      "--message",
      "Remind me to stretch.",
      "--announce",
      "--channel",
      "discord",
      "--to",
      `channel:${GENERAL}`,
    )) as { id: string; state: { nextRunAtMs: number } };
    expect(job.state.nextRunAtMs).toBeGreaterThan(Date.now());
    await gw.waitForLine(new RegExp(`job ${job.id} run \\S+ finished: ok \\(delivery delivered\\)`));
    expect(posts(w.discord).map((m) => m.content)).toEqual(["Reminder: stretch your legs."]);
    expect(JSON.stringify(w.anthropic.requests.at(-1)!.body.messages)).toContain("Remind me to stretch.");
    const { jobs } = (await w.cli("list", "--all")) as { jobs: unknown[] };
    expect(jobs).toEqual([]);
    const { entries } = (await w.cli("runs", "--id", job.id)) as {
      entries: { status: string; deliveryStatus: string }[];
    };
    expect(entries).toMatchObject([{ status: "ok", deliveryStatus: "delivered" }]);
  });

  it("an every-job survives a restart with its next run intact", async () => {
    const w = await world();
    const first = await w.start();
    const job = (await w.cli("add", "--every", "1h", "--message", "hourly check", "--no-deliver")) as {
      id: string;
      state: { nextRunAtMs: number };
    };
    await first.stop("SIGTERM");
    await w.start();
    const shown = (await w.cli("get", job.id)) as {
      id: string;
      state: { nextRunAtMs: number };
      delivery: unknown;
    };
    expect(shown.state.nextRunAtMs).toBe(job.state.nextRunAtMs);
    expect(shown.delivery).toEqual({ mode: "none" });
    expect(w.anthropic.requests).toHaveLength(0);
  });

  it("kill -9 in the middle of a run: after restart it is recorded as interrupted and the next occurrence runs once", async () => {
    const w = await world();
    const first = await w.start();
    // The first run's model call hangs; the gateway is killed while it waits.
    w.anthropic.enqueue({ stall: "afterFirstToken" });
    const modelCalled = w.anthropic.nextRequest();
    const job = (await w.cli(
      "add",
      "--every",
      "10s",
      "--message",
      "status report",
      "--channel",
      "discord",
      "--to",
      `channel:${GENERAL}`,
    )) as { id: string };
    await modelCalled;
    await first.stop("SIGKILL");

    w.anthropic.enqueue({ text: "All systems nominal." });
    const second = await w.start();
    await second.waitForLine(new RegExp(`run \\S+ of job ${job.id} was interrupted by a restart`));
    await second.waitForLine(new RegExp(`job ${job.id} run \\S+ finished: ok \\(delivery delivered\\)`));
    await w.cli("disable", job.id);
    const { entries } = (await w.cli("runs", "--id", job.id)) as {
      entries: { status: string; trigger: string }[];
    };
    expect(entries.map((e) => e.status)).toEqual(["ok", "interrupted"]);
    // The interrupted run's model call was the only one before the crash; exactly one after it.
    expect(w.anthropic.requests).toHaveLength(2);
    expect(posts(w.discord).map((m) => m.content)).toEqual(["All systems nominal."]);
  });

  it("the agent creates a reminder from chat with its cron tool; it runs with that chat's context (current) and is announced back there", async () => {
    const w = await world();
    const gw = await w.start();
    const at = new Date(Date.now() + 3_000).toISOString();
    w.anthropic.enqueue(
      {
        toolCalls: [
          {
            name: "cron",
            args: {
              action: "add",
              job: {
                name: "tea",
                schedule: { kind: "at", at },
                payload: { kind: "agentTurn", message: "Tell me the tea is ready." },
              },
            },
          },
        ],
      },
      { text: "I will remind you in 3 seconds." },
      { text: "Your tea is ready." },
    );
    const confirmation = w.discord.nextRequest(
      (r) => r.method === "POST" && r.path.endsWith(`/channels/${GENERAL}/messages`),
    );
    w.discord.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "remind me about my tea in 3 seconds",
    });
    await confirmation;
    await gw.waitForLine(/job \S+ run \S+ finished: ok \(delivery delivered\)/);
    expect(posts(w.discord).map((m) => m.content)).toEqual([
      "I will remind you in 3 seconds.",
      "Your tea is ready.",
    ]);
    const { entries } = (await w.cli("runs")) as { entries: { jobName: string; status: string }[] };
    expect(entries).toMatchObject([{ jobName: "tea", status: "ok" }]);
    // OpenClaw's default for a job made in chat: bound to that conversation, whose recent messages the run sees.
    const runRequest = JSON.stringify(w.anthropic.requests.at(-1)!.body.messages);
    expect(runRequest).toContain("remind me about my tea in 3 seconds");
    expect(runRequest).toContain("Tell me the tea is ready.");
  });

  it("a heartbeat that answers NO_REPLY sends nothing; one with an alert sends it to its target", async () => {
    const w = await world({ every: "1h", target: "discord", to: `channel:${GENERAL}` });
    const gw = await w.start();
    w.anthropic.enqueue({ text: "NO_REPLY" }, { text: "The backup failed last night." });
    const event = await runCli(["system", "event", "--text", "nightly backup ran", "--mode", "now"], w.env);
    expect(event.stdout).toBe("queued (now)\n");
    await gw.waitForLine(/\[heartbeat\] main: no-reply/);
    expect(JSON.stringify(w.anthropic.requests.at(-1)!.body.messages)).toContain(
      "System: nightly backup ran",
    );
    const alert = w.discord.nextRequest(
      (r) => r.method === "POST" && r.path.endsWith(`/channels/${GENERAL}/messages`),
    );
    await runCli(["system", "event", "--text", "backup log shows errors", "--mode", "now"], w.env);
    await alert;
    await gw.waitForLine(/\[heartbeat\] main: sent/);
    expect(posts(w.discord).map((m) => m.content)).toEqual(["The backup failed last night."]);
    const last = await runCli(["system", "heartbeat", "last", "--json"], w.env);
    expect(JSON.parse(last.stdout)).toMatchObject({ agentId: "main", status: "sent", channel: "discord" });
  });

  it("with the default target an alert goes to the owner's DM (commands.ownerAllowFrom), NO_REPLY to nobody", async () => {
    const w = await world({ every: "1h" }, { commands: { ownerAllowFrom: [`discord:${ALICE.id}`] } });
    const gw = await w.start();
    w.anthropic.enqueue({ text: "NO_REPLY" }, { text: "Your 9:00 meeting moved to 9:30." });
    await runCli(["system", "event", "--text", "calendar sync ran", "--mode", "now"], w.env);
    await gw.waitForLine(/\[heartbeat\] main: no-reply/);
    expect(w.discord.messages).toEqual([]);
    const dm = w.discord.nextRequest((r) => r.method === "POST" && r.path === "/users/@me/channels");
    await runCli(["system", "event", "--text", "calendar moved a meeting", "--mode", "now"], w.env);
    expect((await dm).body).toMatchObject({ recipient_id: ALICE.id });
    await gw.waitForLine(/\[heartbeat\] main: sent/);
    expect(w.discord.messages.map((m) => [m.channelId === GENERAL ? "general" : "dm", m.content])).toEqual([
      ["dm", "Your 9:00 meeting moved to 9:30."],
    ]);
    const last = await runCli(["system", "heartbeat", "last", "--json"], w.env);
    expect(JSON.parse(last.stdout)).toMatchObject({
      status: "sent",
      channel: "discord",
      to: `direct:${ALICE.id}`,
    });
  });

  it("failure alerts from the CLI flags: a failing run alerts on Discord; edit merges; --no-failure-alert turns it off", async () => {
    const w = await world();
    await w.start();
    const flags = ["--failure-alert-after", "1", "--failure-alert-channel", "discord"];
    const job = (await w.cli(
      "add",
      ...["--every", "1h", "--message", "brief me", "--no-deliver", ...flags],
      ...["--failure-alert-to", `channel:${GENERAL}`, "--failure-alert-cooldown", "30m"],
    )) as { id: string; failureAlert: unknown };
    expect(job.failureAlert).toEqual({
      after: 1,
      channel: "discord",
      to: `channel:${GENERAL}`,
      cooldownMs: 1_800_000,
    });
    w.anthropic.setDefault({ status: 400, message: "model refused the request" });
    const alert = w.discord.nextRequest(
      (r) => r.method === "POST" && r.path.endsWith(`/channels/${GENERAL}/messages`),
    );
    await runCli(["cron", "run", job.id, "--wait"], w.env);
    await alert;
    expect(posts(w.discord).map((m) => m.content)).toEqual([
      expect.stringMatching(/^⚠️ Cron job "brief me" \(\S+\) failed 1 time\(s\) in a row/),
    ]);
    const edited = (await w.cli("edit", job.id, "--failure-alert-after", "3")) as { failureAlert: unknown };
    expect(edited.failureAlert).toMatchObject({ after: 3, channel: "discord", to: `channel:${GENERAL}` });
    const off = (await w.cli("edit", job.id, "--no-failure-alert")) as { failureAlert: unknown };
    expect(off.failureAlert).toBe(false);
  });
});
