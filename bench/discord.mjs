// bench/discord: the gateway with Discord connected (to the fake Discord) and an
// instant fake model: idle RSS, then end-to-end messages per second (a user message
// injected on Discord's gateway → agent turn → reply posted over Discord REST).
//   node bench/discord.mjs [--idle 10] [--messages 300] [--channels 20]
// Needs a build (npm run build). Loopback only.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadFake, memoryMb, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ idle: 10, messages: 300, channels: 20 });

const { startFakeDiscord } = await loadFake("discord/index.ts");
const { startFakeAnthropic } = await loadFake("anthropic.ts");
const GUILD = "1100000000000000001";
const channels = Array.from({ length: opts.channels }, (_, i) => ({
  id: String(1100000000000001000n + BigInt(i)),
  name: `room-${i}`,
  type: 0,
}));
const discord = await startFakeDiscord({ guilds: [{ id: GUILD, name: "bench", channels }] });
const model = await startFakeAnthropic();
model.setDefault({ text: "pong", usage: { input: 10, output: 1 } });

const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-discord-"));
writeFileSync(
  path.join(stateDir, "openclaw.json"),
  JSON.stringify({
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: model.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, maxConcurrent: opts.channels } },
    channels: {
      discord: {
        enabled: true,
        apiBaseUrl: discord.apiBaseUrl,
        groupPolicy: "allowlist",
        guilds: { [GUILD]: { requireMention: false } },
      },
    },
    logging: { level: "warn" },
  }),
);
const env = {
  ...process.env,
  OPENCLAW_STATE_DIR: stateDir,
  OPENCLAW_GATEWAY_TOKEN: "bench-discord-token",
  DISCORD_BOT_TOKEN: discord.token,
  ANTHROPIC_API_KEY: "sk-bench",
};
const { proc } = await spawnUntilListening([path.join(root, "dist/index.js"), "gateway", "--port", "0"], {
  env,
  cwd: root,
});
await new Promise((resolve) => {
  let out = "";
  proc.stdout.on("data", (d) => {
    out += d;
    if (out.includes("[discord] logged in to discord as")) resolve();
  });
});
await delay(opts.idle * 1000);
const idle = memoryMb(proc.pid);

// Throughput: messages spread over the channels (one session each), replies counted at the fake.
const user = { id: "1200000000000000001", username: "bench-user" };
const before = discord.messages.length;
const t0 = performance.now();
for (let i = 0; i < opts.messages; i++) {
  const channel = channels[i % channels.length];
  discord.sendMessage({ channelId: channel.id, guildId: GUILD, author: user, content: `ping ${i}` });
}
while (discord.messages.length - before < opts.messages) {
  await discord.nextRequest((r) => r.method === "POST" && r.path.endsWith("/messages"));
}
const seconds = (performance.now() - t0) / 1000;
const loaded = memoryMb(proc.pid);

console.log(`bench/discord: Node ${process.version}, fake Discord + instant fake model`);
console.log(
  `idle RSS with Discord connected (${opts.idle} s after login): ${idle.rss.toFixed(1)} MB   (target <= 100 MB)`,
);
console.log(
  `end to end: ${opts.messages} messages over ${opts.channels} channels in ${seconds.toFixed(2)} s = ${(opts.messages / seconds).toFixed(0)} messages/s`,
);
console.log(`RSS after the burst: ${loaded.rss.toFixed(1)} MB (peak ${loaded.hwm.toFixed(1)} MB)`);

await stop(proc);
await discord.close();
await model.close();
