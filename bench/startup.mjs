// bench/startup: cold start to listening and idle RSS of the gateway, next to the floor (a
// bare Node http + ws server) measured in the same run, runs interleaved so load drifts hit
// every variant alike:
//   - the gateway with no secret in its environment (no channels);
//   - with OPENCLAW_GATEWAY_TOKEN set, as on Fly: the gateway clears it from its
//     /proc/<pid>/environ in place (infra/exec-strings.ts), and the same with the fallback
//     forced (OPENCLAW_SECRETS_REEXEC: it re-executes itself without it, a second Node start);
//   - with the Fly guide's config (Discord enabled, against the fake Discord): also the time
//     to "logged in to discord";
//   - with no V8 compile cache (the first start after an install).
//   node bench/startup.mjs [--runs 5] [--idle 10]
//   OPENCLAW_BENCH_BASE_CLI=<another build's dist/index.js> node bench/startup.mjs   (adds that
//     build's no-secret, token and Discord variants to the same interleaved runs: before/after
//     in one table)
//   node bench/startup.mjs --profile [--runs 3] [--discord]   (where the time goes before
//     listening; --discord: with the guide's config and its secrets, against the fake Discord)
// Needs a build (npm run build). Prints medians over the runs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadFake, median, memoryMb, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const profile = process.argv.indexOf("--profile");
if (profile >= 0) {
  process.argv.splice(profile, 1);
  const discordFlag = process.argv.indexOf("--discord");
  if (discordFlag >= 0) process.argv.splice(discordFlag, 1);
  const { profileStartup } = await import("./startup-profile.mjs");
  await profileStartup({ ...parseArgs({ runs: 3 }), discord: discordFlag >= 0 });
  process.exit(0);
}
const { runs, idle } = parseArgs({ runs: 5, idle: 10 });

/**
 * The environment without anything the gateway counts as a secret (it would re-execute
 * itself to hide it): keys, tokens, passwords, cloud SDK settings (AWS_*, AZURE_*).
 */
const SECRET_LIKE = /(KEY|TOKEN|SECRET|PASS|CREDENTIAL|AUTH)|^(AWS|AZURE)_/i;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRET_LIKE.test(k)));

const { startFakeDiscord } = await loadFake("discord/index.ts");
const GUILD = "1100000000000000001";
const discord = await startFakeDiscord({
  guilds: [{ id: GUILD, name: "bench", channels: [{ id: "1100000000000001000", name: "general", type: 0 }] }],
});

/** The gateway variants, for this build and (labelled `base: `) for OPENCLAW_BENCH_BASE_CLI. */
function gatewayVariants(cli, prefix) {
  const args = [cli, "gateway", "--allow-unconfigured", "--port", "0"];
  return [
    { label: `${prefix}no secret in env`, args },
    { label: `${prefix}token in env (Fly)`, args, env: { OPENCLAW_GATEWAY_TOKEN: "bench-token-123456" } },
    {
      label: `${prefix}guide's config (Discord)`,
      args,
      env: { OPENCLAW_GATEWAY_TOKEN: "bench-token-123456", DISCORD_BOT_TOKEN: discord.token },
      config: {
        gateway: { mode: "local" },
        channels: { discord: { enabled: true, apiBaseUrl: discord.apiBaseUrl, groupPolicy: "allowlist" } },
      },
      waitFor: "[discord] logged in to discord as",
    },
  ];
}

const gatewayArgs = [path.join(root, "dist/index.js"), "gateway", "--allow-unconfigured", "--port", "0"];
const baseCli = process.env.OPENCLAW_BENCH_BASE_CLI;
const variants = [
  { label: "floor (bare http + ws)", args: [path.join(root, "bench/fixtures/bare-server.mjs")], health: "/" },
  ...gatewayVariants(gatewayArgs[0], "gateway, "),
  {
    label: "gateway, token in env, re-exec forced",
    args: gatewayArgs,
    env: { OPENCLAW_GATEWAY_TOKEN: "bench-token-123456", OPENCLAW_SECRETS_REEXEC: "1" },
  },
  ...(baseCli ? gatewayVariants(baseCli, "base: ") : []),
  {
    label: "gateway, no compile cache",
    args: gatewayArgs,
    env: { NODE_DISABLE_COMPILE_CACHE: "1" },
  },
];

/** One start: ms to the listening line, ms to `waitFor` (if any), RSS after the idle wait. */
async function startOnce(variant) {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-startup-"));
  if (variant.config) writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(variant.config));
  const env = { ...cleanEnv, OPENCLAW_STATE_DIR: stateDir, ...variant.env };
  const t0 = performance.now();
  const { proc, startMs, port } = await spawnUntilListening(variant.args, { env, cwd: root });
  let readyMs;
  if (variant.waitFor) {
    await new Promise((resolve) => {
      let out = "";
      proc.stdout.on("data", (d) => {
        out += d;
        if (out.includes(variant.waitFor)) resolve();
      });
    });
    readyMs = performance.now() - t0;
  }
  // Listening must mean serving: one health probe before the idle wait.
  const health = await fetch(`http://127.0.0.1:${port}${variant.health ?? "/healthz"}`);
  if (!health.ok) throw new Error(`${variant.label}: health probe failed with ${health.status}`);
  await delay(idle * 1000);
  const rssMb = memoryMb(proc.pid).rss;
  await stop(proc);
  rmSync(stateDir, { recursive: true, force: true });
  return { startMs, readyMs, rssMb };
}

const results = new Map(variants.map((v) => [v, []]));
for (let i = 0; i < runs; i++) for (const v of variants) results.get(v).push(await startOnce(v));
await discord.close?.();

const fmt = (n) => (n === undefined ? "" : n.toFixed(1)).padStart(9);
const med = (v, key) =>
  results.get(v)[0][key] === undefined ? undefined : median(results.get(v).map((r) => r[key]));
const floorMs = med(variants[0], "startMs");
console.log(
  `bench/startup: ${runs} runs each (interleaved), RSS read ${idle} s after listening, Node ${process.version}`,
);
console.log(
  `${"".padEnd(40)}${"start ms".padStart(9)}${"/ floor".padStart(9)}${"RSS MB".padStart(9)}${"ready ms".padStart(9)}`,
);
for (const v of variants) {
  const start = med(v, "startMs");
  console.log(
    `${v.label.padEnd(40)}${fmt(start)}${fmt(start / floorMs)}${fmt(med(v, "rssMb"))}${fmt(med(v, "readyMs"))}`,
  );
}
console.log(
  "ready ms: start to the line named in the variant (Discord: logged in). Targets: start <= 1.5x floor, idle RSS <= 80 MB",
);
const raw = Object.fromEntries(
  variants.map((v) => [v.label, results.get(v).map((r) => Math.round(r.startMs))]),
);
console.log(`raw start ms: ${JSON.stringify(raw)}`);
const rawReady = Object.fromEntries(
  variants.filter((v) => v.waitFor).map((v) => [v.label, results.get(v).map((r) => Math.round(r.readyMs))]),
);
console.log(`raw ready ms: ${JSON.stringify(rawReady)}`);
process.exit(0);
