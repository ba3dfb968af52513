// bench/aac-remux: what rewrapping a Signal voice note (raw AAC, ADTS) as M4A costs before
// it goes to OpenAI: time for the first note (here including esbuild bundling the module
// and loading the muxer) and for later ones, for the 2 s fixture and for a 3-minute note
// (the fixture repeated).
//   node bench/aac-remux.mjs [--runs 20]
// Prints medians. No network: this is the local step only.
import { readFileSync } from "node:fs";
import { median, parseArgs } from "./lib.mjs";

const { runs } = parseArgs({ runs: 20 });
const note = readFileSync(new URL("../test/fixtures/audio/signal-voice-note.aac", import.meta.url));
const long = Buffer.concat(Array.from({ length: 90 }, () => note)); // 90 × 2 s = 3 minutes

const t0 = performance.now();
const { adtsToM4a } = await (await import("./lib.mjs")).loadSource("src/agents/media/adts-to-m4a.ts");
const first = await adtsToM4a(note);
const firstMs = performance.now() - t0;

const timeOf = async (data) => {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await adtsToM4a(data);
    times.push(performance.now() - start);
  }
  return median(times);
};
const shortMs = await timeOf(note);
const longMs = await timeOf(long);
const longOut = await adtsToM4a(long);
console.log(`first note (bundling + loading the muxer, then rewrapping): ${firstMs.toFixed(0)} ms`);
console.log(`2 s note, ${note.length} B ADTS -> ${first.length} B M4A: median ${shortMs.toFixed(2)} ms`);
console.log(`3 min note, ${long.length} B ADTS -> ${longOut.length} B M4A: median ${longMs.toFixed(2)} ms`);
