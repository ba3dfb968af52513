// bench/cron: what 1,000 scheduled jobs cost an idle gateway (RSS, CPU), and how close to
// its time a job starts (scheduled → run started, p50/p99) on an otherwise idle gateway.
//   node bench/cron.mjs [--jobs 1000] [--probes 60] [--idleSeconds 10]
// Needs a build (npm run build). Loopback only; the fake Anthropic answers the probe turns.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  connectGateway,
  loadFake,
  memoryMb,
  parseArgs,
  percentile,
  spawnUntilListening,
  stop,
} from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ jobs: 1000, probes: 60, idleSeconds: 10 });
const TOKEN = "bench-cron-token-123456";

const { startFakeAnthropic } = await loadFake("anthropic.ts");
const fake = await startFakeAnthropic();
fake.setDefault({ text: "NO_REPLY", usage: { input: 10, output: 1 } });

const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-cron-"));
writeFileSync(
  path.join(stateDir, "openclaw.json"),
  JSON.stringify({
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: fake.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, maxConcurrent: 8 } },
    cron: { maxConcurrentRuns: 4 },
    logging: { level: "warn" },
  }),
);
const env = {
  ...process.env,
  OPENCLAW_STATE_DIR: stateDir,
  OPENCLAW_GATEWAY_TOKEN: TOKEN,
  ANTHROPIC_API_KEY: "sk-bench",
};
const start = () =>
  spawnUntilListening([path.join(root, "dist/index.js"), "gateway", "--port", "0"], { env, cwd: root });

/** CPU seconds (user + system) the process used so far (Linux /proc, 100 ticks a second). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** RSS and CPU share over `seconds` of doing nothing. */
async function idle(pid, seconds) {
  await delay(2_000); // Let start-up garbage settle.
  const cpu0 = cpuSeconds(pid);
  await delay(seconds * 1000);
  return { rss: memoryMb(pid).rss, cpuPercent: ((cpuSeconds(pid) - cpu0) / seconds) * 100 };
}

// 1. Idle, no jobs.
let gw = await start();
const empty = await idle(gw.proc.pid, opts.idleSeconds);

// 2. Add the jobs (hourly to weekly, spread so none fires during the bench), restart, idle again.
let client = await connectGateway(`ws://127.0.0.1:${gw.port}`, TOKEN);
for (let i = 0; i < opts.jobs; i++) {
  const schedule =
    i % 2 === 0
      ? { kind: "every", everyMs: 3_600_000 + i * 1000 }
      : {
          kind: "cron",
          expr: `${i % 60} ${i % 24} * * ${i % 7}`,
          tz: ["Europe/Vienna", "America/New_York", "Asia/Tokyo"][i % 3],
        };
  await client.request("cron.add", {
    name: `job ${i}`,
    schedule,
    payload: { kind: "agentTurn", message: `task ${i}` },
  });
}
client.close();
await stop(gw.proc);
gw = await start();
const loaded = await idle(gw.proc.pid, opts.idleSeconds);

// 3. Timer precision: one-shots spread over the next seconds; lateness from the finished records.
client = await connectGateway(`ws://127.0.0.1:${gw.port}`, TOKEN);
const lateness = [];
const done = new Promise((resolve) => {
  client.onEvent((frame) => {
    if (frame.event !== "cron" || frame.payload.action !== "finished" || frame.payload.trigger !== "due")
      return;
    lateness.push(frame.payload.runAtMs - frame.payload.scheduledAtMs);
    if (lateness.length === opts.probes) resolve();
  });
});
// Far enough ahead that every probe is added (one fsync each) before the first is due.
const base = Date.now() + 5_000;
for (let i = 0; i < opts.probes; i++) {
  // 250 ms apart: each turn (fake model) finishes long before the next is due.
  const at = new Date(base + i * 250).toISOString();
  await client.request("cron.add", {
    schedule: { kind: "at", at },
    payload: { kind: "agentTurn", message: "probe" },
  });
}
await done;
client.close();
await stop(gw.proc);
await fake.close();

console.log(`bench/cron: ${opts.jobs} jobs, ${opts.probes} probes; Node ${process.version}`);
console.log(
  `idle, no jobs:        RSS ${empty.rss.toFixed(1)} MB, CPU ${empty.cpuPercent.toFixed(2)} % over ${opts.idleSeconds} s`,
);
console.log(
  `idle, ${opts.jobs} jobs:    RSS ${loaded.rss.toFixed(1)} MB, CPU ${loaded.cpuPercent.toFixed(2)} % over ${opts.idleSeconds} s`,
);
console.log(`RSS added by the jobs: ${(loaded.rss - empty.rss).toFixed(1)} MB (target <= 5 MB)`);
console.log(
  `scheduled -> run started (${lateness.length} runs): p50 ${percentile(lateness, 50).toFixed(1)} ms, p99 ${percentile(lateness, 99).toFixed(1)} ms, max ${Math.max(...lateness)} ms (target p99 <= 50 ms)`,
);
