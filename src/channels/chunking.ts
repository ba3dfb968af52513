/**
 * Splits a reply into messages a chat app accepts: each at most `limit` characters
 * and `maxLines` lines. Prefers paragraph, then line, then word boundaries; never
 * cuts inside a word unless the word alone exceeds the limit. A code fence that
 * spans a cut is closed at the end of one chunk and reopened (same language) at the
 * start of the next, so every chunk renders as valid Markdown.
 */
export function chunkText(text: string, opts: { limit: number; maxLines?: number }): string[] {
  const { limit } = opts;
  const maxLines = opts.maxLines ?? Number.POSITIVE_INFINITY;
  if (limit < 20) throw new Error(`chunk limit must be at least 20 characters (got ${limit})`);
  const chunks: string[] = [];
  let rest = text.replace(/\s+$/, "");
  let reopen = ""; // fence opener to prepend to the next chunk ("```ts\n")
  while (rest.length > 0) {
    const body = reopen + rest;
    if (body.length <= limit && countLines(body) <= maxLines) {
      chunks.push(body);
      break;
    }
    // Room for a closing fence we may have to append.
    const budget = limit - 4;
    let cut = findCut(body, budget, maxLines, reopen.length);
    // The closing fence we append takes a line of its own: keep one free for it.
    if (maxLines > 2 && openFence(body.slice(0, cut)) !== undefined) {
      if (countLines(body.slice(0, cut).replace(/\s+$/, "")) >= maxLines) {
        cut = findCut(body, budget, maxLines - 1, reopen.length);
      }
    }
    if (cut <= reopen.length) {
      // No room for any content after the reopened fence (tiny maxLines): go on without it.
      reopen = "";
      continue;
    }
    let chunk = body.slice(0, cut).replace(/\s+$/, "");
    const open = openFence(chunk);
    if (open !== undefined) {
      chunk += "\n```";
      reopen = `\`\`\`${open}\n`;
    } else {
      reopen = "";
    }
    // A fence that only just opened has nothing inside yet: move the opener to the next chunk.
    if (chunk.replace(/```\S*\n?```$/, "").trim() === "") {
      cut = Math.max(cut, 1);
      chunk = "";
    }
    if (chunk) chunks.push(chunk);
    rest = body.slice(cut).replace(/^\n+/, "");
    if (reopen && /^```[ \t]*(\n|$)/.test(rest)) {
      // The next chunk starts by closing the fence itself: no need to reopen.
      rest = rest.replace(/^```[ \t]*(\n|$)/, "");
      reopen = "";
    }
  }
  return chunks;
}

function countLines(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/** Index to cut `body` at: the best boundary within `budget` chars and `maxLines` lines. */
function findCut(body: string, budget: number, maxLines: number, minIndex: number): number {
  let end = Math.min(body.length, budget);
  if (Number.isFinite(maxLines)) {
    let lines = 1;
    for (let i = 0; i < end; i++) {
      if (body.charCodeAt(i) === 10 && ++lines > maxLines) {
        end = i;
        break;
      }
    }
  }
  if (end >= body.length) return body.length;
  const window = body.slice(0, end + 1);
  const floor = Math.max(minIndex + 1, Math.floor(end * 0.3));
  const paragraph = window.lastIndexOf("\n\n");
  if (paragraph >= floor) return paragraph;
  const line = window.lastIndexOf("\n");
  if (line >= floor) return line;
  const space = window.lastIndexOf(" ");
  if (space >= floor) return space + 1;
  return end; // One unbreakable run longer than the limit: hard cut.
}

/** The language of a code fence left open at the end of `s` ("" for none given), else undefined. */
function openFence(s: string): string | undefined {
  let open: string | undefined;
  for (const line of s.split("\n")) {
    if (open === undefined) {
      const m = /^\s*```(\S*)/.exec(line);
      if (m) open = m[1] ?? "";
    } else if (/^\s*```\s*$/.test(line)) {
      open = undefined;
    }
  }
  return open;
}
