// bench/voice-call: the voice-call plugin in the built gateway against the fake Twilio
// (signed webhooks, TwiML) and a fake model that answers at once.
//   node bench/voice-call.mjs [--turns 100] [--idle 5]
// Prints: idle RSS without the plugin and with it loaded; time from the caller's
// words (the speech webhook) to the spoken answer (TwiML back), gateway + plugin
// overhead only; and a whole call (ring, greeting, one turn, hang-up). In-process: the
// replay check per webhook (signature + key, the memory lookup, the fsynced record on
// the temp dir's disk) and the size of replay.jsonl after --webhooks signed webhooks.
// Needs a build (npm run build). Loopback only.
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadFake, loadSource, memoryMb, parseArgs, percentile, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ turns: 100, idle: 5, webhooks: 10_000 });
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
const replay = await replayCost(opts.webhooks);
await twilio.close();
await anthropic.close();

/**
 * The replay check alone, as the manager runs it per webhook: verify (HMAC + replay
 * key), look the key up and claim it in memory, record it fsynced, then the answer.
 */
async function replayCost(count) {
  const { ReplayStore } = await loadSource("src/plugins/voice-call/replay-store.ts");
  const { createTwilioProvider } = await loadSource("src/plugins/voice-call/providers/twilio.ts");
  const { callbackUrlFor } = await loadSource("src/plugins/voice-call/providers/twiml.ts");
  const provider = createTwilioProvider({ accountSid: twilio.accountSid, authToken: twilio.authToken });
  const log = { info() {}, warn() {}, error: (m) => console.error(m), debug() {} };
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "bench-replay-")), "replay.jsonl");
  const store = await ReplayStore.open(file, { log });
  const hook = "https://voice.example.com/voice/webhook";
  // Twilio's gather callback fields, and a typical answer.
  const fields = (i) => ({
    AccountSid: twilio.accountSid,
    ApiVersion: "2010-04-01",
    CallSid: `CA${String(i).padStart(32, "0")}`,
    CallStatus: "in-progress",
    Called: NUMBER,
    Caller: OWNER,
    Confidence: "0.92",
    Direction: "inbound",
    From: OWNER,
    Language: "en-US",
    SpeechResult: `Remind me to call the dentist tomorrow at ${i % 12} o'clock.`,
    To: NUMBER,
  });
  const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech" action="${callbackUrlFor(hook, "gather")}" method="POST" speechTimeout="auto" actionOnEmptyResult="true"><Say>Sure, I will remind you tomorrow.</Say></Gather></Response>`;
  const requests = [];
  for (let i = 0; i < count; i++) {
    const w = twilio.sign(callbackUrlFor(hook, "gather"), fields(i));
    requests.push({ url: w.url, headers: w.headers, rawBody: Buffer.from(w.body) });
  }
  const verify = [];
  const memory = [];
  const durable = [];
  for (const req of requests) {
    const t0 = performance.now();
    const verified = provider.verifyWebhook(req);
    const t1 = performance.now();
    if (!verified.ok || store.repeat(verified.replayKey, verified.replayUntil))
      throw new Error("bench: not fresh");
    const claim = store.claim(verified.replayKey, verified.replayUntil);
    const t2 = performance.now();
    await claim.persisted;
    const t3 = performance.now();
    claim.settle(Promise.resolve({ status: 200, contentType: "text/xml", body }));
    verify.push((t1 - t0) * 1000);
    memory.push((t2 - t1) * 1000);
    durable.push((t3 - t2) * 1000);
  }
  await store.flush();
  const running = statSync(file).size;
  const reopened = await ReplayStore.open(file, { log });
  return { verify, memory, durable, running, compacted: statSync(file).size, keys: reopened.size };
}

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
const us = (values) =>
  `p50 ${percentile(values, 50).toFixed(1)} µs  p99 ${percentile(values, 99).toFixed(1)} µs`;
console.log(`replay: verify + key (HMAC, sha256) ${us(replay.verify)}`);
console.log(`replay: memory lookup + claim       ${us(replay.memory)}`);
console.log(`replay: key fsynced to replay.jsonl ${us(replay.durable)}  (${os.tmpdir()})`);
console.log(
  `replay.jsonl after ${opts.webhooks} webhooks      ${(replay.running / 1024).toFixed(0)} KiB running, ${(replay.compacted / 1024).toFixed(0)} KiB compacted on load (${replay.keys} keys)`,
);
