/**
 * The Markdown models write → Slack's mrkdwn. Slack renders *bold*, _italic_, ~strike~,
 * `code`, ```blocks```, > quotes and <url|links>, and wants only &, < and > escaped.
 * Code (inline and fenced) passes through untouched apart from that escaping.
 */

const FENCE = /^\s*```/;

/** Converts one chunk of Markdown (fences balanced, as chunkText leaves them) to mrkdwn. */
export function markdownToMrkdwn(markdown: string): string {
  let inCode = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (FENCE.test(line)) {
        inCode = !inCode;
        // Slack ignores a language after the fence and would show it as text.
        return line.replace(/^(\s*```)\S*\s*$/, "$1");
      }
      return inCode ? escapeMrkdwn(line) : proseLine(line);
    })
    .join("\n");
}

/** Slack's three control characters (its docs: escape exactly these). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Undoes escapeMrkdwn: inbound text arrives escaped. */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function proseLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) return `*${inline(heading[1] ?? "")}*`;
  const quote = /^(\s*>\s?)(.*)$/.exec(line);
  if (quote) return `>${inline(quote[2] ?? "")}`;
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1]}• ${inline(bullet[2] ?? "")}`;
  return inline(line);
}

/** Inline spans outside code: code spans kept, links and emphasis rewritten. */
function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : emphasis(part)))
    .join("");
}

function emphasis(text: string): string {
  const links: string[] = [];
  // Links first, so their URLs are not touched by the emphasis rules below.
  let out = text.replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, (_, label: string, url: string) => {
    links.push(`<${url.replace(/\|/g, "%7C")}|${escapeMrkdwn(label)}>`);
    return `\u0000${links.length - 1}\u0000`;
  });
  out = escapeMrkdwn(out)
    .replace(/\*\*(?=\S)([^*\n]+?)\*\*/g, "\u0001$1\u0001")
    .replace(/__(?=\S)([^_\n]+?)__/g, "\u0001$1\u0001")
    .replace(/(^|[^*\w])\*(?=\S)([^*\n]+?)\*(?!\w)/g, "$1_$2_")
    .replace(/~~(?=\S)([^~\n]+?)~~/g, "~$1~")
    .replace(/\u0001/g, "*");
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => links[Number(i)] ?? "");
}

/** The chunk as plain text: what Slack gets when it refuses the formatted one. */
export function markdownToPlain(markdown: string): string {
  return markdown
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, "$1 ($2)")
    .replace(/\*\*([^*\n]+)\*\*/g, "$1")
    .replace(/~~([^~\n]+)~~/g, "$1");
}
