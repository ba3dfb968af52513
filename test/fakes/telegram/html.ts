/**
 * Telegram's HTML parse mode, as strict as the real Bot API: only its tags, only its
 * entities, properly nested. Returns the visible text, or Telegram's error text
 * ("Bad Request: can't parse entities: …") for markup Telegram would reject.
 */

const TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);
const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export type ParsedHtml = { ok: true; text: string } | { ok: false; description: string };

const fail = (reason: string): ParsedHtml => ({
  ok: false,
  description: `Bad Request: can't parse entities: ${reason}`,
});

export function parseTelegramHtml(html: string): ParsedHtml {
  const open: string[] = [];
  let text = "";
  let i = 0;
  const offset = (at: number) => Buffer.byteLength(html.slice(0, at));
  while (i < html.length) {
    const c = html[i]!;
    if (c === "&") {
      const m = /^&(#\d+|#x[\da-f]+|[a-z]+);/i.exec(html.slice(i));
      if (!m) return fail(`Character '&' is reserved and must be escaped at byte offset ${offset(i)}`);
      const name = m[1]!;
      if (name.startsWith("#")) {
        const code =
          name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        text += String.fromCodePoint(code);
      } else if (ENTITIES[name] !== undefined) {
        text += ENTITIES[name];
      } else {
        return fail(`Unsupported HTML entity "${name}" at byte offset ${offset(i)}`);
      }
      i += m[0].length;
      continue;
    }
    if (c === ">") return fail(`Character '>' is reserved and must be escaped at byte offset ${offset(i)}`);
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const end = html.indexOf(">", i);
    if (end < 0) return fail(`Unclosed start tag at byte offset ${offset(i)}`);
    const tag = html.slice(i + 1, end);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim().toLowerCase();
      if (open.length === 0) return fail(`Unexpected end tag at byte offset ${offset(i)}`);
      if (open.at(-1) !== name) {
        return fail(`Can't find end tag corresponding to start tag "${open.at(-1)}"`);
      }
      open.pop();
    } else {
      const name = /^([a-z-]*)/i.exec(tag)![1]!.toLowerCase();
      if (!TAGS.has(name)) return fail(`Unsupported start tag "${name}" at byte offset ${offset(i)}`);
      open.push(name);
    }
    i = end + 1;
  }
  if (open.length > 0) return fail(`Can't find end tag corresponding to start tag "${open.at(-1)}"`);
  return { ok: true, text };
}
