import type { z } from "zod";
import { configErrorMap, formatIssues, formatPath } from "../config/issues.js";
import type { OpenClawConfig } from "../config/schema.js";
import { BUNDLED_PLUGINS } from "./bundled.js";

type Entry = { enabled?: boolean; config?: Record<string, unknown> };

/** `plugins.entries.<id>.config`: what `path: message (got …)` lines start with. */
export function pluginConfigPath(id: string): PropertyKey[] {
  return ["plugins", "entries", id, "config"];
}

/**
 * Checks a plugin's config against its schema. Bundled schemas are zod 4 like the
 * rest of the config and get the same messages; a plugin from `plugins.load.paths`
 * may bring any schema with `safeParse` (another zod), reported as it words it.
 */
export function checkPluginConfig(
  id: string,
  schema: Pick<z.ZodType, "safeParse"> | undefined,
  value: unknown,
): { ok: true; data: unknown } | { ok: false; problems: string[] } {
  if (!schema) return { ok: true, data: value ?? {} };
  const input = value ?? {};
  const result = schema.safeParse(input, { error: configErrorMap });
  if (result.success) return { ok: true, data: result.data };
  const issues = (result.error as { issues?: z.core.$ZodIssue[] }).issues ?? [];
  const under = pluginConfigPath(id);
  const problems =
    BUNDLED_PLUGINS[id]?.configSchema() === schema
      ? formatIssues(issues, input, schema as z.ZodType, [], under)
      : issues.map((i) => `${formatPath([...under, ...(i.path ?? [])])}: ${i.message}`);
  return { ok: false, problems: problems.length ? problems : [`${formatPath(under)}: invalid`] };
}

/**
 * `writeConfig`'s check for bundled plugins: an edit is the moment to say a plugin's
 * settings are wrong. (At start, a plugin with a bad config is skipped instead.)
 */
export function checkBundledPlugins(snapshot: { config: OpenClawConfig }): string[] {
  return bundledPluginProblems(snapshot.config);
}

/**
 * Problems in the config of bundled plugins the config turns on or configures
 * (an entry with `config`, unless `enabled: false`). Config edits are refused on
 * these; at start and on reload the plugin is reported and skipped instead.
 */
export function bundledPluginProblems(config: OpenClawConfig): string[] {
  const entries = (config.plugins?.entries ?? {}) as Record<string, Entry>;
  const problems: string[] = [];
  for (const [id, entry] of Object.entries(entries)) {
    const bundled = BUNDLED_PLUGINS[id];
    if (!bundled || entry.enabled === false || (entry.config === undefined && entry.enabled !== true))
      continue;
    const checked = checkPluginConfig(id, bundled.configSchema(), entry.config);
    if (!checked.ok) problems.push(...checked.problems);
  }
  return problems;
}
