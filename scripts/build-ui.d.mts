import type { Metafile } from "esbuild";

/** Builds the Control UI into `outdir` (default dist/control-ui); paths of its JS and CSS entry files. */
export function buildControlUi(options?: { outdir?: string; sourcemap?: boolean }): Promise<{
  js: string;
  css: string;
  metafile: Metafile;
}>;
/** marked's lib/marked.esm.js cut to its Lexer; throws if the file is not shaped as expected. */
export function markedLexerOnly(source: string): string;
/** Message key → short id, for every key not a gateway name used as such nor built from a template. */
export function messageKeyIds(
  englishCatalogues: string[],
  sources: string[],
  reserved?: Set<string>,
): Map<string, string>;
/** Every dotted name quoted in the gateway's sources (src/, tests excluded). */
export function gatewayNames(): Promise<Set<string>>;
/** A ui/src file with the keys `ids` names written as their ids. */
export function withMessageIds(text: string, ids: Map<string, string>, isCatalogue: boolean): string;
/** A lazy chunk's file name, its hash now also covering the page entry's name it imports. */
export function nameWithEntry(chunk: string, entry: string): string;
/** marked's Lexer source without its pedantic and breaks modes; throws if not shaped as expected. */
export function markedWithoutPedantic(source: string): string;
/** marked's Lexer source reading no extensions and no hooks; throws if it reads neither. */
export function markedWithoutExtensions(source: string): string;
/** marked's Lexer source tree-shaken, without the shared rules nothing left reads. */
export function markedWithoutUnusedRules(source: string): Promise<string>;
/** Renames a built file and every import of it; importers (not `entry`) are renamed in turn. */
export function rename(metafile: Metafile, from: string, to: string, entry: string): Promise<void>;
