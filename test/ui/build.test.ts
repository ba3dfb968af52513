import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Lexer } from "marked";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildControlUi,
  gatewayNames,
  markedLexerOnly,
  markedWithoutExtensions,
  markedWithoutPedantic,
  markedWithoutUnusedRules,
  messageKeyIds,
  nameWithEntry,
  rename,
  withMessageIds,
} from "../../scripts/build-ui.mjs";

const MARKED = readFileSync("node_modules/marked/lib/marked.esm.js", "utf8");

/** GitHub-flavoured markdown the chat renders: tables, task lists, strikethrough, autolinks. */
const GFM = [
  "| city | temp |\n|:-----|-----:|\n| Oslo | 3 |\n| Rome | 14 |",
  "- [x] done\n- [ ] to do\n  1. nested *em* and **strong**",
  "~~gone~~ and ~kept~ and `code ~~not~~`",
  "see https://example.com/docs, www.example.org and mail a@b.io or <https://x.y/z>",
  '# Title\n\n> quote\n\n```ts\nconst x = 1;\n```\n\n---\n\n[link](https://a.b "t") ![img](data:image/png;base64,AA==)',
  "line one  \nline two\\\n<b>raw</b> &amp; &#39; [ref]\n\n[ref]: https://r.ef",
  // Where marked's pedantic mode (cut from the build) branches: lists, headings, links, emphasis.
  "1. one\n   - two\n\t- tab\n\n     indented\n2) other\n* star\n\n+ plus\n    code",
  "#no space\n## closed ##\nSetext\n===\npara\n---\n    indented code\n\n~~~\nfence\n~~~",
  '[a](<b c> "t") [d](e \'f\') [g]( h ) <a href="x">y</a> ![i](j (k)) [[l]](m) [n][]\n\n[n]: /o',
  "*a **b** c* __d__ _e_f_ **g*h** ***i*** snake_case_name 2*3*4 `a``b` ``c`d``",
];

