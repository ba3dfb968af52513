import {
  accessSync,
  constants,
  type Dirent,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from "node:fs";
import path from "node:path";
import { MAX_SKILL_FILE_BYTES, type ParsedSkill, parseSkillFile } from "./frontmatter.js";

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

interface Requirements {
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

type Cached = { signature: string; parsed?: Omit<ParsedSkill, "body">; error?: string };

/**
 * Finds and gates skills. Parsed SKILL.md files are cached by size and mtime, so a
 * scan costs a readdir per location and a stat per skill: an added or edited skill is
 * picked up by the next turn without a restart.
 */
export class SkillsLoader {
  private readonly parsed = new Map<string, Cached>();

  constructor(private readonly onProblem?: (problem: SkillProblem) => void) {}

  async report(ctx: SkillsContext): Promise<SkillsReport> {
    const byName = new Map<string, SkillStatus>();
    const problems: SkillProblem[] = [];
    const locations: [SkillSource, string][] = [
      ...(ctx.config?.load?.extraDirs ?? []).map((d): [SkillSource, string] => ["openclaw-extra", d]),
      ["openclaw-managed", ctx.managedDir],
      ["openclaw-workspace", path.join(ctx.workspace, "skills")],
    ];
    for (const [source, dir] of locations) {
      for (const file of skillFiles(dir)) {
        const result = await this.parse(file);
        if (!result.parsed) {
          problems.push({ filePath: file, error: result.error! });
          continue;
        }
        const status = gate(result.parsed, source, file, ctx);
        byName.set(status.name, status); // later locations win
      }
    }
    const skills = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    return { workspaceDir: ctx.workspace, managedSkillsDir: ctx.managedDir, skills, problems };
  }

  private async parse(file: string): Promise<Cached> {
    let signature: string;
    try {
      const stat = statSync(file);
      signature = `${stat.size}:${stat.mtimeMs}`;
      if (stat.size > MAX_SKILL_FILE_BYTES) {
        return this.remember(file, {
          signature,
          error: `is ${stat.size} bytes (limit ${MAX_SKILL_FILE_BYTES})`,
        });
      }
    } catch (err) {
      return { signature: "-", error: `cannot be read: ${(err as Error).message}` };
    }
    const cached = this.parsed.get(file);
    if (cached?.signature === signature) return cached;
    try {
      // The instructions (the body) are not kept: the model reads SKILL.md itself when it
      // needs them, and an idle gateway should hold the frontmatter of each skill only.
      const { body: _body, ...parsed } = await parseSkillFile(readFileSync(file, "utf8"));
      return this.remember(file, { signature, parsed });
    } catch (err) {
      return this.remember(file, { signature, error: (err as Error).message });
    }
  }

  private remember(file: string, entry: Cached): Cached {
    const before = this.parsed.get(file);
    this.parsed.set(file, entry);
    if (entry.error && before?.signature !== entry.signature)
      this.onProblem?.({ filePath: file, error: entry.error });
    return entry;
  }
}

/** `<dir>/<name>/SKILL.md` for each skill folder (hidden folders skipped), at most MAX_SKILLS_PER_DIR. */
function skillFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const file = path.join(dir, entry.name, "SKILL.md");
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) files.push(file);
    if (files.length >= MAX_SKILLS_PER_DIR) break;
  }
  return files;
}

function gate(
  skill: Omit<ParsedSkill, "body">,
  source: SkillSource,
  filePath: string,
  ctx: SkillsContext,
): SkillStatus {
  const meta = skill.openclaw;
  const name = skill.name ?? path.basename(path.dirname(filePath));
  const skillKey = meta.skillKey ?? name;
  const entry = ctx.config?.entries?.[skillKey];
  const env = ctx.env ?? process.env;
  const requirements: Requirements = {
    bins: meta.requires?.bins ?? [],
    anyBins: meta.requires?.anyBins ?? [],
    env: meta.requires?.env ?? [],
    config: meta.requires?.config ?? [],
    os: typeof meta.os === "string" ? [meta.os] : (meta.os ?? []),
  };
  const hasEnv = (v: string) =>
    Boolean(env[v]) || Boolean(entry?.env?.[v]) || (Boolean(entry?.apiKey) && meta.primaryEnv === v);
  const configChecks = requirements.config.map((p) => ({ path: p, satisfied: truthyAt(ctx.rootConfig, p) }));
  const missing: Requirements = {
    bins: requirements.bins.filter((b) => !onPath(b, env)),
    anyBins:
      requirements.anyBins.length && !requirements.anyBins.some((b) => onPath(b, env))
        ? requirements.anyBins
        : [],
    env: requirements.env.filter((v) => !hasEnv(v)),
    config: configChecks.filter((c) => !c.satisfied).map((c) => c.path),
    os:
      requirements.os.length && !requirements.os.includes(ctx.platform ?? process.platform)
        ? requirements.os
        : [],
  };
  const always = meta.always === true;
  const disabled = entry?.enabled === false;
  const unmet = Object.values(missing).some((list) => list.length > 0);
  return {
    name,
    description: skill.description,
    source,
    filePath,
    baseDir: path.dirname(filePath),
    skillKey,
    ...(meta.primaryEnv ? { primaryEnv: meta.primaryEnv } : {}),
    ...(meta.emoji ? { emoji: meta.emoji } : {}),
    ...((meta.homepage ?? skill.homepage) ? { homepage: meta.homepage ?? skill.homepage } : {}),
    always,
    disabled,
    blockedByAllowlist: false,
    // OpenClaw: `always` skips the requirement gates; a disabled skill is never offered.
    eligible: !disabled && (always || !unmet),
    requirements,
    missing,
    configChecks,
    install: [],
  };
}

function onPath(bin: string, env: NodeJS.ProcessEnv): boolean {
  if (bin.includes("/")) return false; // A name to look up, not a path.
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // Not in this one.
    }
  }
  return false;
}

function truthyAt(root: unknown, dotted: string): boolean {
  let node: unknown = root;
  for (const key of dotted.split(".")) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<string, unknown>)[key];
  }
  return Boolean(node);
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
