import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { parseEnv } from "node:util";
import JSON5 from "json5";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import { VERSION } from "../version.js";
import { configSizeProblem } from "./limits.js";
import type { OpenClawConfig } from "./schema.js";
import { describeValue } from "./value-text.js";

/*
 * Reading the config file, without validating it: nothing here loads zod (#23). A gateway
 * started with no config file (or the minimal one it writes) then loads no zod before it
 * listens; validation (./load.ts, which re-exports all of this) is imported when a file is.
 */

/** A loaded, validated config. Immutable: a change produces a new snapshot. */
export interface ConfigSnapshot {
  readonly path: string;
  readonly exists: boolean;
  /** Validated config: includes resolved, `${VAR}` substituted. */
  readonly config: OpenClawConfig;
  /** sha256 of the file's bytes (empty string when there is no file): the `baseHash` for edits. */
  readonly hash: string;
  /** The file as written (JSON5 text; "" when missing). Edits start from here, not from `config`. */
  readonly raw: string;
  /** `raw` parsed, before includes and substitution: what edits change and write back. */
  readonly document: Record<string, unknown>;
  /**
   * Keys OpenClaw knows and we do not implement (`tts`, `agents.defaults.sandbox`…): accepted,
   * left out of `config`, each reported once as OPENCLAW_ONLY_NOTE (config/openclaw-compat.ts).
   */
  readonly openClawOnly: readonly string[];
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

/** Reads, parses (JSON5), resolves `$include`, substitutes `${VAR}` and validates the config file. */
export async function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigSnapshot> {
  const text = await readConfigFile(file);
  if (text === undefined)
    return {
      path: file,
      exists: false,
      config: {},
      hash: "",
      raw: "",
      document: {},
      openClawOnly: [],
    };
  const { snapshotFromText } = await import("./load.js");
  return snapshotFromText(file, text, env);
}

/**
 * The config file's text, or undefined when there is none. A file over
 * MAX_CONFIG_BYTES is refused from its size, before it is read into memory.
 */
export async function readConfigFile(file: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return undefined;
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  try {
    const tooBig = configSizeProblem((await handle.stat()).size);
    if (tooBig) throw new ConfigError(file, [tooBig]);
    return await handle.readFile("utf8");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  } finally {
    await handle.close();
  }
}

/**
 * JSON5 text → the top-level object, or ConfigError for a syntax error or a text
 * over MAX_CONFIG_BYTES (checked before parsing: JSON5 is slow on megabytes).
 */
export function parseConfigDocument(file: string, text: string): Record<string, unknown> {
  const tooBig = configSizeProblem(Buffer.byteLength(text));
  if (tooBig) throw new ConfigError(file, [tooBig]);
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON5.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON5: ${(err as Error).message}`]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(file, [`(root): must be an object (got ${describeValue(parsed)})`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Variables from the config's `env` section: `env.vars.*` and plain string keys
 * (`env: { FOO: "bar" }`), the way OpenClaw reads them. Values may not use `${VAR}`.
 */
export function configEnvVars(config: unknown): Record<string, string> {
  const section = (config as { env?: unknown } | undefined)?.env;
  if (typeof section !== "object" || section === null) return {};
  const out: Record<string, string> = {};
  const { vars, ...rest } = section as Record<string, unknown>;
  for (const [key, value] of Object.entries({ ...rest, ...(typeof vars === "object" ? vars : {}) })) {
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

/** The variables that are set (an empty value counts as unset). */
export function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")) as Record<
    string,
    string
  >;
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

/**
 * Writes the config `--allow-unconfigured` writes when there is none, so later starts need
 * no flag, and returns its snapshot: what `loadConfig` gives for it (a test holds the two
 * equal), without validating what is valid by construction, so the first start of a
 * fresh install loads no zod before it listens.
 */
export async function writeMinimalConfig(file: string): Promise<ConfigSnapshot> {
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    meta: { lastTouchedVersion: VERSION, lastTouchedAt: new Date().toISOString() },
  };
  const text = `${JSON.stringify(config, null, 2)}\n`;
  await writeFileAtomic(file, text, 0o600);
  return {
    path: file,
    exists: true,
    config,
    hash: hashConfigText(text),
    raw: text,
    document: JSON.parse(text),
    openClawOnly: [],
  };
}
