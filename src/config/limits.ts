import { formatPath } from "./value-text.js";

/**
 * Size limits for openclaw.json (and each `$include`d file). A real config is a few
 * KB; one with every channel, guild and agent spelled out stays well under 100 KB.
 * Without a cap, a 7 MiB value cost 1 GB after four `config.get`s (each returns the
 * document, the resolved config and the raw text).
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * Largest single string (key or value). The longest real ones are prompts and
 * certificates, a few KB; longer text belongs in a workspace file.
 */
export const MAX_CONFIG_VALUE_BYTES = 64 * 1024;

const MIB = 1024 * 1024;
const describeBytes = (n: number) => (n >= MIB ? `${(n / MIB).toFixed(1)} MiB` : `${n} bytes`);

/** The problem with a config text of `bytes` bytes, if it is over MAX_CONFIG_BYTES. */
export function configSizeProblem(bytes: number): string | undefined {
  if (bytes <= MAX_CONFIG_BYTES) return undefined;
  return `the file is ${describeBytes(bytes)}, over the ${MAX_CONFIG_BYTES}-byte (1 MiB) limit for a config file; move large text into workspace files`;
}

/** The first string in `value` (key or value) over MAX_CONFIG_VALUE_BYTES, as a problem line. */
export function oversizedValueProblem(value: unknown, at: (string | number)[] = []): string | undefined {
  if (typeof value === "string") {
    // Cheap first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
    if (value.length * 3 <= MAX_CONFIG_VALUE_BYTES) return undefined;
    const bytes = Buffer.byteLength(value);
    if (bytes <= MAX_CONFIG_VALUE_BYTES) return undefined;
    return `${formatPath(at)}: value is ${describeBytes(bytes)}, over the ${MAX_CONFIG_VALUE_BYTES}-byte (64 KiB) limit for one config value; keep long text in a workspace file`;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof key === "string" && Buffer.byteLength(key) > MAX_CONFIG_VALUE_BYTES)
      return `${formatPath(at)}: a key is over the ${MAX_CONFIG_VALUE_BYTES}-byte limit`;
    const problem = oversizedValueProblem(item, [...at, key]);
    if (problem) return problem;
  }
  return undefined;
}
