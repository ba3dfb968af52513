import type { Metafile } from "esbuild";

/** Builds the Control UI into `outdir` (default dist/control-ui); paths of its JS and CSS entry files. */
export function buildControlUi(options?: { outdir?: string }): Promise<{
  js: string;
  css: string;
  metafile: Metafile;
}>;
/** marked's lib/marked.esm.js cut to its Lexer; throws if the file is not shaped as expected. */
export function markedLexerOnly(source: string): string;
