// bench/secret-handoff: what hiding the start secrets costs (infra/env-handoff.ts): time
// from spawning `openclaw gateway` to its listening line without a secret in the environment,
// with ANTHROPIC_API_KEY set (cleared in place, infra/exec-strings.ts), and with it set and the
// re-exec fallback forced (OPENCLAW_SECRETS_REEXEC: a second Node start), median of N runs.
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

function startOnce(variant) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-handoff-"));
  writeFileSync(path.join(dir, "openclaw.json"), '{"gateway":{"mode":"local"}}');
  const env = { PATH: process.env.PATH, HOME: dir, OPENCLAW_STATE_DIR: dir };
  if (variant !== "none") env.ANTHROPIC_API_KEY = "sk-bench-handoff-123456";
  if (variant === "reexec") env.OPENCLAW_SECRETS_REEXEC = "1";
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

const LABELS = {
  none: "no secret",
  "in-place": "with a secret (cleared in place)",
  reexec: "with a secret (re-exec forced)",
};
// Interleaved, so load drifts on a shared machine hit every variant alike.
const times = Object.fromEntries(Object.keys(LABELS).map((v) => [v, []]));
for (let i = 0; i < RUNS; i++) for (const v of Object.keys(LABELS)) times[v].push(await startOnce(v));
for (const [v, label] of Object.entries(LABELS)) {
  const sorted = times[v].sort((a, b) => a - b);
  console.log(`${label}: median ${sorted[Math.floor(RUNS / 2)].toFixed(0)} ms to listening (${RUNS} runs)`);
}
