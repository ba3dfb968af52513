/**
 * The Markdown models write → Telegram's HTML parse mode (`parse_mode: "HTML"`).
 * Telegram accepts a handful of tags (b, i, s, u, code, pre, a, blockquote) and only
 * the entities &lt; &gt; &amp; &quot;. Anything we get wrong is rejected by Telegram
 * ("can't parse entities"), and the sender then falls back to plain text.
 */

const FENCE = /^\s*```(\S*)\s*$/;

/** Converts one chunk of Markdown (fences balanced, as chunkText leaves them) to Telegram HTML. */
export function markdownToTelegramHtml(markdown: string): string {
  const out: string[] = [];
  const prose: string[] = [];
  let code: string[] | undefined;
  let language = "";
  const flushProse = () => {
    if (prose.length > 0) out.push(prose.map(inlineToHtml).join("\n"));
    prose.length = 0;
  };
  for (const line of markdown.split("\n")) {
    const fence = FENCE.exec(line);
    if (code === undefined && fence) {
      flushProse();
      code = [];
      language = fence[1] ?? "";
    } else if (code !== undefined && fence && !fence[1]) {
      out.push(codeBlock(code.join("\n"), language));
      code = undefined;
    } else if (code !== undefined) {
      code.push(line);
    } else {
      prose.push(line);
    }
  }
  flushProse();
  // A fence left open runs to the end, as Markdown renders it.
  if (code !== undefined) out.push(codeBlock(code.join("\n"), language));
  return out.join("\n");
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function codeBlock(body: string, language: string): string {
  const cls = /^[\w+#.-]+$/.test(language) ? ` class="language-${language}"` : "";
  return `<pre><code${cls}>${escapeHtml(body)}</code></pre>`;
}

/** One line of prose: inline code and links are set aside first so nothing inside them is styled. */
function inlineToHtml(line: string): string {
  const held: string[] = [];
  const hold = (html: string) => `\u0000${held.push(html) - 1}\u0000`;
  let text = line.replace(/\u0000/g, "");
  text = text.replace(/`([^`\n]+)`/g, (_, body: string) => hold(`<code>${escapeHtml(body)}</code>`));
  text = text.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_, label: string, url: string) =>
    hold(`<a href="${escapeHtml(url).replace(/"/g, "&quot;")}">${styleInline(escapeHtml(label))}</a>`),
  );
  const heading = /^#{1,6}\s+(.*)$/.exec(text);
  text = heading ? `<b>${styleInline(escapeHtml(heading[1]!))}</b>` : styleInline(escapeHtml(text));
  return text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => held[Number(i)]!);
}

/** Bold, italics and strike-through on already escaped text. */
function styleInline(text: string): string {
  return text
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, "<b>$1</b>")
    .replace(/(^|[^\w])__(?=\S)([^_]*?\S)__(?!\w)/g, "$1<b>$2</b>")
    .replace(/~~(?=\S)([^~]*?\S)~~/g, "<s>$1</s>")
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])\*(?!\*)/g, "$1<i>$2</i>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, "$1<i>$2</i>");
}
