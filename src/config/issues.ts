import type { z } from "zod";
import { isSecretKey } from "../infra/redact.js";
import { openClawKeysAt } from "./openclaw-keys.js";
import { LazyObject } from "./schema/lazy.js";
import { describeValue, formatPath as formatPathOf } from "./value-text.js";

export { describeValue, formatPath } from "./value-text.js";

/**
 * Turns zod issues into the lines a user sees: `path: message (got …)`, with a
 * "did you mean" for misspelt keys. Messages say what is allowed, in plain words.
 */

type Key = PropertyKey;

/** A secret's value never appears in an error line, only its length. */
function describeGot(at: readonly Key[], got: unknown): string {
  const key = at[at.length - 1];
  if (typeof got === "string" && got !== "" && typeof key === "string" && isSecretKey(key)) {
    return `${got.length} character${got.length === 1 ? "" : "s"}, not shown`;
  }
  return describeValue(got);
}

function valueAt(root: unknown, at: readonly Key[]): unknown {
  let cur = root;
  for (const key of at) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<Key, unknown>)[key];
  }
  return cur;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  record: "an object",
};

/** Per-parse error map: plain messages instead of zod's defaults (schema-level messages still win). */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return min <= 1 ? "must not be empty" : `must be at least ${min} characters`;
      if (issue.origin === "array") return `needs at least ${min} item${min === 1 ? "" : "s"}`;
      return `must be ${issue.inclusive === false ? ">" : "≥"} ${min}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return `must be at most ${max} characters`;
      if (issue.origin === "array") return `allows at most ${max} items`;
      return `must be ${issue.inclusive === false ? "<" : "≤"} ${max}`;
    }
    case "invalid_format":
      return issue.format === "url"
        ? "must be a URL (http://… or https://…)"
        : `must be a valid ${issue.format}`;
    case "invalid_union":
      return "does not match any allowed form";
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

/** A zod schema, or a lazily built object (config/schema/lazy.ts) such as the config's root. */
export type ConfigSchemaLike = z.ZodType | LazyObject<z.ZodRawShape>;

/**
 * Known keys of the object schema at `at`, for "did you mean" (empty when not an object).
 * Through a lazy object only the sections on the path are built.
 */
function knownKeysAt(schema: ConfigSchemaLike, at: readonly Key[]): string[] {
  let lazy: LazyObject<z.ZodRawShape> | undefined = schema instanceof LazyObject ? schema : undefined;
  let node: z.core.$ZodType | undefined = lazy ? undefined : (schema as z.ZodType);
  let depth = 0;
  for (; lazy && depth < at.length; depth++) {
    const key = String(at[depth]);
    if (!lazy.keys.includes(key)) return [];
    const field = lazy.fieldOrLazy(key);
    lazy = field instanceof LazyObject ? field : undefined;
    node = field instanceof LazyObject ? undefined : field;
  }
  if (lazy) return [...lazy.keys];
  for (const key of at.slice(depth)) {
    node = unwrap(node);
    if (!node) return [];
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (def.type === "object") node = (def.shape as Record<string, z.core.$ZodType>)[String(key)];
    else if (def.type === "record") node = def.valueType as z.core.$ZodType;
    else if (def.type === "array") node = def.element as z.core.$ZodType;
    else if (def.type === "union") {
      node = (def.options as z.core.$ZodType[]).map(unwrap).find((o) => o?._zod.def.type === "object");
      if (node)
        node = (node._zod.def as unknown as { shape: Record<string, z.core.$ZodType> }).shape?.[String(key)];
    } else return [];
  }
  node = unwrap(node);
  if (node?._zod.def.type === "union") {
    node = (node._zod.def as unknown as { options: z.core.$ZodType[] }).options
      .map(unwrap)
      .find((o) => o?._zod.def.type === "object");
  }
  if (node?._zod.def.type !== "object") return [];
  return Object.keys((node._zod.def as unknown as { shape: object }).shape);
}

function unwrap(node: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  while (node) {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (def.type === "optional" || def.type === "nullable" || def.type === "default") {
      node = def.innerType as z.core.$ZodType;
    } else if (def.type === "pipe") node = def.in as z.core.$ZodType;
    else return node;
  }
  return node;
}

export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/** The known key closest to `key`, if close enough to be a typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.toLowerCase() === key.toLowerCase() ? 0 : levenshtein(key, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return best && best.distance <= limit ? best.name : undefined;
}

/** Every problem, one line each, in the order zod found them. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: ConfigSchemaLike,
  base: readonly Key[] = [],
  /** Shown before each path: where `input` sits in the whole config (a plugin's section). */
  shownUnder: readonly Key[] = [],
): string[] {
  const out: string[] = [];
  const formatPath = (at: readonly Key[]) => formatPathOf([...shownUnder, ...at]);
  for (const issue of issues) {
    const at = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      // A key OpenClaw has here is as likely meant as one of ours (the loader accepts both).
      const known = [...new Set([...knownKeysAt(schema, at), ...openClawKeysAt([...shownUnder, ...at])])];
      for (const key of issue.keys) {
        const suggestion = suggestKey(key, known);
        out.push(
          `${formatPath([...at, key])}: unknown key${suggestion ? ` (did you mean \`${suggestion}\`?)` : ""}`,
        );
      }
      continue;
    }
    if (issue.code === "invalid_union") {
      // Show the branch that got furthest (the input had its basic shape) rather than "Invalid input".
      const branch = issue.errors.find((errs) => errs.every((e) => e.path.length > 0));
      if (branch) {
        out.push(...formatIssues(branch, input, schema, at, shownUnder));
        continue;
      }
    }
    const got = valueAt(input, at);
    out.push(
      `${formatPath(at)}: ${issue.message}${got === undefined ? "" : ` (got ${describeGot(at, got)})`}`,
    );
  }
  return out;
}
