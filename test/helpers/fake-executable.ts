import { writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Node flags that run a TypeScript file directly: type stripping is on by default from Node
 * 22.18 / 23.6 (`process.features.typescript`), behind a flag on older 22.x (the product's
 * floor is 22.12, and the Node matrix runs these tests there too).
 */
export const STRIP_TYPES_FLAGS: readonly string[] = (process.features as { typescript?: unknown }).typescript
  ? []
  : ["--experimental-strip-types", "--no-warnings"];

/**
 * Writes `dir/name`, a shell script standing in for a CLI (signal-cli, tailscale): it exports
 * `env` and runs the TypeScript fake `tsFile` with this Node, passing its arguments on.
 */
export function writeFakeExecutable(
  dir: string,
  name: string,
  tsFile: string,
  env: Record<string, string> = {},
): string {
  const script = path.join(dir, name);
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}=${JSON.stringify(v)}\n`)
    .join("");
  const argv = [process.execPath, ...STRIP_TYPES_FLAGS, tsFile].map((a) => JSON.stringify(a)).join(" ");
  writeFileSync(script, `#!/bin/sh\n${exports}exec ${argv} "$@"\n`, { mode: 0o755 });
  return script;
}
