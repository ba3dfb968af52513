// bench/memory: the memory index at the scale, in-process (src/memory bundled on the fly).
//   1. index 2,000 notes (~5 MB of Markdown) from cold;
//   2. memory_search p50 / p99 over --queries keyword queries as the gateway runs it (inotify
//      watcher: no file check while nothing changed);
//   3. the same with a full check of every note per search (no watcher: the CLI, or a
//      filesystem without inotify);
//   4. re-index after editing one note (the sync that finds and re-indexes it).
//   node bench/memory.mjs [--notes 2000] [--queries 300]
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadSource, median, parseArgs, percentile } from "./lib.mjs";

const opts = parseArgs({ notes: 2000, queries: 300 });
const { MemoryIndex } = await loadSource("src/memory/index.ts");

// A fixed pseudo-random vocabulary, so runs are comparable (no Math.random).
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "zen", "bar", "qui", "dor", "fel", "gu"];
const vocabulary = Array.from({ length: 6000 }, () =>
  Array.from(
    { length: 2 + Math.floor(rand() * 3) },
    () => syllables[Math.floor(rand() * syllables.length)],
  ).join(""),
);
const word = () => vocabulary[Math.floor(rand() ** 2 * vocabulary.length)]; // skewed, like real text
const sentence = () => `${Array.from({ length: 8 + Math.floor(rand() * 10) }, word).join(" ")}.`;

const root = mkdtempSync(path.join(os.tmpdir(), "bench-memory-"));
const workspace = path.join(root, "workspace");
mkdirSync(path.join(workspace, "memory"), { recursive: true });
let bytes = 0;
for (let i = 0; i < opts.notes; i++) {
  const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  const lines = [`# ${day}`, ""];
  while (lines.join("\n").length < 2_500) lines.push(`- ${sentence()}`);
  const body = `${lines.join("\n")}\n`;
  bytes += body.length;
  writeFileSync(path.join(workspace, "memory", `${day}.md`), body);
}
writeFileSync(path.join(workspace, "MEMORY.md"), "# Memory\n\nThe owner prefers green tea.\n");

const index = MemoryIndex.open(workspace, path.join(root, "memory.sqlite"), { watch: true });
let t = performance.now();
const cold = index.sync();
const coldMs = performance.now() - t;

const queries = Array.from({ length: opts.queries }, () => `${word()} ${word()} ${word()}`);
for (const q of queries.slice(0, 20)) await index.search(q); // warm-up
const timed = async (fn) => {
  const times = [];
  for (const q of queries) {
    const s = performance.now();
    await fn(q);
    times.push(performance.now() - s);
  }
  return times;
};
const watched = await timed((q) => index.search(q));
const unwatchedIndex = MemoryIndex.open(workspace, path.join(root, "memory.sqlite"));
const fullCheck = await timed((q) => unwatchedIndex.search(q));
unwatchedIndex.close();

// Hybrid: a local stand-in provider (1,536 dimensions, like text-embedding-3-small), so the
// timing excludes the network call for the query, as the number does.
const DIMS = 1536;
const localEmbed = (text) => {
  const v = new Float32Array(DIMS);
  for (const w of text.split(/\W+/)) {
    let h = 7;
    for (const ch of w) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    v[h % DIMS] += 1;
  }
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / (Math.sqrt(n) || 1));
};
const provider = { id: "openai", model: "bench-local", embed: async (texts) => texts.map(localEmbed) };
const hybridIndex = MemoryIndex.open(workspace, path.join(root, "memory.sqlite"), {
  watch: true,
  embeddings: provider,
});
t = performance.now();
await hybridIndex.search("warm up the vectors");
const embedAllMs = performance.now() - t;
const hybrid = await timed((q) => hybridIndex.search(q, { minScore: 0 }));
hybridIndex.close();

const edited = path.join(workspace, "memory", "2021-06-01.md");
writeFileSync(edited, `# edited\n\n- ${sentence()} zanzibarquux\n`);
utimesSync(edited, new Date(), new Date(Date.now() + 10_000));
t = performance.now();
const after = index.sync();
const reindexMs = performance.now() - t;
const found = (await index.search("zanzibarquux"))[0]?.path;
const counts = index.status();
index.close();
rmSync(root, { recursive: true, force: true });

const ms = (v) => `${v.toFixed(2)} ms`;
console.log(
  `notes: ${opts.notes} (${(bytes / 1e6).toFixed(1)} MB), ${counts.chunks} chunks, ${counts.terms} terms`,
);
console.log(`cold index: ${ms(coldMs)} (${cold.indexed} files)`);
console.log(
  `memory_search (gateway, watcher): p50 ${ms(median(watched))}, p99 ${ms(percentile(watched, 99))}`,
);
console.log(
  `memory_search (check every note): p50 ${ms(median(fullCheck))}, p99 ${ms(percentile(fullCheck, 99))}`,
);
console.log(
  `hybrid memory_search (local embeddings, ${DIMS} dims, query embedding excluded): p50 ${ms(median(hybrid))}, p99 ${ms(percentile(hybrid, 99))}; first search, embedding every chunk: ${ms(embedAllMs)}`,
);
console.log(`rss: ${Math.round(process.memoryUsage().rss / 1048576)} MB (bench process, all indexes closed)`);
console.log(
  `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${os.cpus().length} cores`,
);
console.log(
  `re-index after one edit: ${ms(reindexMs)} (indexed ${after.indexed}; found by the next search: ${found})`,
);
console.log(`node ${process.version}`);
