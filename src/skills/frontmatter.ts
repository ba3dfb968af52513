import { z } from "zod";

/** A SKILL.md bigger than this is refused: the prompt lists it, the model reads it whole. */
export const MAX_SKILL_FILE_BYTES = 256 * 1024;
/** The description shown in the system prompt is cut here, so one skill's cost in the prompt is bounded. */
export const MAX_PROMPT_DESCRIPTION_CHARS = 300;

const names = z.array(z.string().min(1)).optional();

/** `metadata.openclaw` (OpenClaw's gating and display fields); unknown keys are kept for other tools. */
const openclawMeta = z.looseObject({
  always: z.boolean().optional(),
  emoji: z.string().optional(),
  homepage: z.string().optional(),
  skillKey: z.string().min(1).optional(),
  primaryEnv: z.string().min(1).optional(),
  os: z.union([z.string(), z.array(z.string())]).optional(),
  requires: z.looseObject({ bins: names, anyBins: names, env: names, config: names }).optional(),
});

const frontmatterSchema = z.looseObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, "letters, digits, '.', '_' and '-', at most 64 characters")
    .optional(),
  description: z.string().min(1, "is empty"),
  homepage: z.string().optional(),
  // OpenClaw writes metadata as one line of JSON (also valid YAML) or as a YAML mapping.
  // Checked below, so a problem inside it is named by its own path.
  metadata: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

export type OpenClawSkillMeta = z.infer<typeof openclawMeta>;

export interface ParsedSkill {
  name?: string;
  description: string;
  homepage?: string;
  openclaw: OpenClawSkillMeta;
  body: string;
}

/** What is kept of a parsed SKILL.md: everything but the instructions (the model reads the file itself). */
export type SkillFrontmatter = Omit<ParsedSkill, "body">;

const keptSchema = z.object({
  name: z.string().optional(),
  description: z.string(),
  homepage: z.string().optional(),
  openclaw: openclawMeta,
});

/**
 * Frontmatter read back from the on-disk cache (cache.ts), checked against the same
 * schema as a fresh parse: undefined when it does not fit (another version wrote it).
 */
export function frontmatterFromCache(value: unknown): SkillFrontmatter | undefined {
  const checked = keptSchema.safeParse(value);
  return checked.success ? (checked.data as SkillFrontmatter) : undefined;
}

/** A SKILL.md that cannot be used: the message names the problem in one sentence. */
export class SkillFormatError extends Error {}

type YamlParse = typeof import("yaml").parse;
let yamlParse: Promise<YamlParse> | undefined;
/**
 * The YAML parser is loaded on the first SKILL.md, not at gateway start. (Bundled, the
 * package is CommonJS: its exports arrive on `default`.)
 */
const loadYaml = () => {
  yamlParse ??= import("yaml").then(
    (mod) => mod.parse ?? (mod as unknown as { default: typeof mod }).default.parse,
  );
  return yamlParse;
};

/** Parses a SKILL.md: YAML frontmatter between `---` lines, then the instructions. */
export async function parseSkillFile(source: string): Promise<ParsedSkill> {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  if (!match) throw new SkillFormatError("has no YAML frontmatter (a block between --- lines at the top)");
  const parse = await loadYaml();
  let data: unknown;
  try {
    // No custom tags, no aliases blow-up: the core schema and a small alias budget.
    data = parse(match[1]!, { schema: "core", maxAliasCount: 100, prettyErrors: false });
  } catch (err) {
    throw new SkillFormatError(`has invalid YAML frontmatter: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = frontmatterSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SkillFormatError(`frontmatter ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const fm = parsed.data;
  let metadata = fm.metadata;
  if (typeof metadata === "string") {
    try {
      metadata = JSON.parse(metadata) as typeof metadata;
    } catch {
      throw new SkillFormatError("frontmatter metadata is a string but not JSON");
    }
  }
  const meta = openclawMeta.safeParse((metadata as { openclaw?: unknown } | undefined)?.openclaw ?? {});
  if (!meta.success) {
    const issue = meta.error.issues[0]!;
    throw new SkillFormatError(`frontmatter metadata.openclaw.${issue.path.join(".")}: ${issue.message}`);
  }
  return {
    ...(fm.name ? { name: fm.name } : {}),
    description: fm.description.trim(),
    ...(fm.homepage ? { homepage: fm.homepage } : {}),
    openclaw: meta.data,
    body: source.slice(match[0].length),
  };
}
