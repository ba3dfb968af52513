import { collectConfigSecrets } from "../infra/redact.js";
import { isSecretSubstitution, registerSecret } from "../infra/secrets.js";
import { resolveIncludes } from "./include.js";
import { configErrorMap, formatIssues, formatPath } from "./issues.js";
import { oversizedValueProblem } from "./limits.js";
import { parseWithOpenClawKeys } from "./openclaw-compat.js";
import {
  ConfigError,
  type ConfigSnapshot,
  configEnvVars,
  definedOnly,
  hashConfigText,
  parseConfigDocument,
} from "./read.js";
import { configSchema, type OpenClawConfig } from "./schema.js";

export * from "./read.js";
export { formatPath };

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
