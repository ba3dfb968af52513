import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import JSON5 from "json5";
import { configSizeProblem } from "./limits.js";
import { formatPath } from "./value-text.js";

/** OpenClaw's limit on nested `$include`s. */
export const MAX_INCLUDE_DEPTH = 10;
const INCLUDE_KEY = "$include";

type Json = unknown;
type Key = string | number;

interface IncludeState {
  /** Included files must resolve inside this folder (the main config file's). */
  readonly rootDir: string;
  readonly mainFile: string;
  readonly problems: string[];
}

/**
 * Replaces every `{ $include: "file" | ["a", "b"], ...siblings }` in `value` with the
 * included content: one file replaces the object, several are deep-merged in order,
 * and sibling keys override what was included. Paths are relative to the including
 * file and must stay inside the main config's folder. Problems are collected, not thrown.
 */
export function resolveIncludes(value: Json, file: string, problems: string[]): Json {
  const rootDir = realDir(path.dirname(path.resolve(file)));
  const mainFile = path.join(rootDir, path.basename(file));
  return resolveValue(value, { rootDir, mainFile, problems }, mainFile, [mainFile], []);
}

function resolveValue(value: Json, state: IncludeState, file: string, chain: string[], at: Key[]): Json {
  if (Array.isArray(value)) return value.map((item, i) => resolveValue(item, state, file, chain, [...at, i]));
  if (!isPlainObject(value)) return value;
  const resolved: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key !== INCLUDE_KEY) resolved[key] = resolveValue(item, state, file, chain, [...at, key]);
  }
  if (!(INCLUDE_KEY in value)) return resolved;

  const spec = value[INCLUDE_KEY];
  // Problems inside an included file name that file first.
  const inFile = file === state.mainFile ? "" : `${path.relative(state.rootDir, file)}: `;
  const where = `${inFile}${formatPath([...at, INCLUDE_KEY])}`;
  const targets = typeof spec === "string" ? [spec] : spec;
  if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== "string")) {
    state.problems.push(
      `${where}: must be a file path or a list of file paths (got ${JSON.stringify(spec)})`,
    );
    return resolved;
  }
  let included: Json;
  for (const target of targets as string[]) {
    const content = loadIncluded(target, state, file, chain, where);
    if (content === undefined) continue;
    included = included === undefined ? content : deepMerge(included, content);
  }
  if (included === undefined) return resolved;
  if (Object.keys(resolved).length === 0) return included;
  if (!isPlainObject(included)) {
    state.problems.push(`${where}: an include with sibling keys must contain an object`);
    return resolved;
  }
  return deepMerge(included, resolved);
}

function loadIncluded(
  target: string,
  state: IncludeState,
  from: string,
  chain: string[],
  where: string,
): Json | undefined {
  const resolvedPath = path.resolve(path.dirname(from), target);
  let real: string;
  try {
    real = realpathSync(resolvedPath);
  } catch {
    state.problems.push(`${where}: cannot read ${JSON.stringify(target)} (no such file)`);
    return undefined;
  }
  const relative = path.relative(state.rootDir, real);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    state.problems.push(
      `${where}: ${JSON.stringify(target)} is outside the config folder ${state.rootDir}; includes must stay inside it`,
    );
    return undefined;
  }
  if (chain.includes(real)) {
    const names = [...chain.slice(chain.indexOf(real)), real].map((f) => path.relative(state.rootDir, f));
    state.problems.push(`${where}: circular $include: ${names.join(" → ")}`);
    return undefined;
  }
  if (chain.length > MAX_INCLUDE_DEPTH) {
    state.problems.push(`${where}: $include nested more than ${MAX_INCLUDE_DEPTH} levels deep`);
    return undefined;
  }
  const tooBig = configSizeProblem(statSync(real).size);
  if (tooBig) {
    state.problems.push(`${where}: ${JSON.stringify(target)}: ${tooBig}`);
    return undefined;
  }
  let parsed: Json;
  try {
    parsed = JSON5.parse(readFileSync(real, "utf8"));
  } catch (err) {
    state.problems.push(`${where}: ${JSON.stringify(target)} is not valid JSON5: ${(err as Error).message}`);
    return undefined;
  }
  return resolveValue(parsed, state, real, [...chain, real], []);
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key (right wins); arrays and everything else are replaced. */
export function deepMerge(left: Json, right: Json): Json {
  if (!isPlainObject(left) || !isPlainObject(right)) return right;
  const out: Record<string, Json> = { ...left };
  for (const [key, value] of Object.entries(right)) {
    out[key] = key in out ? deepMerge(out[key], value) : value;
  }
  return out;
}
