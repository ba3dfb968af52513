/**
 * Shape checks for the OpenClaw contract tests: a contract is a list of paths into a
 * reply (`a.b`, `a[].b` for "in the first element of the array a"); each must exist in
 * the recorded real reply (so a typo in the contract fails too) and in ours, with the
 * same JSON type. A path the real reply has as `null` accepts any type in ours.
 */

export type JsonType = "null" | "array" | "object" | "string" | "number" | "boolean" | "missing";

export function jsonType(value: unknown): JsonType {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as JsonType;
}

/** The value at `path`, or undefined where a step is missing or an array is empty. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const raw of path.split(".")) {
    const each = raw.endsWith("[]");
    const key = each ? raw.slice(0, -2) : raw;
    if (key !== "") {
      if (current === null || typeof current !== "object") return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    if (each) {
      if (!Array.isArray(current) || current.length === 0) return undefined;
      current = current[0];
    }
  }
  return current;
}

/** One line per path whose type differs between the real reply and ours; empty when they agree. */
export function shapeMismatches(recorded: unknown, ours: unknown, paths: readonly string[]): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    const want = jsonType(at(recorded, path));
    const got = jsonType(at(ours, path));
    if (want === "missing") problems.push(`${path}: not in the recorded OpenClaw reply (fix the contract)`);
    else if (want !== "null" && want !== got) problems.push(`${path}: OpenClaw sends ${want}, ours ${got}`);
  }
  return problems;
}
