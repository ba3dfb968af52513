// bench/secret-handoff: what the start-time re-exec (infra/env-handoff.ts) costs: time
// from spawning `openclaw gateway` to its listening line, without a secret in the
// environment (no re-exec) and with ANTHROPIC_API_KEY set (re-exec), median of N runs.
//   node bench/secret-handoff.mjs [--runs 7]
// Needs a build (npm run build). Loopback only.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

function startOnce(withSecret) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-handoff-"));
  writeFileSync(path.join(dir, "openclaw.json"), '{"gateway":{"mode":"local"}}');
  const env = { PATH: process.env.PATH, HOME: dir, OPENCLAW_STATE_DIR: dir };
  if (withSecret) env.ANTHROPIC_API_KEY = "sk-bench-handoff-123456";
  const t0 = performance.now();
  const proc = spawn(process.execPath, [CLI, "gateway", "--port", "0"], { env });
  return new Promise((resolve) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      if (!/listening on/.test(out)) return;
      const ms = performance.now() - t0;
      proc.kill("SIGKILL");
      resolve(ms);
    });
  });
}

for (const withSecret of [false, true]) {
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await startOnce(withSecret));
  times.sort((a, b) => a - b);
  const label = withSecret ? "with a secret (re-exec)" : "no secret (no re-exec)";
  console.log(`${label}: median ${times[Math.floor(RUNS / 2)].toFixed(0)} ms to listening (${RUNS} runs)`);
}
