// bench/idle-rss: where the idle gateway's resident memory goes, next to the floor (a bare
// Node http + ws server). Each process starts on a fresh state dir (`gateway
// --allow-unconfigured`, no channels), idles `--idle` seconds after its listening line, and
// is read from /proc/<pid>/smaps (RSS by mapping) and, through a preloaded probe
// (bench/fixtures/memory-probe.mjs), from V8 (physical size of each heap space). Runs are
// interleaved; medians are printed, in MB:
//   node text      the node binary's pages: Node and V8 code; V8's optimizing compilers
//                  (Maglev, TurboFan) page several MB in once start-up code gets hot
//   other files    shared libraries and other mapped files
//   V8 new space   the young generation (grows with what survives scavenges at start)
//   V8 old space   long-lived objects
//   V8 code etc.   code, trusted (bytecode), large-object and read-only spaces
//   malloc         the brk heap and per-thread malloc arenas (SQLite, libuv, V8 compilers)
//   other anon     the rest: thread stacks, mmapped buffers
// and, from process.memoryUsage(), heapUsed and external.
//   node bench/idle-rss.mjs [--runs 3] [--idle 10]
// To compare two builds, OPENCLAW_BENCH_CLI=<other dist/index.js> adds a column for it;
// OPENCLAW_BENCH_NODE_FLAGS="--max-semi-space-size=2" adds a column of this build with
// those Node flags (for measuring a flag; the gateway sets none). Needs npm run build.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { median, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { runs, idle } = parseArgs({ runs: 3, idle: 10 });
const probe = path.join(root, "bench/fixtures/memory-probe.mjs");
const gatewayArgs = (cli) => [cli, "gateway", "--allow-unconfigured", "--port", "0"];

/** No secret in the environment: with one, the gateway first re-executes itself. */
const SECRET_LIKE = /(KEY|TOKEN|SECRET|PASS|CREDENTIAL|AUTH)|^(AWS|AZURE)_/i;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRET_LIKE.test(k)));

const variants = [
  { label: "floor", args: [path.join(root, "bench/fixtures/bare-server.mjs")] },
  { label: "gateway", args: gatewayArgs(path.join(root, "dist/index.js")) },
];
if (process.env.OPENCLAW_BENCH_CLI) {
  variants.push({ label: "other build", args: gatewayArgs(path.resolve(process.env.OPENCLAW_BENCH_CLI)) });
}
if (process.env.OPENCLAW_BENCH_NODE_FLAGS) {
  variants.push({
    label: "with flags",
    args: [
      ...process.env.OPENCLAW_BENCH_NODE_FLAGS.split(/\s+/),
      ...gatewayArgs(path.join(root, "dist/index.js")),
    ],
  });
}

/** RSS in KB by kind of mapping, from /proc/<pid>/smaps. */
function rssByMapping(pid) {
  const kb = { nodeText: 0, otherFiles: 0, brk: 0, arenas: 0, anon: 0, total: 0 };
  let kind = "anon";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[3];
      const sizeKb = (Number.parseInt(head[2], 16) - Number.parseInt(head[1], 16)) / 1024;
      if (name === process.execPath) kind = "nodeText";
      else if (name.startsWith("/")) kind = "otherFiles";
      else if (name === "[heap]") kind = "brk";
      // glibc reserves 64 MB per thread arena (HEAP_MAX_SIZE) and touches what it uses.
      else if (name === "" && sizeKb >= 65_536 - 4096 && sizeKb <= 65_536) kind = "arenas";
      else kind = "anon";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      kb[kind] += Number(rss[1]);
      kb.total += Number(rss[1]);
    }
  }
  return kb;
}

async function measureOnce(variant) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-idle-rss-"));
  const out = path.join(dir, "probe.json");
  const env = { ...cleanEnv, OPENCLAW_STATE_DIR: dir, MEMORY_PROBE_OUT: out };
  const { proc } = await spawnUntilListening(["--import", probe, ...variant.args], { env, cwd: root });
  await delay(idle * 1000);
  const kb = rssByMapping(proc.pid);
  proc.kill("SIGUSR2");
  let v8;
  // The probe writes its file from the signal handler: poll for it (up to 5 s).
  for (let i = 0; i < 250 && !v8; i++) {
    await delay(20);
    try {
      v8 = JSON.parse(readFileSync(out, "utf8"));
    } catch {}
  }
  await stop(proc);
  rmSync(dir, { recursive: true, force: true });
  if (!v8) throw new Error(`${variant.label}: the memory probe wrote nothing`);
  const mb = (n) => n / 1048576;
  const space = (name) => mb(v8.spaces.find((s) => s.name === name)?.physical ?? 0);
  const v8Total = mb(v8.spaces.reduce((sum, s) => sum + s.physical, 0));
  const newSpace = space("new_space") + space("new_large_object_space");
  const oldSpace = space("old_space");
  return {
    rss: kb.total / 1024,
    nodeText: kb.nodeText / 1024,
    otherFiles: kb.otherFiles / 1024,
    newSpace,
    oldSpace,
    v8Other: v8Total - newSpace - oldSpace,
    malloc: (kb.brk + kb.arenas) / 1024,
    otherAnon: kb.anon / 1024 - v8Total,
    heapUsed: mb(v8.usage.heapUsed),
    external: mb(v8.usage.external),
  };
}

const results = new Map(variants.map((v) => [v, []]));
for (let i = 0; i < runs; i++) for (const v of variants) results.get(v).push(await measureOnce(v));

const rows = [
  ["RSS", "rss"],
  ["  node text", "nodeText"],
  ["  other files", "otherFiles"],
  ["  V8 new space", "newSpace"],
  ["  V8 old space", "oldSpace"],
  ["  V8 code etc.", "v8Other"],
  ["  malloc", "malloc"],
  ["  other anon", "otherAnon"],
  ["heapUsed", "heapUsed"],
  ["external", "external"],
];
const col = 13;
console.log(
  `bench/idle-rss: MB, median of ${runs} runs, read ${idle} s after listening, Node ${process.version}`,
);
console.log(
  `${"".padEnd(18)}${variants.map((v) => v.label.padStart(col)).join("")}${"gateway-floor".padStart(col + 2)}`,
);
for (const [label, key] of rows) {
  const meds = variants.map((v) => median(results.get(v).map((r) => r[key])));
  console.log(
    `${label.padEnd(18)}${meds.map((m) => m.toFixed(1).padStart(col)).join("")}${(meds[1] - meds[0]).toFixed(1).padStart(col + 2)}`,
  );
}
console.log(
  `raw RSS: ${JSON.stringify(Object.fromEntries(variants.map((v) => [v.label, results.get(v).map((r) => +r.rss.toFixed(1))])))}`,
);
console.log("Target: the gateway's idle RSS <= 80 MB (issue #23).");
process.exit(0);
