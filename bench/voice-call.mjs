// bench/voice-call: the voice-call plugin in the built gateway against the fake Twilio
// (signed webhooks, TwiML) and a fake model that answers at once.
//   node bench/voice-call.mjs [--turns 100] [--idle 5]
// Prints: idle RSS without the plugin and with it loaded; time from the caller's
// words (the speech webhook) to the spoken answer (TwiML back), gateway + plugin
// overhead only; and a whole call (ring, greeting, one turn, hang-up).
// Needs a build (npm run build). Loopback only.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadFake, memoryMb, parseArgs, percentile, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ turns: 100, idle: 5 });
const OWNER = "+15557654321";
const NUMBER = "+15550001234";

const { startFakeAnthropic } = await loadFake("anthropic.ts");
const { startFakeTwilio } = await loadFake("twilio.ts");
const anthropic = await startFakeAnthropic();
anthropic.setDefault({ text: "Sure, noted.", usage: { input: 10, output: 3 } });
const twilio = await startFakeTwilio();

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startGateway(withPlugin) {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-voice-"));
  const port = await freePort();
  const webhookUrl = `http://127.0.0.1:${port}/voice/webhook`;
  const config = {
    gateway: { mode: "local", port },
    models: { providers: { anthropic: { baseUrl: anthropic.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    logging: { level: "warn" },
  };
  if (withPlugin) {
    config.plugins = {
      entries: {
        "voice-call": {
          enabled: true,
          config: {
            provider: "twilio",
            fromNumber: NUMBER,
            inboundPolicy: "allowlist",
            allowFrom: [OWNER],
            publicUrl: webhookUrl,
            maxConcurrentCalls: 2,
            twilio: { apiBaseUrl: twilio.apiBaseUrl },
          },
        },
      },
    };
  }
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config));
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: stateDir,
    ANTHROPIC_API_KEY: "sk-bench",
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
  };
  const { proc } = await spawnUntilListening([path.join(root, "dist/index.js"), "gateway"], {
    env,
    cwd: root,
  });
  return { proc, webhookUrl };
}

async function idleRss(withPlugin) {
  const { proc } = await startGateway(withPlugin);
  await sleep(opts.idle * 1000);
  const { rss } = memoryMb(proc.pid);
  await stop(proc);
  return rss;
}

const rssWithout = await idleRss(false);
const rssWith = await idleRss(true);

const { proc, webhookUrl } = await startGateway(true);
// The number's "Call status changes" URL, so hang-ups are reported as on a configured number.
const dial = () =>
  twilio.inboundCall({ from: OWNER, to: NUMBER, webhookUrl, statusCallback: `${webhookUrl}?type=status` });
// Warm-up call.
{
  const call = await dial();
  for (let i = 0; i < 10; i++) {
    const spoken = call.nextSpoken();
    await call.say(`warm ${i}`);
    await spoken;
  }
  await call.hangup();
}
const turns = [];
const call = await dial();
for (let i = 0; i < opts.turns; i++) {
  const spoken = call.nextSpoken();
  const t0 = performance.now();
  await call.say(`turn ${i}`);
  await spoken;
  turns.push(performance.now() - t0);
}
await call.hangup();
const whole = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  const c = await dial();
  const spoken = c.nextSpoken();
  await c.say("hello");
  await spoken;
  await c.hangup();
  whole.push(performance.now() - t0);
}
const { rss: rssAfter } = memoryMb(proc.pid);
await stop(proc);
await twilio.close();
await anthropic.close();

console.log(`bench/voice-call: Twilio fake, zero-latency model; Node ${process.version}`);
console.log(`idle RSS, no plugin                 ${rssWithout.toFixed(1)} MB`);
console.log(
  `idle RSS, voice-call loaded         ${rssWith.toFixed(1)} MB (+${(rssWith - rssWithout).toFixed(1)} MB)`,
);
console.log(
  `speech webhook -> spoken answer     p50 ${percentile(turns, 50).toFixed(2)} ms  p99 ${percentile(turns, 99).toFixed(2)} ms  (${opts.turns} turns)`,
);
console.log(
  `whole call (ring..hang-up, 1 turn)  p50 ${percentile(whole, 50).toFixed(2)} ms  p99 ${percentile(whole, 99).toFixed(2)} ms  (20 calls)`,
);
console.log(`RSS after the calls                 ${rssAfter.toFixed(1)} MB`);
