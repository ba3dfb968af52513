import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { fileSignature, type ParsedEntry, readFrontmatterCache, writeFrontmatterCache } from "./cache.js";
import { MAX_SKILL_FILE_BYTES, parseSkillFile } from "./frontmatter.js";
import { gate } from "./gate.js";

/** Skill folders read per location: enough for any personal setup, bounded for the prompt and the scan. */
export const MAX_SKILLS_PER_DIR = 200;

/** OpenClaw's source names, lowest precedence first: a later source wins a name collision. */
export const SKILL_SOURCES = ["openclaw-extra", "openclaw-managed", "openclaw-workspace"] as const;
export type SkillSource = (typeof SKILL_SOURCES)[number];

export interface SkillEntryConfig {
  enabled?: boolean;
  apiKey?: string;
  env?: Record<string, string>;
}

/** The `skills` section of openclaw.json, as far as loading and gating go. */
export interface SkillsConfig {
  load?: { extraDirs?: string[] };
  entries?: Record<string, SkillEntryConfig>;
}

export interface SkillsContext {
  workspace: string;
  /** `<state>/skills`: managed skills. */
  managedDir: string;
  config?: SkillsConfig;
  /** The whole config, for `requires.config` paths. */
  rootConfig?: unknown;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export interface Requirements {
  bins: string[];
  anyBins: string[];
  env: string[];
  config: string[];
  os: string[];
}

/** One skill as `skills.status` reports it (OpenClaw's entry shape). */
export interface SkillStatus {
  name: string;
  description: string;
  source: SkillSource;
  filePath: string;
  baseDir: string;
  skillKey: string;
  primaryEnv?: string;
  emoji?: string;
  homepage?: string;
  always: boolean;
  disabled: boolean;
  blockedByAllowlist: boolean;
  eligible: boolean;
  requirements: Requirements;
  missing: Requirements;
  configChecks: { path: string; satisfied: boolean }[];
  install: never[];
}

export interface SkillProblem {
  filePath: string;
  error: string;
}

export interface SkillsReport {
  workspaceDir: string;
  managedSkillsDir: string;
  skills: SkillStatus[];
  /** SKILL.md files skipped as malformed (each logged once per version of the file). */
  problems: SkillProblem[];
}

/**
 * How long a gated skill list is reused while its files and the config stay the same. A
 * binary installed or an env var set while the gateway runs is seen within this time; in
 * between, a turn costs a stat per skill and no PATH lookups (50 skills × a dozen PATH
 * folders are hundreds of access() calls).
 */
export const GATE_RECHECK_MS = 30_000;

export interface SkillsLoaderOptions {
  /** Called once per malformed SKILL.md version (the gateway logs it). */
  onProblem?: (problem: SkillProblem) => void;
  /** Where parsed frontmatter is kept between runs (see cache.ts); without it, in memory only. */
  cacheFile?: string;
  /** The clock GATE_RECHECK_MS is measured on (tests). */
  now?: () => number;
}

interface Gated {
  /** Every SKILL.md found, with its signature: a change to any of them re-gates. */
  files: string;
  ctx: SkillsContext;
  at: number;
  report: SkillsReport;
}

/**
 * Finds and gates skills. A SKILL.md is parsed once per version (size, mtime, ctime), and
 * the gated list is reused until a SKILL.md is added, edited or removed, the config is
 * reloaded, or GATE_RECHECK_MS passes: an added or edited skill is picked up by the next
 * turn without a restart, and an unchanged one costs a stat.
 */
export class SkillsLoader {
  /** Loaded from opts.cacheFile on first use. */
  private parsed: Map<string, ParsedEntry> | undefined;
  private cacheDirty = false;
  /** `file\0signature` of each problem already reported, so each is logged once per version. */
  private readonly reported = new Set<string>();
  /** The last gated list per workspace (agents with their own workspaces share this loader). */
  private readonly gated = new Map<string, Gated>();

  constructor(private readonly opts: SkillsLoaderOptions = {}) {}

  async report(ctx: SkillsContext): Promise<SkillsReport> {
    const found: [SkillSource, string, ParsedEntry][] = [];
    for (const [source, dir] of skillLocations(ctx)) {
      for (const file of skillFiles(dir)) {
        const entry = await this.entry(file);
        if (entry) found.push([source, file, entry]);
      }
    }
    if (this.cacheDirty) await this.persist();
    const files = found.map(([, file, entry]) => `${file}\0${entry.signature}`).join("\n");
    const now = (this.opts.now ?? Date.now)();
    const last = this.gated.get(ctx.workspace);
    if (last && last.files === files && sameInputs(last.ctx, ctx) && now - last.at < GATE_RECHECK_MS) {
      return last.report;
    }
    const byName = new Map<string, SkillStatus>();
    const problems: SkillProblem[] = [];
    for (const [source, file, entry] of found) {
      if (entry.parsed) {
        const status = gate(entry.parsed, source, file, ctx);
        byName.set(status.name, status); // later locations win
      } else problems.push({ filePath: file, error: entry.error! });
    }
    const skills = [...byName.values()].sort((a, b) => byCodeUnits(a.name, b.name));
    const report = { workspaceDir: ctx.workspace, managedSkillsDir: ctx.managedDir, skills, problems };
    this.gated.set(ctx.workspace, { files, ctx, at: now, report });
    return report;
  }

