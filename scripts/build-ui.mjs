// Builds the Control UI (ui/) into dist/control-ui/, which the gateway serves at
// gateway.controlUi.basePath. esbuild (already our bundler) compiles the Preact TSX and
// CSS; asset names carry a content hash (served as immutable) and index.html refers to
// them by relative URL, so the UI works under any base path. No inline script or style:
// the gateway's CSP allows only 'self'.
import { createHash } from "node:crypto";
import { rename as fsRename, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { minify } from "terser";
import { markedLexerPlugin } from "./build-ui-marked.mjs";

export {
  markedLexerOnly,
  markedWithoutExtensions,
  markedWithoutPedantic,
  markedWithoutUnusedRules,
} from "./build-ui-marked.mjs";

const OUT = "dist/control-ui";
/** The browsers the Control UI supports (docs/control-ui.md). */
const TARGET = ["chrome111", "firefox115", "safari16.4"];

/** The catalogues whose keys are compacted: English names every key; the others follow. */
const CATALOGUE = /ui[\\/]src[\\/]i18n[\\/](?:setup[\\/])?(?:en|zh-Hans|zh-Hant)\.ts$/;
const ENGLISH_CATALOGUES = ["ui/src/i18n/en.ts", "ui/src/i18n/setup/en.ts"];
const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";

/** A key passed straight to a translate function (`t("…")`, `c.t("…")`, the setup flow's `ts("…")`). */
const TRANSLATED = /((?:^|[^\w$])(?:t|ts)\(\s*)"([\w.-]+)"(?=\s*[,)])/g;
/** A quoted string with nothing interpolated: '…', "…" or `…`. */
const QUOTED = /(["'`])([\w.-]+)\1/g;
/** The start of a key built from a template or by concatenation: `theme.${…}`, "theme." + … */
const PREFIX = /(["'`])([\w.-]*\.)(?=\1|\$\{)/g;

/**
 * Short ids for message keys ("chat.expandTable" → "aB") in the built UI: each key is written
 * in the app's code and again in every language's catalogue, about 1.5 KB gzip of the page's
 * JS. Derived at build time; the sources keep the keys, so tsc still checks every `t("…")`
 * against the English catalogue. Every quoted use of a key in ui/src becomes its id (a
 * translate call's argument, a table's label, a type), except for keys that may mean something
 * else: a name also quoted in the gateway's sources (`reserved`: an RPC method such as
 * "sessions.reset", an event, a code the gateway sends) and quoted in ui/src other than as a
 * translate call's argument, and keys that may be built from a
 * template (`theme.${…}`, "err." + code) keep their names everywhere, so nothing can look a
 * key up under the other name. `sources` are the ui/src files' texts (catalogues excluded).
 */
export function messageKeyIds(englishCatalogues, sources, reserved = new Set()) {
  const keys = englishCatalogues.flatMap((text) => [...text.matchAll(/^\s*"([\w.-]+)":/gm)].map((m) => m[1]));
  const kept = new Set();
  const prefixes = new Set();
  for (const text of sources) {
    // A gateway name quoted other than as a translate call's argument: it may be that name.
    for (const m of text.replace(TRANSLATED, "$1").matchAll(QUOTED)) if (reserved.has(m[2])) kept.add(m[2]);
    // `theme.${theme}` or "theme." + name: any key under that prefix may be asked for by name.
    for (const m of text.matchAll(PREFIX)) prefixes.add(m[2]);
  }
  const ids = new Map();
  let count = 0;
  const next = () => {
    const i = count++;
    const n = ID_CHARS.length;
    return i < n ? ID_CHARS[i] : ID_CHARS[Math.floor(i / n) - 1] + ID_CHARS[i % n];
  };
  // Such a prefix becomes a short one ("theme." → "a."), unless a gateway name starts with it or
  // a key is under two of them; its keys keep their names after it ("theme.dark" → "a.dark").
  const under = (key) => [...prefixes].filter((p) => key.startsWith(p));
  for (const key of keys) if (under(key).length > 1 || (under(key).length && kept.has(key))) kept.add(key);
  for (const p of prefixes) {
    if (
      [...reserved].some((name) => name.startsWith(p)) ||
      keys.some((k) => kept.has(k) && k.startsWith(p))
    ) {
      for (const key of keys) if (key.startsWith(p)) kept.add(key);
      continue;
    }
    const short = `${next()}.`;
    ids.set(p, short);
    for (const key of keys) if (key.startsWith(p)) ids.set(key, short + key.slice(p.length));
  }
  for (const key of keys.filter((k) => !kept.has(k) && !ids.has(k))) ids.set(key, next());
  return ids;
}

/** Every dotted name quoted in the gateway's sources (src/, tests excluded): see messageKeyIds. */
export async function gatewayNames() {
  const files = (await readdir("src", { recursive: true })).filter(
    (f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f),
  );
  const names = new Set();
  for (const f of files)
    for (const m of (await readFile(path.join("src", f), "utf8")).matchAll(QUOTED))
      if (m[2].includes(".")) names.add(m[2]);
  return names;
}

/** A ui/src file with the keys `ids` names replaced by their ids (catalogue entries, every quoted use). */
export function withMessageIds(text, ids, isCatalogue) {
  if (isCatalogue)
    return text.replace(/^(\s*)"([\w.-]+)":/gm, (m, indent, key) =>
      ids.has(key) ? `${indent}${JSON.stringify(ids.get(key)).replace(/^"([\w$]+)"$/, "$1")}:` : m,
    );
  return text
    .replace(QUOTED, (m, q, key) => (ids.has(key) ? `${q}${ids.get(key)}${q}` : m))
    .replace(PREFIX, (m, q, prefix) => (ids.has(prefix) ? `${q}${ids.get(prefix)}` : m));
}

/** esbuild plugin: ui/src with message keys as short ids (see messageKeyIds). */
async function messageIdsPlugin() {
  const files = (await readdir("ui/src", { recursive: true }))
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join("ui/src", f));
  const sources = await Promise.all(files.filter((f) => !CATALOGUE.test(f)).map((f) => readFile(f, "utf8")));
  const english = await Promise.all(ENGLISH_CATALOGUES.map((f) => readFile(f, "utf8")));
  const ids = messageKeyIds(english, sources, await gatewayNames());
  return {
    name: "message-ids",
    setup(b) {
      b.onLoad({ filter: /[\\/]ui[\\/]src[\\/].*\.tsx?$/ }, async (args) => ({
        contents: withMessageIds(await readFile(args.path, "utf8"), ids, CATALOGUE.test(args.path)),
        loader: args.path.endsWith("x") ? "tsx" : "ts",
      }));
    },
  };
}

/** A relative module specifier from the file `from` to the file `to` ("./x.js", "../x.js"). */
const specifier = (from, to) => {
  const rel = path.relative(path.dirname(from), to).split(path.sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
};

/**
 * The chunks the page's entry imports statically (what it shares with lazy chunks: Preact,
 * the gateway client, i18n…) are merged into the entry's file, and the lazy chunks import
 * those names from the entry instead. esbuild's code splitting has no option for this; it
 * puts code shared by the entry and a lazy chunk in a chunk of its own, which every page
 * loads anyway. One file gzips as one stream (what the shared chunk and the app have in
 * common compresses once) and the import/export lists between them go: 0.8 KB gzip. The
 * lazy chunks still load on first use; they import from the entry, already evaluated.
 * A second esbuild pass does the merge (scope-aware renaming): a virtual entry re-exports
 * the shared chunks under their export names and imports the app after them, the order
 * the browser evaluated them in. Updates the metafile to the files as they now are.
 */
async function mergeSharedChunks(metafile, entry, sourcemap) {
  const outputs = metafile.outputs;
  const shared = new Set();
  const visit = (file) => {
    for (const i of outputs[file]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external && !shared.has(i.path)) {
        shared.add(i.path);
        visit(i.path);
      }
  };
  visit(entry);
  if (shared.size === 0) return;
  const merged = new Set([entry, ...shared]);
  const entryDir = path.dirname(path.resolve(entry));
  const result = await build({
    stdin: {
      contents: `${[...shared].map((c) => `export * from ${JSON.stringify(specifier(entry, c))};`).join("\n")}\nimport ${JSON.stringify(specifier(entry, entry))};\n`,
      resolveDir: entryDir,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: TARGET,
    minify: true,
    charset: "utf8",
    legalComments: "none",
    sourcemap: sourcemap ? "external" : false,
    outfile: path.resolve(entry),
    write: false,
    logLevel: "warning",
    plugins: [
      {
        name: "lazy-chunks-stay",
        setup(b) {
          // A dynamic import (a lazy chunk, a catalogue) stays one, its path now from the entry's folder.
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind !== "dynamic-import") return undefined;
            const target = path.resolve(args.resolveDir, args.path);
            return { path: specifier(path.resolve(entry), target), external: true };
          });
        },
      },
    ],
  });
  for (const out of result.outputFiles) await writeFile(out.path, out.contents);
  const entryOut = outputs[entry];
  for (const chunk of shared) {
    Object.assign(entryOut.inputs, outputs[chunk].inputs);
    entryOut.imports.push(...outputs[chunk].imports);
    entryOut.bytes += outputs[chunk].bytes;
    await rm(chunk);
    await rm(`${chunk}.map`, { force: true });
    delete outputs[chunk];
    delete outputs[`${chunk}.map`];
  }
  entryOut.imports = entryOut.imports.filter((i) => !merged.has(i.path));
  // Lazy chunks imported the shared chunks: they import the entry now.
  for (const [file, out] of Object.entries(outputs)) {
    if (file === entry || !file.endsWith(".js")) continue;
    const uses = out.imports.filter((i) => shared.has(i.path));
    if (uses.length === 0) continue;
    let code = await readFile(file, "utf8");
    for (const i of uses) {
      const from = JSON.stringify(specifier(file, i.path));
      if (!code.includes(from))
        throw new Error(`build-ui: ${file} does not import ${from} as its metafile says`);
      code = code.replaceAll(from, JSON.stringify(specifier(file, entry)));
    }
    await writeFile(file, code);
    out.imports = [
      ...out.imports.filter((i) => !shared.has(i.path)),
      { path: entry, kind: "import-statement" },
    ];
    await rename(metafile, file, nameWithEntry(file, entry), entry);
  }
}

/**
 * A lazy chunk that imports the entry must change its name when the entry's does: assets are
 * served as immutable, and a cached chunk still naming an old entry would load that one (or
 * fail on its 404). esbuild named it for what it imported before the merge (the shared
 * chunk's name, which need not change with the entry's), so its hash now covers the entry's too.
 */
export function nameWithEntry(chunk, entry) {
  const hash = createHash("sha256")
    .update(`${path.basename(chunk)}\0${path.basename(entry)}`)
    .digest("hex");
  const renamed = chunk.replace(/-[A-Z0-9]+\.js$/, `-${hash.slice(0, 8).toUpperCase()}.js`);
  if (renamed === chunk) throw new Error(`build-ui: ${chunk} has no content hash in its name`);
  return renamed;
}

/**
 * Renames a built JS file (and its map) and every import of it in the other files. A file
 * that imports it now reads differently, so it is renamed too (but the entry, which
 * index.html names).
 */
export async function rename(metafile, from, to, entry, renamed = new Set()) {
  renamed.add(to);
  const importers = [];
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (!out.imports.some((i) => i.path === from)) continue;
    const code = await readFile(file, "utf8");
    const old = JSON.stringify(specifier(file, from));
    if (!code.includes(old)) throw new Error(`build-ui: ${file} does not import ${old} as its metafile says`);
    await writeFile(file, code.replaceAll(old, JSON.stringify(specifier(file, to))));
    for (const i of out.imports) if (i.path === from) i.path = to;
    if (file !== entry && !renamed.has(file)) importers.push(file);
  }
  await fsRename(from, to);
  metafile.outputs[to] = metafile.outputs[from];
  delete metafile.outputs[from];
  if (metafile.outputs[`${from}.map`]) {
    await fsRename(`${from}.map`, `${to}.map`);
    metafile.outputs[`${to}.map`] = metafile.outputs[`${from}.map`];
    delete metafile.outputs[`${from}.map`];
  }
  for (const file of importers)
    if (metafile.outputs[file]) await rename(metafile, file, nameWithEntry(file, entry), entry, renamed);
}

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

/**
 * `sourcemap: true` also writes each JS file's map (esbuild's, carried through terser), for
 * bench/ui-attribution.mjs; the served build has none.
 */
export async function buildControlUi({ outdir = OUT, sourcemap = false } = {}) {
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
    target: TARGET,
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    tsconfig: "ui/tsconfig.json",
    metafile: true,
    // Linked: the merge pass below reads it through the file's sourceMappingURL comment.
    sourcemap: sourcemap ? "linked" : false,
    legalComments: "none",
    // Chinese strings as UTF-8, not \uXXXX escapes: a third of the bytes, and they gzip better.
    charset: "utf8",
    define: { __UI_VERSION__: JSON.stringify(pkg.version) },
    logLevel: "warning",
    plugins: [markedLexerPlugin, await messageIdsPlugin()],
  });
  const entry = Object.entries(result.metafile.outputs).find(
    ([, out]) => out.entryPoint === "ui/src/main.tsx",
  )?.[0];
  if (entry) await mergeSharedChunks(result.metafile, entry, sourcemap);
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(outdir, file));
  const js = entry && path.relative(outdir, entry);
  const css = outputs.find((f) => f.endsWith(".css"));
  if (!js || !css) throw new Error(`control UI build produced no ${js ? "CSS" : "JS"} file`);
  const template = await readFile("ui/index.html", "utf8");
  const html = template
    .replace("%APP_JS%", `./${js.split(path.sep).join("/")}`)
    .replace("%APP_CSS%", `./${css.split(path.sep).join("/")}`);
  await mkdir(outdir, { recursive: true });
  await writeFile(path.join(outdir, "index.html"), html);
  // A second pass with terser: its compressor finds what esbuild's single pass leaves
  // (about 2 KB gzip of the UI's 60 KB budget). Names between chunks are their export
  // names, which terser keeps; the file names stay esbuild's content hashes.
  for (const asset of outputs.filter((f) => f.endsWith(".js"))) {
    const file = path.join(outdir, asset);
    const { code, map } = await minify(await readFile(file, "utf8"), {
      module: true,
      compress: { passes: 2 },
      format: { comments: false },
      ...(sourcemap && { sourceMap: { content: await readFile(`${file}.map`, "utf8") } }),
    });
    if (code === undefined) throw new Error(`terser produced nothing for ${asset}`);
    await writeFile(file, code);
    if (sourcemap && typeof map === "string") await writeFile(`${file}.map`, map);
  }
  // Precompressed copies: the gateway sends them to browsers that accept gzip.
  for (const asset of outputs.filter((f) => f.endsWith(".js") || f.endsWith(".css"))) {
    const file = path.join(outdir, asset);
    await writeFile(`${file}.gz`, gzipSync(await readFile(file), { level: 9 }));
  }
  return { js: path.join(outdir, js), css: path.join(outdir, css), metafile: result.metafile };
}

if (import.meta.url === `file://${process.argv[1]}`) await buildControlUi();
