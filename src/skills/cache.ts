import { readFileSync, statSync } from "node:fs";
import { writeFileAtomic } from "../infra/fs.js";
import { frontmatterFromCache, type SkillFrontmatter } from "./frontmatter.js";

/**
 * Parsed SKILL.md frontmatter kept on disk between runs, keyed by path and the file's
 * size, mtime and ctime. A restarted gateway whose skills did not change never loads
 * the YAML parser: loading it and parsing 50 skills leaves ~6 MB of resident memory
 * that the allocator does not give back (bench/memory-rss.mjs).
 */

/** Bumped when the parsing rules or the kept shape change: a cache of another version is ignored. */
const CACHE_VERSION = 1;
/**
 * A cache larger than this is neither read nor written (the skills are then parsed as
 * without a cache): a few hundred skills' frontmatter is tens of KiB, so only
 * pathological descriptions reach it.
 */
export const MAX_CACHE_BYTES = 2 * 1024 * 1024;

/** One SKILL.md as last seen: its frontmatter, or the one-sentence problem that made it unusable. */
export type ParsedEntry = { signature: string; parsed?: SkillFrontmatter; error?: string };

/** What changes when a file is written: size, mtime, and ctime (which `touch -d` or rsync cannot set back). */
export function fileSignature(stat: { size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/** The cached entries, or an empty map when the file is missing, too large, or not one we wrote. */
export function readFrontmatterCache(file: string): Map<string, ParsedEntry> {
  const entries = new Map<string, ParsedEntry>();
  try {
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_CACHE_BYTES) return entries;
    const data = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown; entries?: unknown };
    if (data.version !== CACHE_VERSION || typeof data.entries !== "object" || !data.entries) return entries;
    for (const [path, raw] of Object.entries(data.entries as Record<string, ParsedEntry>)) {
      if (typeof raw?.signature !== "string") continue;
      if (typeof raw.error === "string") entries.set(path, { signature: raw.signature, error: raw.error });
      else {
        const parsed = frontmatterFromCache(raw.parsed);
        if (parsed) entries.set(path, { signature: raw.signature, parsed });
      }
    }
  } catch {
    // Missing or torn: the skills are parsed again and the cache rewritten.
  }
  return entries;
}

/** Writes the entries atomically (owner-only, like the rest of the state dir); skipped when too large. */
export async function writeFrontmatterCache(file: string, entries: ReadonlyMap<string, ParsedEntry>) {
  const text = JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(entries) });
  if (text.length > MAX_CACHE_BYTES) return;
  await writeFileAtomic(file, text);
}
