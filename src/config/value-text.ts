/**
 * Paths and values as config messages show them. Apart from ./issues.ts (which needs zod)
 * so that reading a config file, its size limits and `$include`s load no zod (#23).
 */

type Key = PropertyKey;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `agents.list[0].id`, `channels.discord.guilds["123"].channels.general`: pasteable into `config set`. */
export function formatPath(at: readonly Key[]): string {
  if (at.length === 0) return "(root)";
  return at
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      const name = String(key);
      if (!IDENTIFIER.test(name)) return `[${JSON.stringify(name)}]`;
      return i === 0 ? name : `.${name}`;
    })
    .join("");
}

/** Short JSON of a value for "(got …)"; never the whole of a big object. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
