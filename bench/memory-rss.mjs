// bench/memory-rss: the gateway's cost of memory and skills. Two built gateways on loopback
// with the fake model, each after one chat turn and one memory.search:
//   A. an empty workspace (no notes, no skills);
//   B. 2,000 notes (~5 MB) in memory/ and 50 skills in <workspace>/skills.
//   C. B's state restarted (the index already on disk: the idle state of a running install).
// Prints start-up time to the listening line, RSS idle after start (before any request) and
// RSS after the turn and the search (what the budget is checked against).
//   node bench/memory-rss.mjs [--runs 3]      (needs npm run build)
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connectGateway, loadFake, median, memoryMb, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = process.env.OPENCLAW_BENCH_CLI ?? path.join(root, "dist/index.js");
const opts = parseArgs({ runs: 3 });
const TOKEN = "bench-memory-rss-token-1234";
const { startFakeAnthropic } = await loadFake("anthropic.ts");
const fake = await startFakeAnthropic();
fake.setDefault({ text: "ok" });

function stateDir(withKnowledge) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-memrss-"));
  const ws = path.join(dir, "workspace");
  mkdirSync(path.join(ws, "memory"), { recursive: true });
  if (withKnowledge) {
    const para = "Notes about the garden, the bike, the dentist and the tax return. ".repeat(36);
    for (let i = 0; i < 2000; i++)
      writeFileSync(path.join(ws, "memory", `n${i}.md`), `# Note ${i}\n\n${para}\n`);
    for (let i = 0; i < 50; i++) {
      mkdirSync(path.join(ws, "skills", `skill-${i}`), { recursive: true });
      writeFileSync(
        path.join(ws, "skills", `skill-${i}`, "SKILL.md"),
        `---\nname: skill-${i}\ndescription: Does task number ${i} with care.\nmetadata: {"openclaw": {"requires": {"bins": ["sh"]}}}\n---\nSteps…\n`,
      );
    }
  }
  writeFileSync(
    path.join(dir, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: fake.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
      logging: { level: "warn" },
    }),
  );
  return dir;
}

async function measure(withKnowledge, existingDir) {
  const dir = existingDir ?? stateDir(withKnowledge);
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: dir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-bench",
  };
  const { proc, port, startMs } = await spawnUntilListening([cli, "gateway", "--port", "0"], { env });
  const idle = memoryMb(proc.pid).rss; // before any request: nothing of memory or skills is loaded yet
  const client = await connectGateway(`ws://127.0.0.1:${port}`, TOKEN);
  const done = new Promise((resolve) =>
    client.onEvent((f) => f.event === "chat" && ["final", "error"].includes(f.payload?.state) && resolve()),
  );
  await client.request("chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "k1" });
  await done;
  const search = await client.request("memory.search", { query: "dentist tax" });
  const { rss } = memoryMb(proc.pid);
  client.close();
  await stop(proc);
  return { startMs, idle, rss, hits: search.results.length, dir };
}

const rows = { A: [], B: [], C: [] };
for (let i = 0; i < opts.runs; i++) {
  rows.A.push(await measure(false));
  const b = await measure(true);
  rows.B.push(b);
  rows.C.push(await measure(true, b.dir)); // restarted: the index exists, nothing to index
}
await fake.close();
for (const [name, label] of [
  ["A", "empty workspace"],
  ["B", "2,000 notes + 50 skills, indexed from cold by that search"],
  ["C", "the same after a restart (index on disk)"],
]) {
  const r = rows[name];
  console.log(
    `${label}: start ${median(r.map((x) => x.startMs)).toFixed(0)} ms, RSS idle after start ${median(r.map((x) => x.idle)).toFixed(1)} MB, after a turn and a search ${median(r.map((x) => x.rss)).toFixed(1)} MB (hits ${r[0].hits})`,
  );
}
console.log(
  `runs: ${opts.runs}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${os.cpus().length} cores`,
);
