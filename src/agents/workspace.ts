import { mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode } from "../infra/fs.js";
import { dailyNotePaths, MEMORY_FILES } from "../memory/index.js";

/** Loaded into every system prompt, in this order (OpenClaw's workspace files). */
export const BOOTSTRAP_FILES = ["AGENTS.md", "SOUL.md", "USER.md", "IDENTITY.md", "TOOLS.md"] as const;

const DEFAULT_CONTENT: Record<(typeof BOOTSTRAP_FILES)[number], string> = {
  "AGENTS.md": `# AGENTS.md

You are a personal assistant running on the user's own gateway. This folder is
your workspace: keep notes and files here. Be concise in chat; use tools when they
help; never invent facts about the user's files or accounts.
`,
  "SOUL.md": `# SOUL.md

Warm, direct and practical. Prefer short answers; offer detail when asked.
`,
  "USER.md": `# USER.md

Facts about the user (name, time zone, preferences). Edit this file to teach the
assistant about yourself.
`,
  "IDENTITY.md": `# IDENTITY.md

Name: OpenClaw
`,
  "TOOLS.md": `# TOOLS.md

Notes on how to use the tools in this workspace (guidance only; the tool list
itself comes from the gateway's tool policy).
`,
};

/** Per-file and total caps on what the workspace adds to the prompt (OpenClaw's defaults). */
export const BOOTSTRAP_MAX_CHARS = 20_000;
export const BOOTSTRAP_TOTAL_MAX_CHARS = 150_000;

/**
 * Creates the workspace and any missing bootstrap file (never overwriting one the
 * user edited). Returns the files created.
 */
export async function ensureWorkspace(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const created: string[] = [];
  for (const name of BOOTSTRAP_FILES) {
    try {
      const handle = await open(path.join(dir, name), "wx", 0o644);
      await handle.writeFile(DEFAULT_CONTENT[name]);
      await handle.close();
      created.push(name);
    } catch (err) {
      if (!isErrnoCode(err, "EEXIST")) throw err;
    }
  }
  return created;
}

export interface BootstrapOptions {
  maxChars?: number;
  totalMaxChars?: number;
  /**
   * Whether MEMORY.md is loaded: only in private (direct) sessions, as in OpenClaw, so a
   * group chat never sees the owner's long-term memory.
   */
  includeLongTermMemory?: boolean;
  /** Today, for the daily notes (today's and yesterday's `memory/YYYY-MM-DD.md`). */
  now?: Date;
}

/** What the workspace adds to the prompt, and which files were cut to fit (reported, never silent). */
export interface Bootstrap {
  text: string;
  truncated: string[];
}

/**
 * The bootstrap files as one prompt section each, then MEMORY.md (private sessions)
 * and the daily notes of yesterday and today when they exist, all truncated to the
 * caps; a missing bootstrap file is marked, a missing memory file is simply absent.
 */
export async function loadBootstrap(dir: string, opts: BootstrapOptions = {}): Promise<Bootstrap> {
  const maxChars = opts.maxChars ?? BOOTSTRAP_MAX_CHARS;
  let budget = opts.totalMaxChars ?? BOOTSTRAP_TOTAL_MAX_CHARS;
  const sections: string[] = [];
  const truncated: string[] = [];
  const add = (name: string, body: string) => {
    const limit = Math.min(maxChars, budget);
    if (body.length > limit) {
      truncated.push(name);
      body = `${body.slice(0, limit)}\n[truncated: ${name} is ${body.length} characters; read the file for the rest]`;
    }
    budget -= Math.min(body.length, budget);
    sections.push(`## ${name}\n${body.trim()}`);
  };
  for (const name of BOOTSTRAP_FILES) {
    const body = await readOptional(path.join(dir, name));
    if (body === undefined) sections.push(`## ${name}\n[missing file]`);
    else add(name, body);
  }
  for (const name of memoryFilesFor(opts)) {
    const body = await readOptional(path.join(dir, name));
    if (body?.trim()) add(name, body);
  }
  return { text: sections.join("\n\n"), truncated };
}

/** The memory files a session loads, in prompt order. */
function memoryFilesFor(opts: BootstrapOptions): string[] {
  return [
    ...(opts.includeLongTermMemory ? [MEMORY_FILES[0]] : []),
    ...dailyNotePaths(opts.now ?? new Date()),
  ];
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return undefined;
    throw err;
  }
}

/**
 * The bootstrap prompt per workspace and kind of session, read once and again only
 * when a file changed (checked by size and mtime): a turn costs a few stat calls, not
 * a few reads. A truncation is logged once per change of the files.
 */
export class BootstrapCache {
  private readonly entries = new Map<string, { signature: string; text: string }>();
  private readonly ensured = new Set<string>();

  constructor(private readonly onTruncated?: (dir: string, files: string[]) => void) {}

  /** `light`: the workspace is still created, but no file goes into the prompt (OpenClaw's lightContext). */
  async load(
    dir: string,
    opts: { includeLongTermMemory: boolean; light?: boolean; now?: Date },
  ): Promise<string> {
    if (!this.ensured.has(dir)) {
      await ensureWorkspace(dir);
      this.ensured.add(dir);
    }
    if (opts.light) return "";
    const names = [...BOOTSTRAP_FILES, ...memoryFilesFor(opts)];
    const stats = await Promise.all(names.map((name) => stat(path.join(dir, name)).catch(() => undefined)));
    const signature = names
      .map((n, i) => `${n}:${stats[i] ? `${stats[i].size}:${stats[i].mtimeMs}` : "-"}`)
      .join("|");
    const key = `${opts.includeLongTermMemory ? "private" : "group"}:${dir}`;
    const cached = this.entries.get(key);
    if (cached?.signature === signature) return cached.text;
    const { text, truncated } = await loadBootstrap(dir, opts);
    if (truncated.length) this.onTruncated?.(dir, truncated);
    this.entries.set(key, { signature, text });
    return text;
  }
}
