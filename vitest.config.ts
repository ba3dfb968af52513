import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { defineConfig } from "vitest/config";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** The build bundles @discordjs/rest's web entry (scripts/discord-rest-web.mjs); test that one. */
const discordRestWebEntry = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@discordjs/rest")),
  "web.mjs",
);

export default defineConfig({
  resolve: { alias: [{ find: /^@discordjs\/rest$/, replacement: discordRestWebEntry }] },
  define: { __OPENCLAW_VERSION__: JSON.stringify(pkg.version) },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // @slack/socket-mode on the build's undici shim (scripts/slack-undici-shim.mjs).
    setupFiles: ["test/helpers/slack-undici-hook.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
