// bench/ui-attribution: which source files the Control UI's JS budget goes to. Builds the UI
// with source maps into a temporary folder and, for every JS file built, gives each byte of
// the minified output to the source it came from (esbuild's map carried through terser).
// Per source: minified bytes, and its gzip cost: how much smaller the file's gzip gets
// without that source's bytes (leave-one-out, so shared strings between sources count for
// neither; the costs sum to a little less than the total).
//   node bench/ui-attribution.mjs [--lang zh-Hant] [--top 20]
// Counts the files a page in that language can load (all but the other languages' catalogues).
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { eachMapping, TraceMap } from "@jridgewell/trace-mapping";
import { buildControlUi } from "../scripts/build-ui.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
};
const lang = arg("lang", "zh-Hant");
const top = Number(arg("top", "20"));
const outdir = mkdtempSync(path.join(os.tmpdir(), "bench-ui-attribution-"));
const { metafile } = await buildControlUi({ outdir, sourcemap: true });
const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;
const LANG = /ui\/src\/i18n\/(?:setup\/)?(en|zh-Hans|zh-Hant)\.ts$/;
const files = Object.entries(metafile.outputs)
  .filter(([file]) => file.endsWith(".js"))
  .filter(([, out]) => Object.keys(out.inputs).every((i) => (i.match(LANG)?.[1] ?? lang) === lang))
  .map(([file]) => file);

const cost = new Map(); // source → { bytes, gzip }
let total = 0;
for (const file of files) {
  const code = readFileSync(file, "utf8");
  const map = new TraceMap(readFileSync(`${file}.map`, "utf8"));
  // Each mapping's segment runs to the next one; terser writes one line.
  const lineStarts = [0];
  for (let i = code.indexOf("\n"); i !== -1; i = code.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const marks = [];
  eachMapping(map, (m) => {
    const at = (lineStarts[m.generatedLine - 1] ?? 0) + m.generatedColumn;
    const source = m.source
      ? path
          .relative(process.cwd(), path.resolve(path.dirname(file), m.source))
          .replace(/^.*node_modules\//, "")
      : "(glue)";
    marks.push([at, source]);
  });
  marks.sort((a, b) => a[0] - b[0]);
  const owner = new Array(code.length).fill("(glue)");
  for (const [i, [at, source]] of marks.entries()) owner.fill(source, at, marks[i + 1]?.[0] ?? code.length);
  const whole = gz(code);
  total += whole;
  for (const source of new Set(owner)) {
    let rest = "";
    let bytes = 0;
    for (let i = 0; i < code.length; i++)
      if (owner[i] === source) bytes += Buffer.byteLength(code[i] ?? "");
      else rest += code[i];
    const entry = cost.get(source) ?? { bytes: 0, gzip: 0 };
    entry.bytes += bytes;
    entry.gzip += whole - gz(rest);
    cost.set(source, entry);
  }
}
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
console.log(
  `ui js attribution, a page in ${lang}: ${files.length} files, ${kb(total)} gzip in all (${total} B)`,
);
const rows = [...cost].sort((a, b) => b[1].gzip - a[1].gzip);
for (const [source, { bytes, gzip }] of rows.slice(0, top))
  console.log(`${kb(gzip).padStart(9)} gzip ${kb(bytes).padStart(9)} min  ${source}`);
const rest = rows.slice(top);
console.log(
  `${kb(rest.reduce((n, [, c]) => n + c.gzip, 0)).padStart(9)} gzip in the other ${rest.length} sources`,
);
