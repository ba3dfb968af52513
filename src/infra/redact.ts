import { isCredentialEnvName, listKnownSecrets, registerSecret } from "./secrets.js";

/**
 * The one redaction module: everything the gateway returns or writes that may hold a
 * secret (config.get, the CLI's `config get`, log lines, logs.tail) goes through here.
 *
 * By structure (config documents): values under secret-named keys (token, apiKey,
 * password…), every value of a `headers` map and of an `env` map (`env.vars`,
 * `plugins.entries.*.env`). By value (any string): registered secrets (see
 * `secrets.ts`: gateway token/password, provider and channel keys, `${VAR}`
 * substitutions, secret-looking env variables), URL credentials (`user:pass@`) and
 * every URL query value. Query names are no guide to what is secret (`key`, `sig`,
 * `code`, `X-Amz-Signature`, `hapikey`…), so all values go; the cost is a hidden
 * `api-version` now and then.
 */

/** Shown instead of a secret in config; sending it back in an edit keeps the stored value. */
export const REDACTED = "__OPENCLAW_REDACTED__";
/** Shown instead of a secret in log lines. */
export const LOG_MASK = "***";

export type PathKey = string | number;

/**
 * A URL in free text. Stops at whitespace, quotes, angle brackets and backslashes, so a
 * URL inside a JSON string (a log line) keeps its escapes intact.
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\]+/gi;

function redactUrl(url: string, mask: string, found: (secret: string) => void): string {
  const schemeEnd = url.indexOf("://") + 3;
  let rest = url.slice(schemeEnd);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    // `user:pass@` keeps the user; a bare `token@` (GitHub, Sentry DSNs) is the secret itself.
    const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
    if (secret !== "" && secret !== mask) {
      found(secret);
      rest = `${colon >= 0 ? `${userinfo.slice(0, colon)}:` : ""}${mask}${rest.slice(at)}`;
    }
  }
  const query = rest.indexOf("?");
  if (query < 0) return url.slice(0, schemeEnd) + rest;
  const hash = rest.indexOf("#", query);
  const end = hash < 0 ? rest.length : hash;
  const params = rest
    .slice(query + 1, end)
    .split("&")
    .map((param) => {
      const eq = param.indexOf("=");
      const value = eq < 0 ? "" : param.slice(eq + 1);
      if (value === "" || value === mask || isEnvReference(value)) return param;
      found(value);
      return `${param.slice(0, eq)}=${mask}`;
    });
  return `${url.slice(0, schemeEnd)}${rest.slice(0, query + 1)}${params.join("&")}${rest.slice(end)}`;
}

/**
 * `text` with every known secret, URL password and URL query value replaced by `mask`.
 * Secrets are also matched in their JSON-escaped form, for JSON log lines.
 */
export function redactText(text: string, mask = LOG_MASK, found: (secret: string) => void = () => {}) {
  let out = text;
  for (const secret of listKnownSecrets()) {
    const escaped = JSON.stringify(secret).slice(1, -1);
    for (const form of escaped === secret ? [secret] : [secret, escaped]) {
      if (out.includes(form)) out = out.split(form).join(mask);
    }
  }
  return out.replace(URL_IN_TEXT, (url) => redactUrl(url, mask, found));
}

/** Registers the credentials in `env` (at gateway start): credential-named values, URL passwords. */
export function registerEnvSecrets(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (isCredentialEnvName(name)) registerSecret(value);
    // DATABASE_URL=postgres://u:p@h/db: the password, not the whole URL, is the secret.
    else redactText(value, LOG_MASK, registerSecret);
  }
}

/** Keys whose string values are secrets (token, botToken, apiKey, webhookSecret, password…). */
const SECRET_KEY = /(token|password|passwd|secret|apikey|api_key|privatekey|credentials?)$/i;
/** Maps whose every value is a secret: HTTP headers (Authorization, x-api-key) and env vars. */
const SECRET_MAP_KEYS = new Set(["headers", "env"]);

/** Keys whose whole value (a map) is secret: `headers`, `env`. */
export function isSecretMapKey(key: string): boolean {
  return SECRET_MAP_KEYS.has(key);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/^(tokenFile|maxTokens|contextTokens)$/i.test(key);
}

