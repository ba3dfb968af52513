import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { resolveUserPath } from "../config/paths.js";
import type { OpenClawConfig } from "../config/schema.js";
import { createLogger } from "../infra/logger.js";
import { BUNDLED_PLUGINS } from "./bundled.js";
import { type PluginReport, report } from "./report.js";
import type { PluginDefinition } from "./types.js";

const log = createLogger("plugins");

/** A plugin that could be loaded: its id is known, its code not yet imported. */
export interface Candidate {
  id: string;
  origin: "bundled" | "path";
  source?: string;
  load(): Promise<PluginDefinition>;
}

/**
 * The bundled plugins plus one per `plugins.load.paths` entry (a file or a folder), and a
 * report for each path that could not be read as a plugin.
 */
export async function discoverPlugins(
  config: OpenClawConfig,
  env: NodeJS.ProcessEnv,
  configDir: string,
): Promise<{ candidates: Map<string, Candidate>; failed: PluginReport[] }> {
  const candidates = new Map<string, Candidate>();
  const failed: PluginReport[] = [];
  for (const [id, bundled] of Object.entries(BUNDLED_PLUGINS)) {
    candidates.set(id, { id, origin: "bundled", load: bundled.load });
  }
  for (const raw of config.plugins?.load?.paths ?? []) {
    const where = resolveUserPath(raw, env, configDir);
    try {
      const candidate = await pathCandidate(where);
      if (candidates.has(candidate.id)) {
        log.error(`plugin ${candidate.id} from ${where} skipped: a plugin with that id is already known`);
        continue;
      }
      candidates.set(candidate.id, candidate);
    } catch (err) {
      const id = path.basename(where).replace(/\.[cm]?js$/, "");
      const reason = `plugins.load.paths: ${(err as Error).message}`;
      log.error(`plugin ${id} disabled: ${reason}`);
      failed.push(report({ id, origin: "path", source: where }, "error", reason));
    }
  }
  return { candidates, failed };
}

/**
 * Why a candidate does not load, or undefined when it does. Bundled plugins load only
 * when their entry says `enabled: true`; plugins from `load.paths` unless `enabled: false`.
 * `plugins.enabled: false` turns all off; `deny` wins over `allow`.
 */
export function disabledReason(
  candidate: Candidate,
  settings: NonNullable<OpenClawConfig["plugins"]>,
  entry: { enabled?: boolean; config?: unknown } | undefined,
): string | undefined {
  if (settings.enabled === false) return "plugins.enabled is false";
  if (settings.deny?.includes(candidate.id)) return "listed in plugins.deny";
  if (settings.allow?.length && !settings.allow.includes(candidate.id)) return "not listed in plugins.allow";
  if (entry?.enabled === false) return `plugins.entries.${candidate.id}.enabled is false`;
  const inner = (entry?.config as { enabled?: unknown } | undefined)?.enabled;
  if (inner === false) return `plugins.entries.${candidate.id}.config.enabled is false`;
  if (candidate.origin === "bundled" && entry?.enabled !== true) return "not enabled";
  return undefined;
}

/**
 * A `plugins.load.paths` entry: a .js/.mjs file, or a folder with openclaw.plugin.json
 * (its `id`), package.json (`main`) or index.js. The id is known before any of the
 * plugin's code runs, so allow/deny/enabled are applied without importing it.
 */
async function pathCandidate(where: string): Promise<Candidate> {
  const info = await stat(where).catch(() => undefined);
  if (!info) throw new Error(`${where} does not exist`);
  let file = where;
  let id = path.basename(where).replace(/\.[cm]?js$/, "");
  if (info.isDirectory()) {
    ({ id, file } = await folderEntry(where));
  } else if (!/\.[cm]?js$/.test(where)) {
    throw new Error(`${where} is not a .js or .mjs file`);
  }
  return {
    id,
    origin: "path",
    source: where,
    load: async () => {
      const mod = (await import(pathToFileURL(file).href)) as {
        default?: PluginDefinition;
        plugin?: PluginDefinition;
      };
      return (mod.default ?? mod.plugin) as PluginDefinition;
    },
  };
}

/** A plugin folder's id (openclaw.plugin.json, else package.json's name) and entry file. */
async function folderEntry(where: string): Promise<{ id: string; file: string }> {
  const manifest = await readJson(path.join(where, "openclaw.plugin.json"));
  const pkg = await readJson(path.join(where, "package.json"));
  let id = path.basename(where).replace(/\.[cm]?js$/, "");
  if (typeof manifest?.id === "string") id = manifest.id;
  else if (typeof pkg?.name === "string") id = pkg.name.replace(/^@[^/]+\//, "");
  const main = typeof pkg?.main === "string" ? pkg.main : undefined;
  for (const option of [main, "index.js", "index.mjs"]) {
    if (!option) continue;
    const file = path.resolve(where, option);
    const isFile = await stat(file)
      .then((s) => s.isFile())
      .catch(() => false);
    if (isFile) return { id, file };
  }
  throw new Error(`${where} has no entry file (package.json main, index.js or index.mjs)`);
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
