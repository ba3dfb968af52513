import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";

/** The long-term memory file at the workspace root (OpenClaw also accepts the lowercase name). */
export const MEMORY_FILES = ["MEMORY.md", "memory.md"] as const;
/** Daily notes live here as `YYYY-MM-DD.md`; any other Markdown below it is indexed too. */
export const MEMORY_DIR = "memory";
/** A note larger than this is indexed in its first part only (5 MB of notes is the design scale). */
export const MAX_INDEXED_FILE_BYTES = 2 * 1024 * 1024;
/** Directory depth followed under memory/ (deeper trees are almost always a mistake, e.g. a copied repo). */
const MAX_DEPTH = 6;

export interface MemoryFileStat {
  /** Workspace-relative, forward slashes (`memory/2026-01-02.md`); joined to the workspace when read. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Whether a workspace-relative path names a memory file (the only files memory tools touch). */
export function isMemoryPath(rel: string): boolean {
  const norm = path.posix.normalize(rel.replaceAll("\\", "/"));
  if (norm.startsWith("../") || path.posix.isAbsolute(norm)) return false;
  if ((MEMORY_FILES as readonly string[]).includes(norm)) return true;
  return norm.startsWith(`${MEMORY_DIR}/`) && norm.endsWith(".md");
}

/** Whether the path is the private long-term file (kept out of group sessions). */
export function isLongTermMemory(rel: string): boolean {
  return (MEMORY_FILES as readonly string[]).includes(path.posix.normalize(rel));
}

/**
 * Lists the workspace's memory files with size and mtime, synchronously (a few µs per
 * file: 2,000 notes cost a couple of milliseconds). Symlinks are skipped, so nothing
 * outside the workspace is ever indexed.
 */
export function listMemoryFiles(workspace: string, dirs: string[] = []): MemoryFileStat[] {
  const found: MemoryFileStat[] = [];
  dirs.push(workspace);
  for (const name of MEMORY_FILES) {
    const stat = lstatSync(path.join(workspace, name), { throwIfNoEntry: false });
    if (stat?.isFile()) found.push({ path: name, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  walk(workspace, MEMORY_DIR, 0, found, dirs);
  return found;
}

/**
 * Collects the memory files under `rel`, and in `dirs` the folders it read (for the watcher).
 * Plain names, not Dirent objects: 2,000 Dirents alive through the loop made V8 grow its young
 * generation by ~2 MB that stays resident (bench/memory-rss.mjs); the lstat tells the type anyway.
 */
function walk(workspace: string, rel: string, depth: number, out: MemoryFileStat[], dirs: string[]): void {
  if (depth > MAX_DEPTH) return;
  const dir = path.join(workspace, rel);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // No memory/ folder yet.
  }
  dirs.push(dir);
  for (const name of names) {
    const stat = lstatSync(path.join(dir, name), { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      if (!name.startsWith(".")) walk(workspace, `${rel}/${name}`, depth + 1, out, dirs);
    } else if (stat?.isFile() && name.endsWith(".md"))
      out.push({ path: `${rel}/${name}`, size: stat.size, mtimeMs: stat.mtimeMs });
  }
}

/** `YYYY-MM-DD` in local time (daily notes follow the user's calendar, as OpenClaw's do). */
export function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Today's and yesterday's daily note paths, yesterday first (the order they are read in). */
export function dailyNotePaths(now: Date): string[] {
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  return [`${MEMORY_DIR}/${localDate(yesterday)}.md`, `${MEMORY_DIR}/${localDate(now)}.md`];
}