/** A value that is only a `${VAR}` reference reveals nothing and stays visible. */
function isEnvReference(value: string): boolean {
  return /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How one config string is shown: whole (secret by structure) or with secret parts masked. */
function redactConfigString(value: string, secretByPlace: boolean, found: (secret: string) => void) {
  if (value === "" || isEnvReference(value)) return value;
  if (secretByPlace) {
    found(value);
    return REDACTED;
  }
  return redactText(value, REDACTED, found);
}

function walkConfig(
  node: unknown,
  here: PathKey[],
  inSecretMap: boolean,
  visit: (value: string, secretByPlace: boolean, at: PathKey[]) => string,
): unknown {
  if (typeof node === "string") return visit(node, inSecretMap, here);
  if (Array.isArray(node)) return node.map((item, i) => walkConfig(item, [...here, i], inSecretMap, visit));
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(node)) {
    const secretByPlace =
      inSecretMap || isSecretMapKey(key) || (isSecretKey(key) && typeof item === "string");
    out[key] = walkConfig(item, [...here, key], secretByPlace, visit);
  }
  return out;
}

/** A copy of a config document (or resolved config) safe to show; `paths` lists what changed. */
export function redactConfig(value: unknown): { value: unknown; paths: PathKey[][] } {
  const paths: PathKey[][] = [];
  const redacted = walkConfig(value, [], false, (text, secretByPlace, at) => {
    const shown = redactConfigString(text, secretByPlace, () => {});
    if (shown !== text) paths.push(at);
    return shown;
  });
  return { value: redacted, paths };
}

/** Entries of a header or env map whose value is a credential by name (the rest are hidden, not registered). */
const SECRET_MAP_ENTRY = /(auth|key|token|secret|password|passwd|cookie|credential|signature)/i;

/**
 * The secret values in a resolved config, to register for logs and child environments:
 * values of secret keys and of credential-named header/env entries, URL passwords and
 * query values. (A header like `x-title: MyApp` is hidden in config output but not
 * registered, or every "MyApp" in the logs would become `***`.)
 */
export function collectConfigSecrets(value: unknown): string[] {
  const secrets: string[] = [];
  walkConfig(value, [], false, (text, secretByPlace, at) => {
    const key = String(at.at(-1) ?? "");
    const credential = secretByPlace && (isSecretKey(key) || SECRET_MAP_ENTRY.test(key));
    redactConfigString(text, credential, (secret) => secrets.push(secret));
    return text;
  });
  return secrets;
}

/** An edit holds the redaction marker where no stored secret matches it. */
export class RedactedValueError extends Error {
  constructor(readonly path: PathKey[]) {
    super(
      `${path.join(".") || "(root)"}: holds ${REDACTED} but no stored secret matches it there; send the real value, or the field exactly as config.get returned it`,
    );
    this.name = "RedactedValueError";
  }
}

/**
 * Puts the stored secret back wherever an edit sent a redacted value unchanged: the
 * whole marker, or a string redacted in part (a URL's query) that equals the stored
 * value's redacted form. Any other use of the marker is an error, never written.
 */
export function restoreRedacted(edited: unknown, stored: unknown, at: PathKey[] = []): unknown {
  if (typeof edited === "string" && edited.includes(REDACTED)) {
    if (typeof stored === "string" && (edited === REDACTED || redactText(stored, REDACTED) === edited)) {
      return stored;
    }
    throw new RedactedValueError(at);
  }
  if (Array.isArray(edited)) {
    return edited.map((item, i) =>
      restoreRedacted(item, Array.isArray(stored) ? stored[i] : undefined, [...at, i]),
    );
  }
  if (!isPlainObject(edited)) return edited;
  const storedObject = isPlainObject(stored) ? stored : {};
  return Object.fromEntries(
    Object.entries(edited).map(([key, item]) => [
      key,
      restoreRedacted(item, storedObject[key], [...at, key]),
    ]),
  );
}

/** A command-line flag that names a credential: `--token`, `--api-key`, `--password`, `-H`-less forms. */
const SECRET_FLAG = /^--?[a-z0-9-_]*(token|password|passwd|secret|api[-_]?key|credentials?|auth[a-z-_]*)$/i;

/**
 * Command-line arguments safe to show (`openclaw mcp status`/`show`/`probe`): the value
 * of a credential-named flag (`--token=abc`, `--api-key abc`) becomes `mask`, and
 * every argument also goes through `redactText` (known secrets, URL credentials).
 */
export function redactArgs(args: readonly string[], mask = LOG_MASK): string[] {
  return args.map((arg, i) => {
    const eq = arg.indexOf("=");
    if (
      arg.startsWith("-") &&
      eq > 0 &&
      SECRET_FLAG.test(arg.slice(0, eq)) &&
      !isEnvReference(arg.slice(eq + 1))
    )
      return `${arg.slice(0, eq + 1)}${mask}`;
    const previous = args[i - 1];
    if (
      previous !== undefined &&
      !previous.includes("=") &&
      SECRET_FLAG.test(previous) &&
      !arg.startsWith("-")
    )
      return isEnvReference(arg) ? arg : mask;
    return redactText(arg, mask);
  });
}
