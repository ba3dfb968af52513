import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";
import { openDatabase } from "../infra/sqlite.js";

/** Longest group name (a session's `category`): a sidebar header, not a paragraph. */
export const MAX_GROUP_NAME_CHARS = 128;
/** Most groups in the catalog (OpenClaw's `sessions.groups.put` takes at most 200 names). */
export const MAX_GROUPS = 200;
/** The catalog file, in the state directory beside `openclaw.json`. */
export const GROUPS_FILE = "session-groups.json";
/** Where OpenClaw ≥ 2026.7 keeps its catalog (table `session_groups`), relative to the state directory. */
const OPENCLAW_STATE_DB = path.join("state", "openclaw.sqlite");

/** One catalog entry, as OpenClaw's `sessions.groups.*` answer it. */
export interface SessionGroup {
  name: string;
  position: number;
}

export class SessionGroupError extends Error {}

/** A group name as stored: trimmed, not empty, at most MAX_GROUP_NAME_CHARS; else a fix-it error. */
export function groupName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new SessionGroupError("a group name cannot be empty");
  if (name.length > MAX_GROUP_NAME_CHARS) {
    throw new SessionGroupError(
      `group name "${name.slice(0, 32)}…" is longer than ${MAX_GROUP_NAME_CHARS} characters`,
    );
  }
  return name;
}

/**
 * The gateway-owned catalog of custom session groups: names in display order. Membership
 * is each session's `category`, not here. Kept in one small JSON file, rewritten whole
 * and atomically on every change (a crash leaves the old catalog or the new one), and
 * changes are applied one at a time. On first open it starts from OpenClaw's catalog, if
 * its state database has one (read only: nothing of OpenClaw's is written).
 */
export class SessionGroupCatalog {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private names: string[],
  ) {}

  static async open(stateDir: string, log: Logger): Promise<SessionGroupCatalog> {
    const file = path.join(stateDir, GROUPS_FILE);
    let names: string[];
    try {
      const parsed = JSON.parse(await readFile(file, "utf8")) as { groups?: { name?: unknown }[] };
      names = (parsed.groups ?? []).flatMap((g) => (typeof g.name === "string" ? [g.name] : []));
    } catch (err) {
      if (!isErrnoCode(err, "ENOENT")) throw new Error(`${file}: ${(err as Error).message}`);
      names = readOpenClawCatalog(path.join(stateDir, OPENCLAW_STATE_DB), log);
    }
    return new SessionGroupCatalog(file, unique(names).slice(0, MAX_GROUPS));
  }

  list(): SessionGroup[] {
    return this.names.map((name, position) => ({ name, position }));
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** Runs `fn` after every change before it has finished (one change at a time). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Replaces the names and their order. Callers check first that no dropped group has members. */
  async replace(names: readonly string[]): Promise<void> {
    const next = unique(names.map(groupName));
    if (next.length > MAX_GROUPS) throw new SessionGroupError(`at most ${MAX_GROUPS} groups`);
    await this.save(next);
  }

  /** Adds `name` at the end unless it is there already (a category set on a session). */
  async register(name: string): Promise<void> {
    if (this.has(name)) return;
    if (this.names.length >= MAX_GROUPS) {
      throw new SessionGroupError(`at most ${MAX_GROUPS} groups: delete one before adding "${name}"`);
    }
    await this.save([...this.names, name]);
  }

  /** `from` becomes `to` in its place; renaming onto an existing group merges the two. */
  async rename(from: string, to: string): Promise<void> {
    const next = this.names.map((n) => (n === from ? to : n));
    await this.save(unique(next));
  }

  async remove(name: string): Promise<void> {
    await this.save(this.names.filter((n) => n !== name));
  }

  private async save(names: string[]): Promise<void> {
    const groups = names.map((name, position) => ({ name, position }));
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, groups }, null, 2)}\n`);
    this.names = names;
  }
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** OpenClaw's `session_groups` names in their order; none when the file or table is absent or unreadable. */
function readOpenClawCatalog(file: string, log: Logger): string[] {
  if (!existsSync(file)) return [];
  try {
    const db = openDatabase(file, { readOnly: true });
    try {
      const rows = db.prepare("SELECT name FROM session_groups ORDER BY position, name").all() as {
        name: unknown;
      }[];
      return rows.flatMap((r) => {
        if (typeof r.name !== "string") return [];
        const name = r.name.trim();
        return name && name.length <= MAX_GROUP_NAME_CHARS ? [name] : [];
      });
    } finally {
      db.close();
    }
  } catch (err) {
    log.warn(`session groups: could not read OpenClaw's catalog in ${file}: ${(err as Error).message}`);
    return [];
  }
}
