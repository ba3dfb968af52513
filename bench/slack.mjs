// bench/slack: RSS of the gateway idle without Slack, then with Slack connected over Socket
// Mode (to the fake Slack) and an instant fake model, then end-to-end messages per second
// (a channel mention injected as a Socket Mode envelope → agent turn → chat.postMessage).
//   node bench/slack.mjs [--idle 10] [--messages 200] [--channels 20] [--http 1] [--liftoff 1]
// --http 1 measures HTTP events mode instead (no WebSocket client loaded; no burst).
// --liftoff 1 runs both gateways with V8's --liftoff-only (no optimized WebAssembly). Node's
// fetch soon tiers its WebAssembly HTTP parser (llhttp) up to optimized code, and the
// compiler's memory (~8-13 MB) stays with the process; the Slack channel does its Web API
// calls over node:http (src/infra/node-http-fetch.ts) so it never pays that, and this flag
// should change Slack's cost little. (The burst's model calls still go through fetch.)
// Needs a build (npm run build). Loopback only.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadFake, memoryMb, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ idle: 10, messages: 200, channels: 20, http: 0, liftoff: 0 });

const { startFakeSlack } = await loadFake("slack/index.ts");
const { startFakeAnthropic } = await loadFake("anthropic.ts");
const user = { id: "UBENCH001", name: "bench-user" };
const slack = await startFakeSlack([user]);
const model = await startFakeAnthropic();
model.setDefault({ text: "pong", usage: { input: 10, output: 1 } });
const rooms = Array.from({ length: opts.channels }, (_, i) => `C${String(i).padStart(8, "0")}`);

/** Starts the gateway with `channels` and waits `opts.idle` s after `readyLine` (or listening). */
async function idleGateway(channels, readyLine) {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-slack-"));
  writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: model.url } } },
      agents: {
        defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, maxConcurrent: opts.channels },
      },
      channels,
      logging: { level: readyLine ? "info" : "warn" },
    }),
  );
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: "bench-slack-token",
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    ANTHROPIC_API_KEY: "sk-bench",
  };
  const node = opts.liftoff ? ["--liftoff-only"] : [];
  const gateway = [path.join(root, "dist/index.js"), "gateway", "--port", "0"];
  const { proc } = await spawnUntilListening([...node, ...gateway], { env, cwd: root });
  if (readyLine) {
    await new Promise((resolve) => {
      let out = "";
      proc.stdout.on("data", (d) => {
        out += d;
        if (out.includes(readyLine)) resolve();
      });
    });
  }
  await delay(opts.idle * 1000);
  return { proc, idle: memoryMb(proc.pid) };
}

const without = await idleGateway({}, undefined);
await stop(without.proc);

const slackConfig = {
  slack: {
    apiUrl: slack.apiUrl,
    ...(opts.http ? { mode: "http", signingSecret: "bench-signing-secret" } : {}),
    groupPolicy: "open",
    channels: Object.fromEntries(rooms.map((id) => [id, { requireMention: false }])),
  },
};
const withSlack = await idleGateway(
  slackConfig,
  opts.http ? "[slack] slack events served at" : "[slack] connected to slack as",
);
const delta = withSlack.idle.rss - without.idle.rss;
const mode = opts.http ? "HTTP events" : "Socket Mode";
console.log(
  `bench/slack: Node ${process.version}, fake Slack (${mode}) + instant fake model${opts.liftoff ? ", --liftoff-only" : ""}`,
);
console.log(`idle RSS without Slack configured:        ${without.idle.rss.toFixed(1)} MB`);
console.log(`idle RSS with Slack connected (${opts.idle} s):     ${withSlack.idle.rss.toFixed(1)} MB`);
console.log(`Slack's cost: ${delta >= 0 ? "+" : ""}${delta.toFixed(1)} MB   (target <= +15 MB)`);
if (opts.http) {
  await stop(withSlack.proc);
  await slack.close();
  await model.close();
  process.exit(0);
}

const before = slack.messages.length;
const t0 = performance.now();
for (let i = 0; i < opts.messages; i++) {
  slack.sendEvent(
    slack.message({ channel: rooms[i % rooms.length], user: user.id, text: `ping ${i}` }).event,
  );
}
await slack.until(() => slack.messages.length - before >= opts.messages);
const seconds = (performance.now() - t0) / 1000;
const loaded = memoryMb(withSlack.proc.pid);

console.log(
  `end to end: ${opts.messages} messages over ${opts.channels} channels in ${seconds.toFixed(2)} s = ${(opts.messages / seconds).toFixed(0)} messages/s`,
);
console.log(`RSS after the burst: ${loaded.rss.toFixed(1)} MB (peak ${loaded.hwm.toFixed(1)} MB)`);

await stop(withSlack.proc);
await slack.close();
await model.close();
