// @discordjs/rest's Node entry imports the npm `undici` (~6 MB of idle RSS) next to the
// copy Node already ships behind the global fetch. Its "web" entry is the same client
// on the global fetch/FormData. Builds (and tests, see vitest.config.ts) use that one.
import { createRequire } from "node:module";
import path from "node:path";

export const discordRestWebEntry = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@discordjs/rest")),
  "web.mjs",
);

export const discordRestOnFetch = {
  name: "discord-rest-on-fetch",
  setup(b) {
    b.onResolve({ filter: /^@discordjs\/rest$/ }, () => ({ path: discordRestWebEntry }));
  },
};
