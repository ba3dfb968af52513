// Writes docs/configuration.md from the zod schema (src/config/docs.ts). Bundles the
// TypeScript with esbuild into a temp module first, the same way the CLI is built.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const pkg = JSON.parse(await readFile("package.json", "utf8"));
const dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-docs-"));
const outfile = path.join(dir, "docs.mjs");
try {
  await build({
    entryPoints: ["src/config/docs.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    define: { __OPENCLAW_VERSION__: JSON.stringify(pkg.version) },
    logLevel: "warning",
  });
  const { renderConfigDocs } = await import(pathToFileURL(outfile).href);
  await writeFile("docs/configuration.md", renderConfigDocs());
  console.log("wrote docs/configuration.md");
} finally {
  await rm(dir, { recursive: true, force: true });
}
