import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { parseEnv } from "node:util";
import JSON5 from "json5";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import { collectConfigSecrets } from "../infra/redact.js";
import { isSecretSubstitution, registerSecret } from "../infra/secrets.js";
import { VERSION } from "../version.js";
import { resolveIncludes } from "./include.js";
import { configErrorMap, describeValue, formatIssues, formatPath } from "./issues.js";
import { configSizeProblem, oversizedValueProblem } from "./limits.js";
import { parseWithOpenClawKeys } from "./openclaw-compat.js";
import { configSchema, type OpenClawConfig } from "./schema.js";

export { formatPath };

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

/** Validates `text` as the content of `file`; throws ConfigError listing every problem. */
export function snapshotFromText(
  file: string,
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): ConfigSnapshot {
  const document = parseConfigDocument(file, text);
  const { config, openClawOnly } = validateDocument(file, document, env);
  return { path: file, exists: true, config, hash: hashConfigText(text), raw: text, document, openClawOnly };
}

export function parseConfigText(
  file: string,
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): OpenClawConfig {
  return validateConfigDocument(file, parseConfigDocument(file, text), env);
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
 * Resolves includes and `${VAR}`s in a parsed document and validates the result.
 * Every problem from every stage is reported together.
 */
export function validateConfigDocument(
  file: string,
  document: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): OpenClawConfig {
  return validateDocument(file, document, env).config;
}

function validateDocument(
  file: string,
  document: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { config: OpenClawConfig; openClawOnly: string[] } {
  const problems: string[] = [];
  // Checked here, not at parse time, so `config set`/`unset` can still repair such a file.
  const oversized = oversizedValueProblem(document);
  if (oversized) throw new ConfigError(file, [oversized]);
  const included = resolveIncludes(document, file, problems);
  // `env` in the file fills in variables the environment lacks (it never overrides).
  const lookup = { ...configEnvVars(included), ...definedOnly(env) };
  const substituted = substituteEnv(included, lookup, [], problems);
  const { result, openClawOnly } = parseWithOpenClawKeys(
    configSchema,
    substituted as Record<string, unknown>,
    { error: configErrorMap },
  );
  if (!result.success) problems.push(...formatIssues(result.error.issues, substituted, configSchema));
  if (problems.length > 0) throw new ConfigError(file, problems);
  // Known from now on, so redaction finds them anywhere (logs, other config fields, child envs).
  for (const secret of collectConfigSecrets(result.data)) registerSecret(secret);
  return { config: result.data as OpenClawConfig, openClawOnly };
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

const ENV_REF = /\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` in every string value; `$${VAR}` stays as the literal `${VAR}`.
 * Substituted values are registered as secrets (wherever they land, even `ui.seamColor`),
 * except the few variables every local user can see anyway (HOME…).
 */
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
      if (isSecretSubstitution(name)) registerSecret(resolved);
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
