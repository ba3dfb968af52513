// marked, cut to what the Control UI uses: its Lexer, lexing GitHub-flavoured markdown with
// default options (ui/src/components/markdown.tsx). Used by scripts/build-ui.mjs as an esbuild
// plugin; each cut is tested against the whole marked in test/ui/build.test.ts.
import { readFile } from "node:fs/promises";
import * as acorn from "acorn";
import { transform } from "esbuild";

const MARKED_ESM = /[\\/]node_modules[\\/]marked[\\/]lib[\\/]marked\.esm\.js$/;

/**
 * marked's one ESM file, cut to its Lexer (the UI renders tokens itself; see
 * ui/src/components/markdown.tsx). The file ends by building a default `Marked` and hanging
 * Parser, Renderer, Hooks and the rest on the `marked` function: top-level side effects
 * that keep all of them in the bundle. Dropping that tail and exporting only the Lexer
 * lets esbuild shake the rest away: 15.2 → 11.9 KB gzip. The cut is found from the file's
 * own export list, so a new marked that changes shape fails the build here, loudly,
 * rather than shipping a lexer that is not marked's (package.json pins marked exactly).
 */
export function markedLexerOnly(source) {
  const fail = (what) => {
    throw new Error(
      `build-ui: marked's lib/marked.esm.js is not shaped as expected (${what}); markedLexerOnly in scripts/build-ui.mjs must be updated for this marked version`,
    );
  };
  const exportList = source.match(/export\{([^}]*)\};?\s*(?:\/\/# sourceMappingURL=\S*\s*)?$/);
  if (!exportList) fail("no export list at its end");
  const locals = new Map(
    exportList[1].split(",").map((entry) => {
      const [local, name] = entry.trim().split(/\s+as\s+/);
      return [name ?? local, local];
    }),
  );
  const lexer = locals.get("Lexer");
  const marked = locals.get("Marked");
  if (!lexer || !marked) fail("no Lexer or no Marked in its exports");
  const name = (local) => local.replace(/\$/g, "\\$");
  // The tail starts where the default instance is made: `var <v>=new <Marked>;`.
  const tails = [...source.matchAll(new RegExp(`var [\\w$]+=new ${name(marked)};`, "g"))];
  if (tails.length !== 1) fail(`${tails.length} statements make the default Marked, not 1`);
  const cut = tails[0].index;
  // Only the glue of the default instance lies after the cut (1.1 KB in marked 18.2.1).
  if (source.length - cut > 2048) fail(`${source.length - cut} bytes after the default Marked`);
  if (!new RegExp(`(?:var |[,;])${name(lexer)}=class[ {]`).test(source.slice(0, cut)))
    fail(`its Lexer (${lexer}) is not a class defined before the default Marked`);
  return `${source.slice(0, cut)}\nexport{${lexer} as Lexer};\n`;
}

/**
 * marked's Lexer without its `pedantic` and `breaks` modes: the UI lexes with `{ gfm: true }`
 * only (ui/src/components/markdown.tsx). Their rule tables (`block.pedantic`, `inline.pedantic`,
 * `inline.breaks`) are regexes built at load time, kept by the calls that build them even when
 * nothing reads them; they go, with the declarations only they used, and the options read
 * `false`, so the Tokenizer's pedantic branches fold away too: 0.68 KB gzip. Found with a
 * parser (acorn) by shape, not by marked's minified names: the build stops, naming this
 * function, if marked is shaped otherwise.
 */
export function markedWithoutPedantic(source) {
  const fail = (what) => {
    throw new Error(
      `build-ui: marked's rule tables are not shaped as expected (${what}); markedWithoutPedantic in scripts/build-ui.mjs must be updated for this marked version`,
    );
  };
  const parse = (text) => acorn.parse(text, { ecmaVersion: "latest", sourceType: "module" });
  const declarators = (ast) =>
    ast.body.flatMap((s) => (s.type === "VariableDeclaration" ? s.declarations : []));
  const keys = (node) =>
    node?.type === "ObjectExpression" ? node.properties.map((p) => p.key?.name).join() : "";
  const tables = declarators(parse(source)).filter((d) =>
    ["normal,gfm,pedantic", "normal,gfm,breaks,pedantic"].includes(keys(d.init)),
  );
  if (tables.length !== 2) fail(`${tables.length} rule tables with normal, gfm and pedantic, not 2`);
  const cut = tables.flatMap((t) =>
    t.init.properties.filter((p) => p.key.name === "pedantic" || p.key.name === "breaks"),
  );
  // A property's text with the comma before it: the last ones in their objects.
  let text = source;
  const candidates = new Set();
  for (const p of cut.sort((a, b) => b.start - a.start)) {
    if (p.value.type !== "Identifier") fail(`${p.key.name} is not a declared table`);
    candidates.add(p.value.name);
    const from = text.lastIndexOf(",", p.start);
    text = text.slice(0, from) + text.slice(p.end);
  }
  // Round by round, a candidate nothing refers to any more goes, and what it used becomes
  // a candidate. Counting every other use of a name (a local one that shadows it too) only
  // keeps more.
  for (;;) {
    const ast = parse(text);
    const uses = new Map();
    for (const name of identifiers(ast)) uses.set(name, (uses.get(name) ?? 0) + 1);
    const unused = declarators(ast).filter((d) => candidates.has(d.id.name) && !uses.get(d.id.name));
    if (unused.length === 0) break;
    for (const d of unused.sort((x, y) => y.start - x.start)) {
      candidates.delete(d.id.name);
      for (const name of identifiers(d.init)) candidates.add(name);
      text = `${text.slice(0, d.start)}${d.id.name}=void 0${text.slice(d.end)}`;
    }
  }
  for (const option of ["pedantic", "breaks"]) {
    const reads = text.split(`this.options.${option}`).length - 1;
    if (reads === 0) fail(`the Lexer reads no this.options.${option}`);
    text = text.replaceAll(`this.options.${option}`, "!1");
  }
  return text;
}

/** The names a syntax tree uses (not a declaration's own name, an object key or a `.name`). */
function identifiers(node, out = []) {
  if (!node || typeof node.type !== "string") return out;
  if (node.type === "Identifier") out.push(node.name);
  for (const [k, v] of Object.entries(node)) {
    if (k === "id" && node.type === "VariableDeclarator") continue;
    if (k === "key" && !node.computed && node.type === "Property") continue;
    if (k === "property" && !node.computed && node.type === "MemberExpression") continue;
    for (const child of Array.isArray(v) ? v : [v])
      if (child && typeof child === "object") identifiers(child, out);
  }
  return out;
}

/**
 * marked's Lexer without extensions and hooks (`marked.use()`), which the UI never adds: the
 * Lexer reads `this.options.extensions` and `this.options.hooks` as absent, so the code that
 * runs extension tokenizers and the emphasis-mask hook folds away.
 */
export function markedWithoutExtensions(source) {
  let text = source;
  for (const option of ["extensions", "hooks"]) {
    if (!text.includes(`this.options.${option}?.`))
      throw new Error(
        `build-ui: marked's Lexer reads no this.options.${option}?.; markedWithoutExtensions in scripts/build-ui.mjs must be updated for this marked version`,
      );
    text = text.replaceAll(`this.options.${option}`, "(void 0)");
  }
  return text;
}

/**
 * marked's Lexer source, tree-shaken (and its constant branches folded), without the entries
 * of its shared rule table (`other`, the one with `codeRemoveIndent`) that nothing left reads:
 * the Renderer's escaping and the pedantic regexes, 0.16 KB gzip. A rule is kept if its name
 * appears anywhere outside the table.
 */
export async function markedWithoutUnusedRules(source) {
  const { code } = await transform(source, {
    treeShaking: true,
    minifySyntax: true,
    format: "esm",
    charset: "utf8",
  });
  const ast = acorn.parse(code, { ecmaVersion: "latest", sourceType: "module" });
  const tables = [];
  const walk = (node) => {
    if (!node || typeof node.type !== "string") return;
    if (node.type === "ObjectExpression" && node.properties.some((p) => p.key?.name === "codeRemoveIndent"))
      tables.push(node);
    for (const v of Object.values(node))
      for (const child of Array.isArray(v) ? v : [v]) if (child && typeof child === "object") walk(child);
  };
  walk(ast);
  const table = tables[0];
  if (tables.length !== 1 || !table)
    throw new Error(
      `build-ui: ${tables.length} rule tables with codeRemoveIndent in marked, not 1; markedWithoutUnusedRules in scripts/build-ui.mjs must be updated for this marked version`,
    );
  const outside = code.slice(0, table.start) + code.slice(table.end);
  const unused = table.properties.filter(
    (p) => p.type === "Property" && !p.computed && !new RegExp(`\\b${p.key.name}\\b`).test(outside),
  );
  let text = code;
  for (const p of unused.sort((a, b) => b.start - a.start)) {
    const end = text[p.end] === "," ? p.end + 1 : p.end;
    text = text.slice(0, p.start) + text.slice(end);
  }
  return text;
}

/** esbuild plugin: `import("marked")` gets only marked's Lexer, with the cuts above. */
export const markedLexerPlugin = {
  name: "marked-lexer-only",
  setup(b) {
    b.onLoad({ filter: MARKED_ESM }, async (args) => ({
      contents: await markedWithoutUnusedRules(
        markedWithoutExtensions(markedWithoutPedantic(markedLexerOnly(await readFile(args.path, "utf8")))),
      ),
      loader: "js",
    }));
  },
};
