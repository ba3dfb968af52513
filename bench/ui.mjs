// bench/ui: size of the built Control UI (raw and gzip) and its time to first render in
// headless Chromium, served by a real gateway on loopback (fresh browser context per run,
// so nothing is cached).
//   node bench/ui.mjs [--runs 5]
// Needs a build (npm run build) and Debian's chromium (CHROMIUM_PATH overrides).
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { buildControlUi } from "../scripts/build-ui.mjs";
import { launchChromium } from "./chromium.mjs";
import { median, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { runs } = parseArgs({ runs: 5 });

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
// Only what index.html loads counts.
const html = readFileSync(path.join(root, "dist/control-ui/index.html"), "utf8");
const referenced = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]);
for (const ext of [".js", ".css"]) {
  const files = referenced.filter((f) => f.endsWith(ext));
  const bytes = files.map((f) => readFileSync(path.join(root, "dist/control-ui", f)));
  const raw = bytes.reduce((n, b) => n + b.length, 0);
  const gz = bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  console.log(`ui ${ext.slice(1).padEnd(3)} ${files.length} file(s): ${kb(raw)} raw, ${kb(gz)} gzip`);
}

// What each dependency costs: its minified bytes in the bundle (esbuild's metafile of a
// fresh build) and its gzip size alone.
const outdir = mkdtempSync(path.join(os.tmpdir(), "bench-ui-build-"));
const { metafile } = await buildControlUi({ outdir });
const jsOutputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith(".js"));
const gzipOf = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
// Language catalogues (ui/src/i18n/<lang>.ts, ui/src/i18n/setup/<lang>.ts) are chunks of
// their own: a page fetches only those of the language it shows.
const catalogue = (out) =>
  Object.keys(out.inputs)
    .map((input) => input.match(/ui\/src\/i18n\/(?:setup\/)?(en|zh-Hans|zh-Hant)\.ts$/)?.[1])
    .find(Boolean);
const shared = jsOutputs.filter(([, out]) => !catalogue(out));
const sharedGz = shared.reduce((n, [file]) => n + gzipOf(file), 0);
const langs = [...new Set(jsOutputs.map(([, out]) => catalogue(out)).filter(Boolean))];
for (const lang of langs) {
  const own = jsOutputs.filter(([, out]) => catalogue(out) === lang);
  const total = sharedGz + own.reduce((n, [file]) => n + gzipOf(file), 0);
  console.log(
    `ui js  all a page in ${lang.padEnd(7)} can load (page, lazy chunks, ${own.length} catalogue(s)): ${kb(total)} gzip, ${total} B (budget 60 KB)`,
  );
}
console.log(
  `ui js  every file built (all languages): ${kb(jsOutputs.reduce((n, [file]) => n + gzipOf(file), 0))} gzip`,
);
const byPackage = new Map();
for (const out of Object.values(metafile.outputs)) {
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs ?? {})) {
    const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? "(our code)";
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
}
for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) {
  console.log(`ui js  ${pkg.padEnd(12)} ${kb(bytes)} minified`);
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-ui-"));
const env = { ...process.env, OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: "bench-token-123456" };
const { proc, port } = await spawnUntilListening(
  ["dist/index.js", "gateway", "--allow-unconfigured", "--port", "0"],
  {
    env,
    cwd: root,
  },
);
const browser = await launchChromium();
try {
  const firstRender = [];
  const fcp = [];
  const fetched = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector("#app[data-rendered] #connect");
    // Both measured from the start of navigation (performance.timeOrigin).
    const t = await page.evaluate(`(() => ({
      render: performance.getEntriesByName("openclaw:first-render")[0]?.startTime,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
      fetched: Math.max(...performance.getEntriesByType("resource").map((r) => r.responseEnd)),
    }))()`);
    firstRender.push(t.render);
    fetched.push(t.fetched);
    if (t.fcp !== undefined) fcp.push(t.fcp);
    await context.close();
  }
  console.log(
    `ui first render (navigation start → app rendered), median of ${runs}: ${median(firstRender).toFixed(0)} ms`,
  );
  console.log(
    `ui HTML, JS and CSS all fetched (part of the above), median: ${median(fetched).toFixed(0)} ms`,
  );
  if (fcp.length)
    console.log(`ui first contentful paint, median of ${fcp.length}: ${median(fcp).toFixed(0)} ms`);
} finally {
  await browser.close();
  await stop(proc);
}
