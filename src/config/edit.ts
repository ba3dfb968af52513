import type { PathKey } from "../infra/redact.js";
import { isPlainObject } from "./include.js";

export type { PathKey };

/**
 * Pure edits on a config document (the parsed file, before includes and `${VAR}`):
 * path parsing for `config get/set/unset` and JSON merge patch for `config.patch`.
 * Redaction of secrets lives in infra/redact.ts.
 */

/**
 * Parses `agents.list[0].id` or `channels.discord.guilds["123"].channels.general.allow`.
 * `[n]` is an array index; `["…"]`/`['…']` and dotted segments are object keys.
 */
export function parseConfigPath(text: string): PathKey[] {
  const keys: PathKey[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid config path ${JSON.stringify(text)}: ${why}`);
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "[") {
      const close = text.indexOf("]", i);
      if (close < 0) fail("missing ]");
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) keys.push(Number(inner));
      else if (/^(["']).*\1$/.test(inner)) keys.push(inner.slice(1, -1));
      else fail(`[${inner}] must be a number or a quoted key`);
      i = close + 1;
      if (text[i] === ".") i++;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== "." && text[end] !== "[") end++;
    const segment = text.slice(i, end);
    if (segment === "") fail("empty segment");
    keys.push(segment);
    i = end;
    if (text[i] === ".") {
      i++;
      if (i === text.length) fail("ends with a dot");
    }
  }
  if (keys.length === 0) fail("empty path");
  return keys;
}

export function getAtPath(root: unknown, path: readonly PathKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (Array.isArray(cur) && typeof key === "number") cur = cur[key];
    else if (isPlainObject(cur) && typeof key === "string") cur = cur[key];
    else return undefined;
  }
  return cur;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A copy of `root` with `value` at `path`, creating objects (or arrays for `[n]`) on the way. */
export function setAtPath(root: Record<string, unknown>, path: readonly PathKey[], value: unknown) {
  const out = clone(root);
  let cur: Record<PathKey, unknown> | unknown[] = out;
  path.forEach((key, i) => {
    const last = i === path.length - 1;
    const container = cur as Record<PathKey, unknown>;
    if (Array.isArray(cur) && typeof key !== "number") {
      throw new Error(`cannot set key ${JSON.stringify(key)} on a list (use [index])`);
    }
    if (last) {
      container[key] = value;
      return;
    }
    const next = container[key];
    const wantArray = typeof path[i + 1] === "number";
    if (next === undefined || next === null || typeof next !== "object") {
      container[key] = wantArray ? [] : {};
    }
    cur = container[key] as Record<PathKey, unknown>;
  });
  return out;
}

/** A copy of `root` without the value at `path`; `removed` is false when nothing was there. */
export function unsetAtPath(
  root: Record<string, unknown>,
  path: readonly PathKey[],
): { document: Record<string, unknown>; removed: boolean } {
  const out = clone(root);
  const parent = getAtPath(out, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof key === "number" && key < parent.length) {
    parent.splice(key, 1);
    return { document: out, removed: true };
  }
  if (isPlainObject(parent) && typeof key === "string" && key in parent) {
    delete parent[key];
    return { document: out, removed: true };
  }
  return { document: out, removed: false };
}

/** RFC 7396 JSON merge patch: objects merge, `null` deletes, arrays and scalars replace. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
