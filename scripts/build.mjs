// Bundles src/index.ts into dist/index.js (ESM); options in build-options.mjs.
// Then the Control UI into dist/control-ui/ (build-ui.mjs), served by the gateway.
import { rm } from "node:fs/promises";
import { build } from "esbuild";
import { buildOptions } from "./build-options.mjs";
import { buildControlUi } from "./build-ui.mjs";

await rm("dist", { recursive: true, force: true });
await build(buildOptions);
await buildControlUi();
