import { z } from "zod";
import { lazySchema } from "./lazy.js";

/** Shared building blocks for the `openclaw.json` schema sections. */

// In ../secret-strength.ts, which loads no zod: the gateway checks its secret before listening (#23).
export { MIN_SECRET_LENGTH, SECRET_GENERATOR_HINT, weakSecretReason } from "../secret-strength.js";

export const port = z.number().int().min(1).max(65535);
export const positiveInt = z.number().int().min(1);
export const nonNegativeInt = z.number().int().min(0);
export const stringList = z.array(z.string());
/** A section whose keys another module (or a plugin) validates itself. */
export const looseRecord = z.record(z.string(), z.unknown());
/*
 * The blocks below are used by sections only, so they are built with the first section
 * that needs them (lazy.ts); the few above are too small to matter.
 */

/** `provider/model`, e.g. `anthropic/claude-opus-4-6` (a bare name assumes anthropic). */
export const modelRef = lazySchema("common.modelRef", () =>
  z.string().min(1).describe("model reference `provider/model`, or an alias"),
);

export const modelSelection = lazySchema("common.modelSelection", () =>
  z
    .union(
      [
        modelRef(),
        z.strictObject({
          primary: modelRef().optional().describe("model tried first"),
          fallbacks: z
            .array(modelRef())
            .optional()
            .describe("models tried in order when the primary fails (auth, rate limit, timeout)"),
        }),
      ],
      { error: "expected a model reference string or { primary, fallbacks }" },
    )
    .describe("a model reference, or { primary, fallbacks }"),
);

export const DM_POLICIES = ["pairing", "allowlist", "open", "disabled"] as const;
export const GROUP_POLICIES = ["allowlist", "open", "disabled"] as const;

export const dmPolicy = lazySchema("common.dmPolicy", () =>
  z
    .enum(DM_POLICIES)
    .describe(
      'who may DM the bot: pairing (default; unknown senders get a code to approve), allowlist (only allowFrom), open (anyone; needs allowFrom to include "*"), disabled',
    ),
);
export const groupPolicy = lazySchema("common.groupPolicy", () =>
  z.enum(GROUP_POLICIES).describe("which groups the bot answers in: allowlist (default), open, disabled"),
);
export const allowFrom = lazySchema("common.allowFrom", () =>
  z
    .array(z.union([z.string(), z.number()]))
    .describe('sender ids allowed to DM the bot; "*" allows everyone'),
);
export const replyToMode = lazySchema("common.replyToMode", () =>
  z
    .enum(["off", "first", "all"])
    .describe("reply threading: off, first (reply to the first message only) or all"),
);

/**
 * `dmPolicy: "open"` only makes sense when allowFrom says so explicitly: OpenClaw
 * requires `allowFrom: ["*"]`, so an accidental "open" cannot expose the bot.
 * Runs even when other keys of the object are invalid, so every problem is listed.
 */
export function requireWildcardForOpenDm<T extends z.ZodType>(schema: T): T {
  return schema.refine(
    (value: unknown) => {
      const v = value as { dmPolicy?: unknown; allowFrom?: unknown };
      return v.dmPolicy !== "open" || (Array.isArray(v.allowFrom) && v.allowFrom.includes("*"));
    },
    {
      path: ["allowFrom"],
      message: 'dmPolicy "open" requires allowFrom to include "*" (or use dmPolicy "allowlist")',
      when: (payload) => typeof payload.value === "object" && payload.value !== null,
    },
  ) as unknown as T;
}

/** The JSON-schema key that marks a compatibility-only key (the Control UI shows a badge). */
export const COMPAT_ONLY_FLAG = "x-compat-only";
/** Appended to the description of every compatibility-only key. */
export const COMPAT_ONLY_NOTE = "accepted for OpenClaw compatibility, no effect yet";

/**
 * A key OpenClaw's configs use that we accept (so those files load unchanged) but do not
 * act on yet: the description says what OpenClaw does with it plus COMPAT_ONLY_NOTE, and
 * the JSON Schema carries COMPAT_ONLY_FLAG for the Control UI and docs/configuration.md.
 */
export function compatOnly<T extends z.ZodType>(schema: T, whatOpenClawDoes: string): T {
  return schema.meta({
    description: `${whatOpenClawDoes} (${COMPAT_ONLY_NOTE})`,
    [COMPAT_ONLY_FLAG]: true,
  }) as T;
}

/** `channels.<name>.retry`: send retries, attempts in all with exponential backoff between. */
export const retryPolicy = lazySchema("common.retryPolicy", () =>
  z
    .strictObject({
      // More than 10 tries of one chat message only delays the reply the user waits for.
      attempts: z.number().int().min(1).max(10).optional().describe("tries in all, 1-10"),
      minDelayMs: nonNegativeInt.max(60_000).optional().describe("backoff before the second try, in ms"),
      maxDelayMs: nonNegativeInt.max(300_000).optional().describe("longest backoff between tries, in ms"),
    })
    .describe("send retries: attempts in all, exponential backoff between them"),
);

/** An http(s) URL; `localhost:4000` without a scheme is a common mistake zod would accept. */
export const httpUrl = lazySchema("common.httpUrl", () => z.url({ protocol: /^https?$/ }));
