// bench/inbound-sweep: what the media/inbound retention sweep (src/agents/media/retention.ts)
// costs on a workspace holding 10,000 stored files, half of them past the TTL: the time
// of one sweep that removes 5,000, then of one that finds nothing to remove.
//   node bench/inbound-sweep.mjs [--files 10000] [--runs 3]
// Prints medians. Local disk only (a temp dir).
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadSource, median, parseArgs } from "./lib.mjs";

const { files, runs } = parseArgs({ files: 10_000, runs: 3 });
const { sweepInboundMedia } = await loadSource("src/agents/media/retention.ts");
const HOUR = 3_600_000;
const now = Date.now();
const opts = { ttlMs: 168 * HOUR, maxBytes: 1024 ** 3, now, inUse: new Set() };

const removing = [];
const keeping = [];
for (let run = 0; run < runs; run++) {
  const ws = mkdtempSync(path.join(tmpdir(), "inbound-sweep-"));
  const dir = path.join(ws, "media", "inbound");
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) {
    const file = path.join(dir, `${randomUUID()}.pdf`);
    writeFileSync(file, "x".repeat(1024));
    const at = (now - (i % 2 ? 200 : 24) * HOUR) / 1000;
    utimesSync(file, at, at);
  }
  let start = performance.now();
  const first = await sweepInboundMedia(ws, opts);
  removing.push(performance.now() - start);
  start = performance.now();
  const second = await sweepInboundMedia(ws, opts);
  keeping.push(performance.now() - start);
  if (first.removed !== Math.floor(files / 2) || second.removed !== 0)
    throw new Error("unexpected sweep result");
  rmSync(ws, { recursive: true, force: true });
}
console.log(
  `inbound sweep, ${files} files, removing half: ${median(removing).toFixed(0)} ms (median of ${runs})`,
);
console.log(`inbound sweep, ${Math.ceil(files / 2)} files, nothing due: ${median(keeping).toFixed(0)} ms`);
