/**
 * The layer rule of docs/architecture.md as data, and a scanner that lists every import
 * breaking it. Imports are read with TypeScript's own pre-processor, so type-only
 * imports, `export … from` and dynamic `import()` all count.
 */
import { type Dirent, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Bottom to top; a file may import its own layer and those below it. */
export const LAYERS = [
  ["infra"],
  ["config"],
  ["routing", "sessions", "providers", "memory", "skills"],
  ["agents"],
  ["channels"],
  ["cron"],
  ["plugins"],
  ["gateway"],
  ["cli"],
] as const;

/** Files at the top of src/: the version constant is at the bottom, the entry point above everything. */
const ROOT_FILES: Record<string, number> = { "version.ts": 0, "index.ts": LAYERS.length };

/**
 * Upward imports that are right where they are, each with why. Keyed `from → to`
 * (paths under src/). Keep this short: the fix is nearly always to move a type down.
 */
export const ALLOWED_UPWARD: Record<string, string> = {
  "channels/telegram/webhook.test.ts → gateway/http.ts":
    "the test serves the webhook route through the gateway's real HTTP handler, to check what Telegram sees on the wire",
  "plugins/host.test.ts → gateway/http.ts":
    "the test serves plugin routes through the gateway's real HTTP handler, to check auth and error answers on the wire",
};

export interface Violation {
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
}

/** The layer index of a path under src/, or undefined for a folder that has no layer yet. */
export function layerOf(relPath: string): number | undefined {
  const [top, ...rest] = relPath.split("/");
  if (rest.length === 0) return ROOT_FILES[top!];
  const index = LAYERS.findIndex((names) => (names as readonly string[]).includes(top!));
  return index === -1 ? undefined : index;
}

export function layerName(index: number): string {
  return index === LAYERS.length ? "entry point" : LAYERS[index]!.join("/");
}

/** Every `.ts`/`.tsx` file under `dir`, as paths relative to it. */
export function listSources(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"));
}

/** The relative module specifiers a file imports (static, type-only, re-exports and dynamic). */
export function relativeImports(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith("."));
}

/** Resolves `spec` from `fromRel` (both under the same root) to a root-relative `.ts` path. */
export function resolveImport(fromRel: string, spec: string): string {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  return joined.replace(/\.js$/, ".ts").replace(/\.jsx$/, ".tsx");
}

/** The upward imports in one file: `imports` are already resolved, root-relative paths. */
export function upwardImports(from: string, imports: readonly string[]): Violation[] {
  const a = layerOf(from);
  if (a === undefined) return [];
  const found: Violation[] = [];
  for (const to of imports) {
    if (to.startsWith("../")) continue; // Outside src/ (test helpers, ui/: checked on its own).
    const b = layerOf(to);
    if (b === undefined || b <= a) continue;
    found.push({ from, to, fromLayer: layerName(a), toLayer: layerName(b) });
  }
  return found;
}

export function formatViolation(v: Violation): string {
  return `${v.from} → ${v.to} (layer ${v.toLayer} above ${v.fromLayer})`;
}
