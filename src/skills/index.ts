export { MAX_PROMPT_DESCRIPTION_CHARS, MAX_SKILL_FILE_BYTES, SkillFormatError } from "./frontmatter.js";
export {
  GATE_RECHECK_MS,
  MAX_SKILLS_PER_DIR,
  realSkillDir,
  SKILL_SOURCES,
  type SkillEntryConfig,
  type SkillProblem,
  type SkillSource,
  type SkillStatus,
  type SkillsConfig,
  type SkillsContext,
  SkillsLoader,
  type SkillsLoaderOptions,
  type SkillsReport,
  skillEnv,
} from "./load.js";
export { skillLocation, skillPromptEntry, skillsPrompt } from "./prompt.js";