describe("Control UI build", () => {
  let outdir: string;
  let built: Awaited<ReturnType<typeof buildControlUi>>;
  beforeAll(async () => {
    outdir = mkdtempSync(path.join(os.tmpdir(), "build-ui-test-"));
    built = await buildControlUi({ outdir });
  }, 120_000);
  const jsOutputs = () => Object.keys(built.metafile.outputs).filter((f) => f.endsWith(".js"));

  it("ships only marked's Lexer, and it lexes GitHub markdown exactly as marked does", async () => {
    const chunk = jsOutputs().find((f) =>
      Object.keys(built.metafile.outputs[f]?.inputs ?? {}).some((i) =>
        i.endsWith("marked/lib/marked.esm.js"),
      ),
    );
    expect(chunk).toBeDefined();
    // The path in the metafile is relative to the working directory, the file terser rewrote.
    const code = readFileSync(chunk as string, "utf8");
    expect(code).not.toContain("An error occurred"); // the Marked class's error page
    const lean = (await import(pathToFileURL(path.resolve(chunk as string)).href)) as {
      Lexer: typeof Lexer;
    };
    expect(Object.keys(lean)).toEqual(["Lexer"]);
    for (const text of GFM)
      expect(lean.Lexer.lex(text, { gfm: true })).toEqual(Lexer.lex(text, { gfm: true }));
    const types = (text: string) => JSON.stringify(lean.Lexer.lex(text, { gfm: true }));
    expect(types(GFM[0] as string)).toContain('"type":"table"');
    expect(types(GFM[1] as string)).toContain('"task":true');
    expect(types(GFM[2] as string)).toContain('"type":"del"');
    expect(types(GFM[3] as string)).toContain('"href":"http://www.example.org"');
    // pedantic and breaks are cut: the options are read as false (the UI never sets them).
    expect(code).not.toMatch(/\.(pedantic|breaks)\b/);
    for (const text of GFM)
      expect(lean.Lexer.lex(text, { gfm: true, pedantic: true, breaks: true })).toEqual(
        Lexer.lex(text, { gfm: true }),
      );
    const ui = readdirSync("ui/src", { recursive: true, encoding: "utf8" })
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => readFileSync(path.join("ui/src", f), "utf8"));
    expect(ui.filter((text) => /\b(pedantic|breaks)\s*:/.test(text))).toEqual([]);
    // Extensions and hooks (marked.use()) are cut too: none in the UI, none read.
    expect(code).not.toMatch(/\.(extensions|hooks)\b/);
    expect(ui.filter((text) => /\b(extensions|hooks|walkTokens)\s*:|\.use\(/.test(text))).toEqual([]);
    expect(() =>
      markedWithoutExtensions(markedLexerOnly(MARKED).replaceAll("options.hooks", "options.h")),
    ).toThrow(/markedWithoutExtensions in scripts\/build-ui\.mjs/);
  });

  it("drops the shared rules nothing left reads, and fails loudly without that table", async () => {
    const lexer = markedWithoutExtensions(markedWithoutPedantic(markedLexerOnly(MARKED)));
    for (const rule of ["pedanticHrefTitle", "escapeTest", "codeRemoveIndent"])
      expect(lexer).toContain(`${rule}:`);
    const lean = await markedWithoutUnusedRules(lexer);
    expect(lean).not.toContain("pedanticHrefTitle:"); // its reader folded away with pedantic
    expect(lean).not.toContain("escapeTest:"); // the Renderer's, shaken out with it
    expect(lean).toContain("codeRemoveIndent:");
    await expect(markedWithoutUnusedRules(lexer.replace("codeRemoveIndent:", "codeRemove:"))).rejects.toThrow(
      /markedWithoutUnusedRules in scripts\/build-ui\.mjs/,
    );
  });

  it("fails loudly when marked's rule tables are not shaped as the pedantic cut expects", () => {
    const lexer = markedLexerOnly(MARKED);
    expect(lexer).toMatch(/[,{](pedantic|breaks):[A-Za-z_$]/);
    expect(markedWithoutPedantic(lexer)).not.toMatch(/[,{](pedantic|breaks):[A-Za-z_$]/);
    const broken = [
      lexer.replace(/,pedantic:(\w+)\}/, ",pedantry:$1}"),
      lexer.replace(/,breaks:\w+/, ",breaks:void 0"),
      lexer.replaceAll("this.options.breaks", "this.options.br"),
    ];
    for (const source of broken) {
      expect(source).not.toBe(lexer);
      expect(() => markedWithoutPedantic(source)).toThrow(/markedWithoutPedantic in scripts\/build-ui\.mjs/);
    }
  });

  it("the page is one file: what it shares with lazy chunks is in it, and they import it", () => {
    const outputs = built.metafile.outputs;
    const entry = path.relative(process.cwd(), built.js);
    expect(outputs[entry]?.imports.filter((i) => i.kind === "import-statement")).toEqual([]);
    // Preact is in the page's file and nowhere else.
    const withPreact = jsOutputs().filter((f) =>
      Object.keys(outputs[f]?.inputs ?? {}).some((i) => i.includes("node_modules/preact/")),
    );
    expect(withPreact).toEqual([entry]);
    const html = readFileSync(path.join(outdir, "index.html"), "utf8");
    expect([...html.matchAll(/\.js"/g)]).toHaveLength(1);
    const importers = jsOutputs().filter((f) => outputs[f]?.imports.some((i) => i.path === entry));
    expect(importers.length).toBeGreaterThan(0); // the channel setup's chunk
    for (const f of importers) {
      const code = readFileSync(f, "utf8");
      expect(code).toContain(`from"../${path.basename(entry)}"`);
      expect(code).not.toMatch(/chunk-\w+\.js/);
    }
    for (const f of jsOutputs()) expect(existsSync(f)).toBe(true);
  });

  it("a lazy chunk that imports the page's file is renamed with it (assets are immutable)", () => {
    const a = nameWithEntry("dist/assets/chunks/setup-AAAA1111.js", "dist/assets/app-BBBB2222.js");
    const b = nameWithEntry("dist/assets/chunks/setup-AAAA1111.js", "dist/assets/app-CCCC3333.js");
    expect(a).toMatch(/^dist\/assets\/chunks\/setup-[0-9A-F]{8}\.js$/);
    expect(b).not.toBe(a);
    expect(nameWithEntry("dist/assets/chunks/setup-DDDD4444.js", "dist/assets/app-BBBB2222.js")).not.toBe(a);
    expect(() => nameWithEntry("dist/assets/chunks/setup.js", "dist/assets/app-BBBB2222.js")).toThrow(
      /no content hash/,
    );
  });

  it("renaming a chunk renames the chunks that import it, but not the page's file", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "build-ui-rename-"));
    const app = path.join(dir, "app-AAAA1111.js");
    const a = path.join(dir, "chunks/a-BBBB2222.js");
    const b = path.join(dir, "chunks/b-CCCC3333.js");
    mkdirSync(path.dirname(a));
    writeFileSync(app, 'import("./chunks/a-BBBB2222.js");import("./chunks/b-CCCC3333.js");');
    writeFileSync(a, 'import"../app-AAAA1111.js";import("./b-CCCC3333.js");');
    writeFileSync(b, 'import"../app-AAAA1111.js";');
    const out = (imports: string[]) => ({
      bytes: 0,
      inputs: {},
      exports: [],
      imports: imports.map((p) => ({ path: p, kind: "dynamic-import" as const })),
    });
    const metafile = { inputs: {}, outputs: { [app]: out([a, b]), [a]: out([b]), [b]: out([]) } };
    const b2 = nameWithEntry(b, app);
    await rename(metafile, b, b2, app);
    const a2 = nameWithEntry(a, app);
    expect(Object.keys(metafile.outputs).sort()).toEqual([app, a2, b2].sort());
    expect(readFileSync(a2, "utf8")).toContain(`import("./${path.basename(b2)}")`);
    expect(readFileSync(app, "utf8")).toBe(
      `import("./chunks/${path.basename(a2)}");import("./chunks/${path.basename(b2)}");`,
    );
    expect(existsSync(a) || existsSync(b)).toBe(false);
  });

  it("fails loudly when marked's file is not shaped as the cut expects", () => {
    expect(markedLexerOnly(MARKED)).toMatch(/export\{\w+ as Lexer\};\n$/);
    const broken = [
      MARKED.replace(/export\{[^}]*\};/, ""),
      MARKED.replace(/ as Lexer,/, " as Lexer2,"),
      // Two default instances: which one would the cut start at?
      MARKED.replace(/(var \w+=new \w+;)(?=function \w+\(\w+,\w+\)\{return \w+\.parse\()/, "$1$1"),
      MARKED.replace(/var (\w+)=class (\w+)\{tokens;/, "var $1=function $2(){};({tokens:0,"),
    ];
    for (const source of broken) {
      expect(source).not.toBe(MARKED);
      expect(() => markedLexerOnly(source)).toThrow(/markedLexerOnly in scripts\/build-ui\.mjs/);
    }
  });

  it("gives short ids to keys and to templates' prefixes, not to gateway names used as such", () => {
    const english =
      'export const en = {\n  "a.one": "One",\n  "a.two": "Two",\n  "rpc.call": "Call",\n  "theme.dark": "Dark",\n  "err.x": "X",\n  "a.table": "T",\n  "rpc.label": "L",\n};\n';
    const app = [
      'const x = t("a.one"); c.t("a.two", { n: 1 }); ts(\n  "a.one")',
      'conn.request("rpc.call"); t("rpc.call"); t("theme.dark"); t(`theme.${name}`)',
      't("err.x"); t(("err." + code) as MessageKey)',
      'const rows = [{ label: \'a.table\' }]; t(on ? "a.one" : `a.two`); t("rpc.label")',
    ];
    const ids = messageKeyIds([english], app, new Set(["rpc.call", "rpc.label", "err.y"]));
    expect([...ids]).toEqual([
      ["theme.", "a."],
      ["theme.dark", "a.dark"],
      ["a.one", "b"],
      ["a.two", "c"],
      ["a.table", "d"],
      ["rpc.label", "e"],
    ]);
    expect(withMessageIds(app[0] as string, ids, false)).toBe(
      'const x = t("b"); c.t("c", { n: 1 }); ts(\n  "b")',
    );
    expect(withMessageIds(app[1] as string, ids, false)).toBe(
      'conn.request("rpc.call"); t("rpc.call"); t("a.dark"); t(`a.${name}`)',
    );
    // "err." stays: a gateway name starts with it.
    expect(withMessageIds(app[2] as string, ids, false)).toBe(app[2]);
    expect(withMessageIds(app[3] as string, ids, false)).toBe(
      'const rows = [{ label: \'d\' }]; t(on ? "b" : `c`); t("e")',
    );
    expect(withMessageIds(english, ids, true)).toContain(
      '  b: "One",\n  c: "Two",\n  "rpc.call": "Call",\n  "a.dark": "Dark",\n  "err.x": "X",',
    );
  });

  it("the built catalogues hold every key, each under its id or its name, and the code agrees", async () => {
    const read = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.tsx?$/.test(f))
        .map((f) => path.join(dir, f));
    const catalogue = /i18n\/(setup\/)?(en|zh-Hans|zh-Hant)\.ts$/;
    const files = read("ui/src");
    const english = ["ui/src/i18n/en.ts", "ui/src/i18n/setup/en.ts"].map((f) => readFileSync(f, "utf8"));
    const ids = messageKeyIds(
      english,
      files.filter((f) => !catalogue.test(f)).map((f) => readFileSync(f, "utf8")),
      await gatewayNames(),
    );
    expect(ids.size).toBeGreaterThan(300);
    const code = jsOutputs().map((f) => readFileSync(f, "utf8"));
    for (const [key, id] of ids) {
      expect(code.some((c) => c.includes(`"${key}"`))).toBe(false);
      // A key under a template's prefix may be asked for only through the template.
      if (!id.includes(".")) expect(code.some((c) => c.includes(`"${id}"`))).toBe(true);
      if (key.endsWith(".")) expect(code.some((c) => c.includes(key))).toBe(false);
    }
    for (const [i, text] of english.entries()) {
      const keys = [...text.matchAll(/^\s*"([\w.-]+)":/gm)].map((m) => m[1] as string);
      const expected = keys.map((k) => ids.get(k) ?? k).sort();
      const chunks = jsOutputs().filter((f) =>
        Object.keys(built.metafile.outputs[f]?.inputs ?? {}).some((input) =>
          i === 0
            ? /i18n\/(en|zh-Hans|zh-Hant)\.ts$/.test(input)
            : /i18n\/setup\/(en|zh-Hans|zh-Hant)\.ts$/.test(input),
        ),
      );
      expect(chunks).toHaveLength(3);
      for (const chunk of chunks) {
        const mod = (await import(pathToFileURL(path.resolve(chunk)).href)) as Record<string, object>;
        const [messages] = Object.values(mod);
        expect(Object.keys(messages ?? {}).sort()).toEqual(expected);
      }
    }
    // Those that keep their names: RPC method names, and keys built from a template.
    expect(ids.has("sessions.reset")).toBe(false);
    expect(ids.get("theme.dark")).toMatch(/^\w+\.dark$/);
    // Keys held in tables are compacted too.
    expect(ids.has("nav.chat")).toBe(true);
    expect(ids.has("config.section.agents")).toBe(true);
  });
});
