import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * A small, offline Markdown link checker: relative links must name an existing file
 * (and `#anchor`s an existing heading there, slugged the way GitHub does); external
 * links are only checked for syntax. Code spans and fenced blocks are skipped.
 */

export interface LinkProblem {
  file: string;
  line: number;
  link: string;
  problem: string;
}

const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^()\s<>]+(?:\([^()\s]*\))?)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const AUTOLINK = /<(https?:\/\/[^>\s]+)>/g;
const HTML_ANCHOR = /<a\s+(?:id|name)="([^"]+)"/g;

/** Lines outside fenced code blocks, with inline code spans blanked out; 1-based line numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((raw, i) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    out.push({ line: i + 1, text: raw.replace(/(`+)(?:(?!\1).)+?\1/g, (m) => " ".repeat(m.length)) });
  });
  return out;
}

/** GitHub's heading id: lower case, punctuation dropped (letters of any script kept), spaces → `-`. */
export function githubSlug(heading: string): string {
  const visible = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images show their text
    .replace(/[`*]/g, "")
    .replace(/<[^>]+>/g, "")
    .trim()
    .toLowerCase();
  return visible.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
}

/** Every anchor a Markdown file offers: heading slugs (duplicates get `-1`, `-2`, …) and HTML ids. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const raw of text.split("\n")) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence || marker) {
      if (!fence) fence = marker;
      else if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    for (const m of raw.matchAll(HTML_ANCHOR)) anchors.add(m[1]!);
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function checkExternal(link: string): string | undefined {
  if (link.startsWith("mailto:"))
    return /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/.test(link) ? undefined : "bad mailto";
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return "not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `unexpected scheme ${url.protocol}`;
  return url.hostname.includes(".") ? undefined : "host has no domain";
}

/** Checks every link in `files` (absolute paths); root-relative links (`/x`) resolve against `root`. */
export function checkMarkdownLinks(files: readonly string[], root: string): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => {
    let anchors = anchorCache.get(file);
    if (!anchors) {
      anchors = anchorsOf(readFileSync(file, "utf8"));
      anchorCache.set(file, anchors);
    }
    return anchors;
  };

  for (const file of files) {
    const rel = path.relative(root, file);
    for (const { line, text } of proseLines(readFileSync(file, "utf8"))) {
      const links = [
        ...[...text.matchAll(INLINE_LINK)].map((m) => m[1]!),
        ...[...text.matchAll(AUTOLINK)].map((m) => m[1]!),
        ...(REFERENCE_DEFINITION.exec(text)?.slice(1, 2) ?? []),
      ];
      for (const link of links) {
        const report = (problem: string) => problems.push({ file: rel, line, link, problem });
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
          const problem = checkExternal(link);
          if (problem) report(problem);
          continue;
        }
        const [target = "", anchor] = link.split("#", 2);
        const resolved = target
          ? path.resolve(
              target.startsWith("/") ? root : path.dirname(file),
              decodeURI(target).replace(/^\//, ""),
            )
          : file;
        if (!existsSync(resolved)) {
          report(`${path.relative(root, resolved)} does not exist`);
          continue;
        }
        if (anchor === undefined) continue;
        if (!resolved.endsWith(".md") || statSync(resolved).isDirectory()) {
          report("anchor into a file that is not Markdown");
        } else if (!anchorsIn(resolved).has(decodeURIComponent(anchor))) {
          report(`no heading #${anchor} in ${path.relative(root, resolved)}`);
        }
      }
    }
  }
  return problems;
}

/** Markdown files under `dir`, recursively, sorted. */
export function markdownFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".md"))
    .map((name) => path.join(dir, name))
    .sort();
}
