import { createHash, timingSafeEqual } from "node:crypto";

/**
 * What counts as a secret, in one place: the registry of secret values the gateway
 * holds (tokens, keys, `${VAR}` substitutions), the rule for secret-looking
 * environment variable names, the scrubbed environment every child process gets, and
 * the one constant-time comparison of secrets.
 * Redaction (`redact.ts`) and the exec tool read from here.
 */

/**
 * Values shorter than this are not treated as secrets by value: replacing every
 * occurrence of "true" or "3000" would mangle ordinary text, and real keys are longer.
 */
export const MIN_SECRET_LENGTH = 6;

/** Append-only: a rotated secret stays redacted, since old log lines may still hold it. */
const knownSecrets = new Set<string>();
/** `knownSecrets` longest first, rebuilt only after a new one (every log line reads it). */
let longestFirst: string[] = [];

/** Values that must never reach a client, a log line or a child process. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || knownSecrets.has(value)) return;
  knownSecrets.add(value);
  longestFirst = [...knownSecrets].sort((a, b) => b.length - a.length);
}

/** Known secrets, longest first (so a secret containing another is replaced whole). */
export function listKnownSecrets(): readonly string[] {
  return longestFirst;
}

/** True when `text` equals or contains a registered secret. */
export function containsKnownSecret(text: string): boolean {
  for (const secret of knownSecrets) if (text.includes(secret)) return true;
  return false;
}

/**
 * Env names that hold credentials: `*_KEY`/`*_KEYS` (ANTHROPIC_API_KEY,
 * AWS_SECRET_ACCESS_KEY…), anything with TOKEN, SECRET, PASSWORD/PASSWD, PASSPHRASE or
 * CREDENTIAL (GOOGLE_APPLICATION_CREDENTIALS), and AUTH as a word (SSH_AUTH_SOCK opens
 * the user's SSH agent). OPENCLAW_GATEWAY_TOKEN/_PASSWORD match by the words;
 * OPENCLAW_GATEWAY_PORT is no secret.
 */
const CREDENTIAL_ENV_NAME =
  /(_KEYS?$|^KEYS?$|APIKEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|(^|_)AUTH($|_))/i;
/**
 * Cloud SDK settings kept from child processes whole (AWS_PROFILE, AZURE_CLIENT_ID… pick
 * credentials), though their values are not secrets to mask in logs (AWS_REGION).
 */
const CLOUD_ENV_PREFIX = /^(AWS|AZURE)_/i;

/** A variable whose value is a credential (registered, so it is masked wherever it shows up). */
export function isCredentialEnvName(name: string): boolean {
  return CREDENTIAL_ENV_NAME.test(name);
}

/** A variable child processes do not inherit. */
export function isSecretEnvName(name: string): boolean {
  return isCredentialEnvName(name) || CLOUD_ENV_PREFIX.test(name);
}

/** `scheme://user:pass@host` or `scheme://token@host` anywhere in `value`. */
const URL_USERINFO = /\b[a-z][a-z0-9+.-]*:\/\/[^/\s@"'<>]+@/i;

export function hasUrlCredentials(value: string): boolean {
  return URL_USERINFO.test(value);
}

/**
 * Variables whose values are visible to every local user anyway (HOME is in
 * /etc/passwd), so a `${HOME}` in the config does not turn every path in the logs
 * into `***`. Any other substituted variable is treated as a secret.
 */
const PUBLIC_ENV_NAMES = new Set([
  "HOME",
  "USER",
  "LOGNAME",
  "PWD",
  "TMPDIR",
  "HOSTNAME",
  "SHELL",
  "LANG",
  "TZ",
  "PATH",
  "OPENCLAW_STATE_DIR",
  "OPENCLAW_CONFIG_PATH",
]);

/** Whether the value substituted for `${name}` in the config is a secret. */
export function isSecretSubstitution(name: string): boolean {
  return !PUBLIC_ENV_NAMES.has(name);
}

/** Whether a child process must not inherit `name=value`. */
export function isSecretEnvEntry(name: string, value: string): boolean {
  return isSecretEnvName(name) || hasUrlCredentials(value) || containsKnownSecret(value);
}

/**
 * `env` without credentials, for every process the gateway starts (the exec tool,
 * signal-cli, tunnels): a child's /proc/<pid>/environ is readable by any process of
 * the same user, including commands the model runs.
 */
export function childProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !isSecretEnvEntry(name, value)) out[name] = value;
  }
  return out;
}

/** Constant-time comparison of two secrets of any length (hashing first hides the length). */
export function safeEqualSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
