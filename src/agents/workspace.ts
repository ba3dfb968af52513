import { mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode } from "../infra/fs.js";

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

/** The bootstrap files as one prompt section each, truncated to the caps; a missing file is marked. */
export async function loadBootstrap(
  dir: string,
  opts: { maxChars?: number; totalMaxChars?: number } = {},
): Promise<string> {
  const maxChars = opts.maxChars ?? BOOTSTRAP_MAX_CHARS;
  let budget = opts.totalMaxChars ?? BOOTSTRAP_TOTAL_MAX_CHARS;
  const sections: string[] = [];
  for (const name of BOOTSTRAP_FILES) {
    let body: string;
    try {
      body = await readFile(path.join(dir, name), "utf8");
    } catch (err) {
      if (!isErrnoCode(err, "ENOENT")) throw err;
      sections.push(`## ${name}\n[missing file]`);
      continue;
    }
    const limit = Math.min(maxChars, budget);
    if (body.length > limit)
      body = `${body.slice(0, limit)}\n[truncated: ${name} is ${body.length} characters]`;
    budget -= Math.min(body.length, budget);
    sections.push(`## ${name}\n${body.trim()}`);
  }
  return sections.join("\n\n");
}

/**
 * The bootstrap prompt per workspace, read once and again only when a file changed
 * (checked by size and mtime): a turn costs five stat calls, not five reads.
 */
export class BootstrapCache {
  private readonly entries = new Map<string, { signature: string; text: string }>();
  private readonly ensured = new Set<string>();

  async load(dir: string): Promise<string> {
    if (!this.ensured.has(dir)) {
      await ensureWorkspace(dir);
      this.ensured.add(dir);
    }
    const stats = await Promise.all(
      BOOTSTRAP_FILES.map((name) => stat(path.join(dir, name)).catch(() => undefined)),
    );
    const signature = stats.map((s) => (s ? `${s.size}:${s.mtimeMs}` : "-")).join("|");
    const cached = this.entries.get(dir);
    if (cached?.signature === signature) return cached.text;
    const text = await loadBootstrap(dir);
    this.entries.set(dir, { signature, text });
    return text;
  }
}
