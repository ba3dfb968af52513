import { z } from "zod";

/**
 * Schemas built on first use (#23). Building the whole `openclaw.json` schema with zod
 * costs tens of milliseconds and ~10 MB at every start, mostly for sections a config
 * does not have (five chat channels, agents, MCP…). Each section is a memoized factory
 * instead, and the root and `channels` objects are validated key by key, so a section's
 * schema objects are built only when a config that has it is validated, or when
 * something needs the whole schema (JSON Schema, docs, "did you mean").
 */

/** Names of the lazy schemas built so far in this process: what the laziness test watches. */
export const builtSchemas = new Set<string>();

/** `build()` on the first call, that same instance on every later one. */
export function lazySchema<T>(name: string, build: () => T): () => T {
  let built: T | undefined;
  return () => {
    if (built === undefined) {
      built = build();
      builtSchemas.add(name);
    }
    return built;
  };
}

/** One key of a lazy object: its (optional) schema's factory, or a nested lazy object. */
type Field = (() => z.ZodType) | LazyObject<z.ZodRawShape>;

type FieldSchema<F> =
  F extends LazyObject<infer S>
    ? z.ZodOptional<z.ZodObject<S, z.core.$strict>>
    : F extends () => infer T
      ? T
      : never;

/** The zod shape a lazy object's fields stand for. */
export type ShapeOf<F extends Record<string, Field>> = { [K in keyof F]: FieldSchema<F[K]> };

type ParseParams = z.core.ParseContext<z.core.$ZodIssue>;

/**
 * A strict object whose field schemas are built the first time the field is present in a
 * validated value. Validation gives what `z.strictObject(shape)` gives: the same issues
 * (fields in shape order, then unknown keys), paths and messages, and the same output.
 * Every field must be optional (an absent one is never built, so never checked).
 */
export class LazyObject<S extends z.ZodRawShape> {
  readonly keys: readonly string[];
  /** Top-level type check and unknown keys only: one shared schema for every value. */
  private readonly skeleton: () => z.ZodObject;
  private readonly whole: () => z.ZodObject<S, z.core.$strict>;
  private readonly optionalWhole: () => z.ZodOptional<z.ZodObject<S, z.core.$strict>>;

  constructor(
    readonly name: string,
    private readonly fields: Record<string, Field>,
    description?: string,
  ) {
    const keys = Object.keys(fields);
    this.keys = keys;
    this.skeleton = lazySchema(`${name} (keys)`, () => {
      const anything = z.unknown().optional();
      return z.strictObject(Object.fromEntries(keys.map((key) => [key, anything])));
    });
    this.whole = lazySchema(`${name} (whole)`, () => {
      const shape = Object.fromEntries(
        keys.map((key) => {
          const field = this.fieldOrLazy(key);
          return [key, field instanceof LazyObject ? field.optional() : field];
        }),
      );
      const object = z.strictObject(shape) as unknown as z.ZodObject<S, z.core.$strict>;
      return description === undefined ? object : object.describe(description);
    });
    this.optionalWhole = lazySchema(`${name} (optional)`, () => this.whole().optional());
  }

  /** The field `key`: a nested lazy object as itself, else its (optional) schema, built on first use. */
  fieldOrLazy(key: string): z.ZodType | LazyObject<z.ZodRawShape> {
    const field = this.fields[key];
    if (field === undefined) throw new Error(`${this.name} has no key ${key}`);
    return field instanceof LazyObject ? field : field();
  }

  /** Every field built: for the JSON Schema, docs and anything that walks the whole schema. */
  full(): z.ZodObject<S, z.core.$strict> {
    return this.whole();
  }

  /** `full().optional()`, one instance: this object as a field of another. */
  optional(): z.ZodOptional<z.ZodObject<S, z.core.$strict>> {
    return this.optionalWhole();
  }

  safeParse(input: unknown, params?: ParseParams): z.ZodSafeParseResult<z.output<z.ZodObject<S>>> {
    const shape = this.skeleton().safeParse(input, params);
    if (!shape.success && shape.error.issues.some((i) => i.code !== "unrecognized_keys")) {
      return shape as never;
    }
    const value = input as Record<string, unknown>;
    const issues: z.core.$ZodIssue[] = [];
    const output: Record<string, unknown> = {};
    for (const key of this.keys) {
      // zod's object skips __proto__ the same way (assigning it would change the prototype).
      if (!(key in value) || key === "__proto__") continue;
      const result = this.parseField(key, value[key], params);
      if (result.success) output[key] = result.data;
      else for (const issue of result.error.issues) issues.push({ ...issue, path: [key, ...issue.path] });
    }
    // zod reports unknown keys after the fields' own issues.
    if (!shape.success) issues.push(...shape.error.issues);
    if (issues.length > 0) return { success: false, error: new z.ZodError(issues) } as never;
    return { success: true, data: output } as never;
  }

  private parseField(key: string, value: unknown, params?: ParseParams): z.ZodSafeParseResult<unknown> {
    const field = this.fields[key]!;
    if (!(field instanceof LazyObject)) return field().safeParse(value, params);
    return value === undefined ? { success: true, data: undefined } : field.safeParse(value, params);
  }
}

/** A strict object of lazily built fields (see LazyObject); `description` goes on the whole. */
export function lazyStrictObject<F extends Record<string, Field>>(
  name: string,
  fields: F,
  description?: string,
): LazyObject<ShapeOf<F>> {
  return new LazyObject<ShapeOf<F>>(name, fields, description);
}
