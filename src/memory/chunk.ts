/**
 * Markdown split into overlapping line ranges for search. OpenClaw chunks at ~400 tokens
 * with ~80 tokens of overlap; at ~4 characters a token that is 1,600 and 320 characters.
 */
export const CHUNK_MAX_CHARS = 1_600;
export const CHUNK_OVERLAP_CHARS = 320;

export interface Chunk {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
}

/** Splits text into chunks of whole lines; a line longer than a chunk is a chunk of its own. */
export function chunkMarkdown(body: string): Chunk[] {
  const lines = body.split("\n");
  if (lines.length > 1 && lines.at(-1) === "") lines.pop(); // the final newline ends a line, it does not start one
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let size = 0;
    while (end < lines.length && (end === start || size + lines[end]!.length + 1 <= CHUNK_MAX_CHARS)) {
      size += lines[end]!.length + 1;
      end++;
    }
    const text = lines.slice(start, end).join("\n");
    if (text.trim()) chunks.push({ startLine: start + 1, endLine: end, text });
    if (end >= lines.length) break;
    // Step back over the overlap, but always move forward by at least one line.
    let next = end;
    let overlap = 0;
    while (next - 1 > start && overlap + lines[next - 1]!.length + 1 <= CHUNK_OVERLAP_CHARS) {
      overlap += lines[next - 1]!.length + 1;
      next--;
    }
    start = next;
  }
  return chunks;
}

/** Han, kana and Hangul have no spaces between words: each character is a term of its own. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}_]+/gu;
/** Longer "words" are hashes, base64 or URLs: not worth a posting each. */
const MAX_TERM_CHARS = 64;

/** Lower-cased search terms of a text (letters and digits; CJK one character per term). */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (!CJK.test(word)) {
      if (word.length <= MAX_TERM_CHARS) terms.push(word);
      continue;
    }
    let run = "";
    for (const ch of word) {
      if (CJK.test(ch)) {
        if (run) terms.push(run);
        run = "";
        terms.push(ch);
      } else run += ch;
    }
    if (run && run.length <= MAX_TERM_CHARS) terms.push(run);
  }
  return terms;
}
