import { z } from "zod";
import { compatOnly, looseRecord, stringList } from "./common.js";
import { lazySchema } from "./lazy.js";

/** An environment variable name (what a skill's command sees). */
const envName = lazySchema("skills.envName", () =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"),
);

const skillEntry = lazySchema("skills.skillEntry", () =>
  z
    .looseObject({
      enabled: z.boolean().optional().describe("false: never offer this skill to the model"),
      apiKey: z
        .string()
        .min(1)
        .optional()
        .describe("set as the skill's primaryEnv variable, only for exec runs that name this skill"),
      env: z
        .record(envName(), z.string())
        .optional()
        .describe(
          "variables added only to exec runs that name this skill (never to other commands, never logged)",
        ),
      config: compatOnly(looseRecord.optional(), "skill-specific settings"),
    })
    .describe("per-skill settings, keyed by the skill's name (or metadata.openclaw.skillKey)"),
);

/** `skills` in openclaw.json (OpenClaw's keys). Installing from ClawHub is not supported. */
export const skillsSchema = lazySchema("skills", () =>
  z
    .looseObject({
      allowBundled: compatOnly(
        stringList.optional(),
        "which bundled skills are allowed (none are bundled here)",
      ),
      load: z
        .looseObject({
          extraDirs: stringList
            .optional()
            .describe(
              "more folders of skills, lowest precedence (workspace skills, then <state>/skills win)",
            ),
          watch: compatOnly(z.boolean().optional(), "skills are re-scanned on every turn, no watcher"),
          watchDebounceMs: compatOnly(
            z.number().optional(),
            "skills are re-scanned on every turn, no watcher",
          ),
        })
        .optional(),
      entries: z.record(z.string(), skillEntry()).optional(),
      install: compatOnly(looseRecord.optional(), "ClawHub install settings (installing is not supported)"),
    })
    .describe("AgentSkills SKILL.md folders: where to find them and per-skill settings"),
);

/** `agents.defaults.memorySearch` (OpenClaw's keys); keyword search works with none of them set. */
const unit = lazySchema("skills.unit", () => z.number().min(0).max(1));

export const memorySearchSchema = lazySchema("skills.memorySearchSchema", () =>
  z
    .looseObject({
      enabled: z.boolean().optional().describe("false: no memory_search / memory_get tools and no index"),
      provider: z
        .enum(["openai", "gemini"])
        .optional()
        .describe(
          "embedding provider for hybrid search (default: openai, then gemini, whichever has a key; none: keywords only)",
        ),
      model: z
        .string()
        .min(1)
        .optional()
        .describe("embedding model (text-embedding-3-small, gemini-embedding-001)"),
      remote: z
        .looseObject({
          baseUrl: z.string().url().optional().describe("OpenAI-compatible or Gemini API base URL"),
          apiKey: z
            .string()
            .min(1)
            .optional()
            .describe("key for the embedding API (else the provider's key)"),
        })
        .optional(),
      query: z
        .looseObject({
          maxResults: z.number().int().min(1).max(50).optional(),
          minScore: unit().optional().describe("drop results below this score (hybrid default 0.35)"),
          hybrid: z
            .looseObject({
              enabled: z.boolean().optional().describe("false: vectors only when a provider is set"),
              vectorWeight: unit().optional().describe("weight of the vector score (default 0.7)"),
              textWeight: unit().optional().describe("weight of the keyword score (default 0.3)"),
              candidateMultiplier: z
                .number()
                .int()
                .min(1)
                .max(20)
                .optional()
                .describe("candidates per side, × maxResults (default 4)"),
            })
            .optional(),
        })
        .optional(),
    })
    .describe("memory search over MEMORY.md and memory/*.md"),
);

/** `agents.defaults.compaction` (OpenClaw's keys): what we act on is the memory flush. */
export const compactionSchema = lazySchema("skills.compactionSchema", () =>
  z
    .looseObject({
      memoryFlush: z
        .looseObject({
          enabled: z
            .boolean()
            .optional()
            .describe("false: no silent note-writing turn before compaction (default on)"),
          systemPrompt: z.string().min(1).optional().describe("added to the system prompt of the flush turn"),
          prompt: z
            .string()
            .min(1)
            .optional()
            .describe("the flush turn's message; YYYY-MM-DD becomes today's date"),
          softThresholdTokens: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe(
              "flush this many tokens of history before compaction, once per compaction cycle (default 4000; 0: right before it)",
            ),
        })
        .optional(),
      reserveTokensFloor: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe(
          "tokens kept free for the answer, at least (default 8000 here; capped at a quarter of the window); a larger one compacts earlier",
        ),
    })
    .describe("compaction of long conversations"),
);
