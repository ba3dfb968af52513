// bench/startup: cold start to listening and idle RSS of the gateway (no channel
// enabled), next to the floor: a bare Node http + ws server measured in the same run.
//   node bench/startup.mjs [--runs 5] [--idle 10]
//   node bench/startup.mjs --profile [--runs 3]   (where the time goes before listening)
// Needs a build (npm run build). Prints medians over the runs.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { median, memoryMb, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const profile = process.argv.indexOf("--profile");
if (profile >= 0) {
  process.argv.splice(profile, 1);
  const { profileStartup } = await import("./startup-profile.mjs");
  await profileStartup(parseArgs({ runs: 3 }));
  process.exit(0);
}
const { runs, idle } = parseArgs({ runs: 5, idle: 10 });

async function measure(label, makeArgs, extraEnv = {}) {
  const starts = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-startup-"));
    const env = {
      ...process.env,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: "bench-token-123456",
      ...extraEnv,
    };
    const { proc, startMs, port } = await spawnUntilListening(makeArgs(), { env, cwd: root });
    // Listening must mean serving: one health probe before the idle wait.
    const health = await fetch(`http://127.0.0.1:${port}/${label === "floor" ? "" : "healthz"}`);
    if (!health.ok) throw new Error(`${label}: health probe failed with ${health.status}`);
    await delay(idle * 1000);
    rss.push(memoryMb(proc.pid).rss);
    starts.push(startMs);
    await stop(proc);
    rmSync(stateDir, { recursive: true, force: true });
  }
  return { label, startMs: median(starts), rssMb: median(rss), starts, rss };
}

const floor = await measure("floor", () => [path.join(root, "bench/fixtures/bare-server.mjs")]);
const gatewayArgs = () => [
  path.join(root, "dist/index.js"),
  "gateway",
  "--allow-unconfigured",
  "--port",
  "0",
];
// First start after install: no V8 compile cache yet.
const uncached = await measure("gateway-uncached", gatewayArgs, { NODE_DISABLE_COMPILE_CACHE: "1" });
const gateway = await measure("gateway", gatewayArgs);

const fmt = (n) => n.toFixed(1).padStart(8);
console.log(`bench/startup: ${runs} runs each, RSS read ${idle} s after listening, Node ${process.version}`);
console.log(`${"".padEnd(34)}${"start ms".padStart(9)}${"RSS MB".padStart(9)}`);
const names = {
  floor: "floor (bare http + ws)",
  "gateway-uncached": "gateway, no compile cache",
  gateway: "gateway (no channels)",
};
for (const r of [floor, uncached, gateway]) {
  const name = names[r.label];
  console.log(`${name.padEnd(34)}${fmt(r.startMs)} ${fmt(r.rssMb)}`);
}
console.log(
  `${"ratio gateway / floor".padEnd(34)}${fmt(gateway.startMs / floor.startMs)} ${fmt(gateway.rssMb / floor.rssMb)}`,
);
console.log(`targets: start <= 2x floor, idle RSS <= 80 MB`);
const raw = Object.fromEntries(
  [floor, uncached, gateway].map((r) => [r.label, { starts: r.starts, rss: r.rss }]),
);
console.log(`raw: ${JSON.stringify(raw)}`);
