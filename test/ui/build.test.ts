import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Lexer } from "marked";
import { beforeAll, describe, expect, it } from "vitest";
import { buildControlUi, markedLexerOnly } from "../../scripts/build-ui.mjs";

const MARKED = readFileSync("node_modules/marked/lib/marked.esm.js", "utf8");

/** GitHub-flavoured markdown the chat renders: tables, task lists, strikethrough, autolinks. */
const GFM = [
  "| city | temp |\n|:-----|-----:|\n| Oslo | 3 |\n| Rome | 14 |",
  "- [x] done\n- [ ] to do\n  1. nested *em* and **strong**",
  "~~gone~~ and ~kept~ and `code ~~not~~`",
  "see https://example.com/docs, www.example.org and mail a@b.io or <https://x.y/z>",
  '# Title\n\n> quote\n\n```ts\nconst x = 1;\n```\n\n---\n\n[link](https://a.b "t") ![img](data:image/png;base64,AA==)',
  "line one  \nline two\\\n<b>raw</b> &amp; &#39; [ref]\n\n[ref]: https://r.ef",
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
});
