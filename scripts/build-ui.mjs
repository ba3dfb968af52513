// Builds the Control UI (ui/) into dist/control-ui/, which the gateway serves at
// gateway.controlUi.basePath. esbuild (already our bundler) compiles the Preact TSX and
// CSS; asset names carry a content hash (served as immutable) and index.html refers to
// them by relative URL, so the UI works under any base path. No inline script or style:
// the gateway's CSP allows only 'self'.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { minify } from "terser";

const OUT = "dist/control-ui";
const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

export async function buildControlUi({ outdir = OUT } = {}) {
  // Old hashed assets would otherwise pile up (and be served) after a rebuild.
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { app: "ui/src/main.tsx" },
    outdir: path.join(outdir, "assets"),
    entryNames: "[name]-[hash]",
    // Code loaded on first use (the markdown renderer) goes in chunks of its own.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome111", "firefox115", "safari16.4"],
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    tsconfig: "ui/tsconfig.json",
    metafile: true,
    legalComments: "none",
    // Chinese strings as UTF-8, not \uXXXX escapes: a third of the bytes, and they gzip better.
    charset: "utf8",
    define: { __UI_VERSION__: JSON.stringify(pkg.version) },
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(outdir, file));
  const entry = Object.entries(result.metafile.outputs).find(
    ([, out]) => out.entryPoint === "ui/src/main.tsx",
  )?.[0];
  const js = entry && path.relative(outdir, entry);
  const css = outputs.find((f) => f.endsWith(".css"));
  if (!js || !css) throw new Error(`control UI build produced no ${js ? "CSS" : "JS"} file`);
  // Chunks the app imports statically (code it shares with a lazy chunk): preloaded with
  // it, so the browser does not wait for the app's file to learn it needs them.
  const shared = (result.metafile.outputs[entry]?.imports ?? [])
    .filter((i) => i.kind === "import-statement" && !i.external)
    .map(
      (i) =>
        `<link rel="modulepreload" href="./${path.relative(outdir, i.path).split(path.sep).join("/")}" />`,
    );
  const template = await readFile("ui/index.html", "utf8");
  const html = template
    .replace("%APP_JS%", `./${js.split(path.sep).join("/")}`)
    .replace("%APP_CSS%", `./${css.split(path.sep).join("/")}`)
    .replace("%PRELOAD%", shared.join("\n    "));
  await mkdir(outdir, { recursive: true });
  await writeFile(path.join(outdir, "index.html"), html);
  // A second pass with terser: its compressor finds what esbuild's single pass leaves
  // (about 2 KB gzip of the UI's 60 KB budget). Names between chunks are their export
  // names, which terser keeps; the file names stay esbuild's content hashes.
  for (const asset of outputs.filter((f) => f.endsWith(".js"))) {
    const file = path.join(outdir, asset);
    const { code } = await minify(await readFile(file, "utf8"), {
      module: true,
      compress: { passes: 2 },
      format: { comments: false },
    });
    if (code === undefined) throw new Error(`terser produced nothing for ${asset}`);
    await writeFile(file, code);
  }
  // Precompressed copies: the gateway sends them to browsers that accept gzip.
  for (const asset of outputs.filter((f) => f.endsWith(".js") || f.endsWith(".css"))) {
    const file = path.join(outdir, asset);
    await writeFile(`${file}.gz`, gzipSync(await readFile(file), { level: 9 }));
  }
  return { js: path.join(outdir, js), css: path.join(outdir, css), metafile: result.metafile };
}

if (import.meta.url === `file://${process.argv[1]}`) await buildControlUi();
