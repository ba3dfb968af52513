import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseEnv } from "node:util";
import JSON5 from "json5";
import type { z } from "zod";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import { VERSION } from "../version.js";
import { configSchema, type OpenClawConfig } from "./schema.js";

/** A loaded, validated config. Immutable: a change produces a new snapshot. */
export interface ConfigSnapshot {
  readonly path: string;
  readonly exists: boolean;
  readonly config: OpenClawConfig;
  /** sha256 of the file's bytes (empty string when there is no file): the `baseHash` for edits. */
  readonly hash: string;
}

/** The config file cannot be used; `problems` lists each as `path: message (got …)`. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid config at ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function hashConfigText(text: string): string {
  return text === "" ? "" : createHash("sha256").update(text).digest("hex");
}

/** Reads, parses (JSON5), substitutes `${VAR}` and validates the config file. */
export async function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigSnapshot> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return { path: file, exists: false, config: {}, hash: "" };
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return { path: file, exists: true, config: parseConfigText(file, text, env), hash: hashConfigText(text) };
}

export function parseConfigText(
  file: string,
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): OpenClawConfig {
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON5.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON5: ${(err as Error).message}`]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(file, [`(root): must be an object (got ${describe(parsed)})`]);
  }
  const envProblems: string[] = [];
  const substituted = substituteEnv(parsed, env, [], envProblems);
  if (envProblems.length > 0) throw new ConfigError(file, envProblems);
  const result = configSchema.safeParse(substituted);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues, substituted));
  return result.data;
}

const ENV_REF = /\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${VAR}` in every string value; `$${VAR}` stays as the literal `${VAR}`. */
function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  at: (string | number)[],
  problems: string[],
): unknown {
  if (typeof value === "string") {
    return value.replace(ENV_REF, (match, name: string) => {
      if (match.startsWith("$$")) return match.slice(1);
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) {
        problems.push(
          `${formatPath(at)}: \${${name}} is not a valid variable name (use upper case, digits and _)`,
        );
        return match;
      }
      const resolved = env[name];
      if (resolved === undefined || resolved === "") {
        problems.push(
          `${formatPath(at)}: environment variable ${name} is not set (referenced as \${${name}})`,
        );
        return match;
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, [...at, i], problems));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, [...at, key], problems)]),
    );
  }
  return value;
}

export function formatPath(at: readonly PropertyKey[]): string {
  if (at.length === 0) return "(root)";
  return at
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of at) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(`${formatPath([...issue.path, key])}: unknown key`);
      continue;
    }
    out.push(`${formatPath(issue.path)}: ${issue.message} (got ${describe(valueAt(input, issue.path))})`);
  }
  return out;
}

/** Reads `<state dir>/.env` into `env` without overriding variables already set. */
export async function loadDotEnv(file: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return [];
    throw err;
  }
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (env[key] === undefined) {
      env[key] = value;
      applied.push(key);
    }
  }
  return applied;
}

/** The config `--allow-unconfigured` writes when there is none, so later starts need no flag. */
export async function writeMinimalConfig(file: string): Promise<void> {
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    meta: { lastTouchedVersion: VERSION, lastTouchedAt: new Date().toISOString() },
  };
  await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`, 0o600);
}
