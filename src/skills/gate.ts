import { accessSync, constants } from "node:fs";
import path from "node:path";
import type { SkillFrontmatter } from "./frontmatter.js";
import type { Requirements, SkillSource, SkillStatus, SkillsContext } from "./load.js";

/**
 * Whether a skill may be offered: its `requires` (bins, anyBins, env, config, os) checked
 * against the machine and the config, `skills.entries.<key>.enabled`, and `always`.
 */
export function gate(
  skill: SkillFrontmatter,
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