  /**
   * The file's parsed frontmatter or problem, parsing it only when its signature is new;
   * undefined when the folder has no SKILL.md file.
   */
  private async entry(file: string): Promise<ParsedEntry | undefined> {
    let entry: ParsedEntry;
    try {
      const stat = statSync(file, { throwIfNoEntry: false });
      if (!stat?.isFile()) return undefined;
      const signature = fileSignature(stat);
      const known = this.cache().get(file);
      if (known?.signature === signature) entry = known;
      else {
        entry =
          stat.size > MAX_SKILL_FILE_BYTES
            ? { signature, error: `is ${stat.size} bytes (limit ${MAX_SKILL_FILE_BYTES})` }
            : await parseEntry(file, signature);
        this.cache().set(file, entry);
        this.cacheDirty = true;
      }
    } catch (err) {
      entry = { signature: "-", error: `cannot be read: ${(err as Error).message}` };
    }
    const key = `${file}\0${entry.signature}`;
    if (entry.error && !this.reported.has(key)) {
      this.reported.add(key);
      this.opts.onProblem?.({ filePath: file, error: entry.error });
    }
    return entry;
  }

  private cache(): Map<string, ParsedEntry> {
    this.parsed ??= this.opts.cacheFile ? readFrontmatterCache(this.opts.cacheFile) : new Map();
    return this.parsed;
  }

  /** Writes the cache, dropping the entries of SKILL.md files that are gone. */
  private async persist(): Promise<void> {
    this.cacheDirty = false;
    const entries = this.cache();
    for (const file of entries.keys()) if (!statSync(file, { throwIfNoEntry: false })) entries.delete(file);
    if (!this.opts.cacheFile) return;
    try {
      await writeFrontmatterCache(this.opts.cacheFile, entries);
    } catch {
      // Only a cache: without it the next start parses the skills again.
    }
  }
}

async function parseEntry(file: string, signature: string): Promise<ParsedEntry> {
  try {
    // The instructions (the body) are not kept: the model reads SKILL.md itself when it
    // needs them, and an idle gateway should hold the frontmatter of each skill only.
    const { body: _body, ...parsed } = await parseSkillFile(readFileSync(file, "utf8"));
    return { signature, parsed };
  } catch (err) {
    return { signature, error: (err as Error).message };
  }
}

/** Where skills are looked for, lowest precedence first. */
function skillLocations(ctx: SkillsContext): [SkillSource, string][] {
  return [
    ...(ctx.config?.load?.extraDirs ?? []).map((d): [SkillSource, string] => ["openclaw-extra", d]),
    ["openclaw-managed", ctx.managedDir],
    ["openclaw-workspace", path.join(ctx.workspace, "skills")],
  ];
}

/** The same gating inputs: config objects are replaced, never mutated, on a reload. */
function sameInputs(a: SkillsContext, b: SkillsContext): boolean {
  const envA = a.env ?? process.env;
  const envB = b.env ?? process.env;
  return (
    a.config === b.config &&
    a.rootConfig === b.rootConfig &&
    envA === envB &&
    envA.PATH === envB.PATH &&
    a.platform === b.platform &&
    a.managedDir === b.managedDir
  );
}

/**
 * Plain code-unit order (skill names are ASCII by their schema): localeCompare would
 * load ICU's collator, ~3 MB of resident memory for sorting a list of names.
 */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `<dir>/<name>/SKILL.md` for each skill folder (hidden folders skipped), at most
 * MAX_SKILLS_PER_DIR; whether the file exists is seen by the stat that reads its signature.
 */
function skillFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => byCodeUnits(a.name, b.name))) {
    if (entry.name.startsWith(".") || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    files.push(path.join(dir, entry.name, "SKILL.md"));
    if (files.length >= MAX_SKILLS_PER_DIR) break;
  }
  return files;
}

/** The env a skill's commands get from `skills.entries.<key>`: its `env`, and `apiKey` as its primaryEnv. */
export function skillEnv(skill: SkillStatus, config: SkillsConfig | undefined): Record<string, string> {
  const entry = config?.entries?.[skill.skillKey];
  const env: Record<string, string> = { ...entry?.env };
  if (entry?.apiKey && skill.primaryEnv) env[skill.primaryEnv] = entry.apiKey;
  return env;
}

/** Real path of a skill folder (symlinked skill folders are allowed; reads stay inside the target). */
export function realSkillDir(skill: SkillStatus): string | undefined {
  try {
    return realpathSync(skill.baseDir);
  } catch {
    return undefined;
  }
}
