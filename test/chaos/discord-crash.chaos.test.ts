/**
 * Reliability: kill -9 at (seeded) random moments while messages flow in from the
 * fake Discord. A message counts as acknowledged once the gateway recorded it (its
 * user line is in a transcript). After the last restart every acknowledged message
 * must have exactly one user line and a reply posted on Discord, and every state file
 * must parse. Run alone with `npm run test:chaos`; it is also part of `npm test`.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord/index.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { seededRandom } from "../helpers/random.js";
import { readSessionIndex } from "../helpers/session-index.js";

const GUILD_ID = "1100000000000000001";
const CHANNELS = Array.from({ length: 8 }, (_, i) => ({
  id: String(1100000000000002000n + BigInt(i)),
  name: `room-${i}`,
  type: 0,
}));
const USER = { id: "1200000000000000001", username: "chaos" };
const CRASHES = 5;
const MESSAGES = 200;

let discord: FakeDiscord;
let model: FakeServer;
const alive: RunningGateway[] = [];
afterAll(async () => {
  for (const gw of alive) await gw.stop("SIGKILL");
  await discord?.close();
  await model?.close();
});

function lastUserText(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string | { type: string; text?: string }[] }[];
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last) return "";
  return typeof last.content === "string" ? last.content : last.content.map((c) => c.text ?? "").join("");
}

describe("chaos: kill -9 while Discord messages flow", () => {
  it(`${CRASHES} crashes, ${MESSAGES} messages: no acknowledged message lost or duplicated, no corrupt file`, async () => {
    const rand = seededRandom(20261125);
    discord = await startFakeDiscord({ guilds: [{ id: GUILD_ID, name: "chaos", channels: CHANNELS }] });
    model = await startFakeAnthropic();
    // Each answer names the message it answers; a little latency keeps turns in flight.
    model.setDefault((request) => {
      const reply = { text: `re: ${lastUserText(request.body)}` };
      // biome-ignore lint/suspicious/noThenProperty: the fake's slow-reply script names its follow-up `then`
      return { slowMs: 5 + Math.floor(rand() * 20), then: reply };
    });
    const stateDir = stateDirWith(
      baseConfig(model.url, {
        agents: { defaults: { maxConcurrent: 8 } },
        channels: {
          discord: { apiBaseUrl: discord.apiBaseUrl, guilds: { [GUILD_ID]: { requireMention: false } } },
        },
      }),
      "chaos-",
    );
    const env = testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      DISCORD_BOT_TOKEN: discord.token,
      ANTHROPIC_API_KEY: "sk-chaos-123",
    });
    const start = async () => {
      const gw = await startGateway(["--port", "0"], env);
      alive.push(gw);
      await gw.waitForLine(/\[discord\] logged in to discord as/);
      return gw;
    };

    let sent = 0;
    const perLife = Math.ceil(MESSAGES / (CRASHES + 1));
    for (let life = 0; life <= CRASHES || sent < MESSAGES; life++) {
      const gw = await start();
      const killAfter = life < CRASHES ? Math.floor(rand() * perLife) : Number.POSITIVE_INFINITY;
      const quota = life < CRASHES ? perLife : MESSAGES - sent;
      for (let i = 0; i < quota && sent < MESSAGES; i++, sent++) {
        const channel = CHANNELS[sent % CHANNELS.length]!;
        discord.sendMessage({ channelId: channel.id, guildId: GUILD_ID, author: USER, content: `m${sent}` });
        if (i === killAfter) {
          // Let a random number of model calls start, so the kill lands mid-turn.
          for (let k = Math.floor(rand() * 3); k > 0; k--) await model.nextRequest();
          await gw.stop("SIGKILL");
          sent++; // this message was sent; the loop's own increment is skipped by the break
          break;
        }
        if (i % 4 === 3) await model.nextRequest();
      }
      if (life < CRASHES && alive.at(-1)!.proc.exitCode === null && alive.at(-1)!.proc.signalCode === null) {
        await alive.at(-1)!.stop("SIGKILL");
      }
    }
    // Drain: a sentinel per channel is answered only after every earlier turn of that channel.
    const gw = alive.at(-1)!;
    const sentinels = CHANNELS.map((c) => {
      const content = `sentinel ${c.id}`;
      const answered = new Promise<void>((resolve) => {
        const check = (): Promise<void> =>
          discord
            .nextRequest((r) => r.method === "POST" && r.path.endsWith(`/channels/${c.id}/messages`))
            .then(() => (discord.messages.some((m) => m.content === `re: ${content}`) ? resolve() : check()));
        void check();
      });
      discord.sendMessage({ channelId: c.id, guildId: GUILD_ID, author: USER, content });
      return answered;
    });
    await Promise.all(sentinels);
    await gw.stop("SIGTERM");

    // Every state file parses; every transcript line parses.
    const sessionsDir = path.join(stateDir, "agents/main/sessions");
    readSessionIndex(sessionsDir);
    JSON.parse(readFileSync(path.join(stateDir, "openclaw.json"), "utf8"));
    const userLines = new Map<string, number>();
    for (const file of readdirSync(sessionsDir).filter((f) => f.includes(".jsonl"))) {
      for (const line of readFileSync(path.join(sessionsDir, file), "utf8").split("\n")) {
        if (!line) continue;
        const parsed = JSON.parse(line);
        if (parsed.type === "message" && parsed.message.role === "user") {
          const text = parsed.message.content[0].text as string;
          userLines.set(text, (userLines.get(text) ?? 0) + 1);
        }
      }
    }
    const acknowledged = [...userLines.keys()].filter((t) => /^m\d+$/.test(t));
    const replies = new Set(discord.messages.map((m) => m.content));
    const lost = acknowledged.filter((t) => !replies.has(`re: ${t}`));
    const duplicated = [...userLines].filter(([t, n]) => /^m\d+$/.test(t) && n > 1).map(([t]) => t);
    const summary = {
      crashes: CRASHES,
      injected: sent,
      acknowledged: acknowledged.length,
      lost: lost.length,
      duplicated: duplicated.length,
    };
    console.log(`chaos: ${JSON.stringify(summary)}`);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(MESSAGES / 2);
  }, 240_000);
});
