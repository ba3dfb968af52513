// Bundles src/index.ts into dist/index.js (ESM); options in build-options.mjs.
import { rm } from "node:fs/promises";
import { build } from "esbuild";
import { buildOptions } from "./build-options.mjs";

await rm("dist", { recursive: true, force: true });
await build(buildOptions);
