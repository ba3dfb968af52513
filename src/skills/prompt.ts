import path from "node:path";
import { MAX_PROMPT_DESCRIPTION_CHARS } from "./frontmatter.js";
import type { SkillStatus } from "./load.js";

const escapeXml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** Where the model finds a skill: workspace-relative when inside it, else the absolute path. */
export function skillLocation(skill: SkillStatus, workspace: string): string {
  const rel = path.relative(workspace, skill.filePath);
  return rel.startsWith("..") || path.isAbsolute(rel) ? skill.filePath : rel.split(path.sep).join("/");
}

/** One skill's lines in the prompt; its length is the skill's prompt cost (`skills list --verbose`). */
export function skillPromptEntry(skill: SkillStatus, workspace: string): string {
  let description = skill.description.replace(/\s+/g, " ");
  if (description.length > MAX_PROMPT_DESCRIPTION_CHARS)
    description = `${description.slice(0, MAX_PROMPT_DESCRIPTION_CHARS - 1)}…`;
  return (
    `<skill><name>${escapeXml(skill.name)}</name><description>${escapeXml(description)}</description>` +
    `<location>${escapeXml(skillLocation(skill, workspace))}</location></skill>`
  );
}

/**
 * The system prompt section listing the eligible skills (as OpenClaw does): names and
 * descriptions only; the model reads a SKILL.md with the read tool when a task needs it.
 */
export function skillsPrompt(skills: readonly SkillStatus[], workspace: string): string {
  const eligible = skills.filter((s) => s.eligible);
  if (eligible.length === 0) return "";
  return [
    "## Skills",
    "Before replying, scan the skills below. If one clearly applies, read its SKILL.md (location below) " +
      "with the read tool and follow it; read only the skill you need, never all of them.",
    "<available_skills>",
    ...eligible.map((s) => skillPromptEntry(s, workspace)),
    "</available_skills>",
  ].join("\n");
}
