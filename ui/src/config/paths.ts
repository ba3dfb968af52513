/**
 * Config paths as the gateway prints them (`agents.list[0].id`,
 * `channels.discord.guilds["123"]`), so a server message `path: message (got …)`
 * can be matched to the form field that shows that path.
 */

export type PathKey = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The same spelling as the gateway's formatPath (src/config/issues.ts). */
export function formatPath(at: readonly PathKey[]): string {
  if (at.length === 0) return "(root)";
  return at
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      if (!IDENTIFIER.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join("");
}

const PATH_PREFIX =
  /^(?:\(root\)|(?:[A-Za-z_$][A-Za-z0-9_$]*|\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])+)(?=: )/;

/** Splits `gateway.port: must be ≤ 65535 (got 70000)` into its path and message. */
export function splitProblem(problem: string): { path?: string; message: string } {
  const match = PATH_PREFIX.exec(problem);
  if (!match) return { message: problem };
  return { path: match[0], message: problem.slice(match[0].length + 2) };
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

export function getAt(root: unknown, at: readonly PathKey[]): unknown {
  let cur = root;
  for (const key of at) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<PathKey, unknown>)[key];
  }
  return cur;
}

/** A copy of `root` with `value` at `at`; undefined removes the key (and parents left empty). */
export function setAt(
  root: Record<string, unknown>,
  at: readonly PathKey[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = at;
  if (head === undefined) return root;
  const out = (Array.isArray(root) ? [...root] : { ...root }) as Record<PathKey, unknown>;
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
  } else {
    const child = out[head];
    const next = setAt(
      typeof child === "object" && child !== null ? (child as Record<string, unknown>) : {},
      rest,
      value,
    );
    if (Object.keys(next).length === 0 && !Array.isArray(next)) delete out[head];
    else out[head] = next;
  }
  return out as Record<string, unknown>;
}

/** Whether a path matches one of the schema hints' patterns (`*` = any key, `[*]` = any index). */
export function matchesHint(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .split(/(\[\*\]|\.\*)/)
        .map((part) =>
          part === "[*]"
            ? "\\[\\d+\\]"
            : part === ".*"
              ? '(?:\\.[A-Za-z_$][\\w$]*|\\["(?:[^"\\\\]|\\\\.)*"\\])'
              : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("")}$`,
    );
    return re.test(path);
  });
}
