// bench/discord-libs: idle RSS of a Node process logged in to the fake Discord with
//   - nothing (a bare Node process: the floor),
//   - discord.js (Client; needs DISCORD_JS_DIR=<dir where `npm i discord.js` ran>, else skipped),
//   - @discordjs/core + @discordjs/ws + @discordjs/rest (the minimum to connect),
//   - our adapter, bundled by esbuild as the gateway build bundles it.
//   node bench/discord-libs.mjs [--runs 3] [--idle 5]
// Prints medians over the runs. Everything stays on loopback.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { discordRestOnFetch } from "../scripts/discord-rest-web.mjs";
import { median, memoryMb, parseArgs, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { runs, idle } = parseArgs({ runs: 3, idle: 5 });
// Inside node_modules so bundles can resolve external packages (ws) from the project.
const work = path.join(root, "node_modules/.cache/openclaw-bench-discord");
mkdirSync(work, { recursive: true });

const banner = 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);';
await build({
  entryPoints: { fake: path.join(root, "test/fakes/discord/index.ts") },
  outdir: work,
  bundle: true,
  format: "esm",
  platform: "node",
  packages: "external",
  logLevel: "warning",
});
await build({
  entryPoints: { adapter: path.join(root, "src/channels/discord/index.ts") },
  outdir: path.join(work, "adapter"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  external: ["bufferutil", "utf-8-validate"],
  banner: { js: banner },
  minify: true,
  keepNames: true,
  logLevel: "warning",
  plugins: [discordRestOnFetch],
});
const { startFakeDiscord } = await import(pathToFileURL(path.join(work, "fake.js")).href);
const fake = await startFakeDiscord({
  guilds: [
    {
      id: "1100000000000000001",
      name: "bench",
      channels: [{ id: "1100000000000000010", name: "general", type: 0 }],
    },
  ],
});

const url = (p) => JSON.stringify(pathToFileURL(p).href);
const esm = (specifier) => JSON.stringify(import.meta.resolve(specifier));
const INTENTS = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15);
const djsDir = process.env.DISCORD_JS_DIR;

// Each variant is a tiny ESM program that prints READY once logged in, then idles.
const variants = {
  floor: `console.log("READY"); setInterval(() => {}, 1 << 30);`,
  ...(djsDir && {
    "discord.js": `
      const { Client } = (await import(${url(createRequire(path.join(djsDir, "package.json")).resolve("discord.js"))})).default;
      const client = new Client({ intents: ${INTENTS}, rest: { api: ${JSON.stringify(fake.apiBaseUrl)} } });
      client.once("clientReady", () => console.log("READY"));
      await client.login(${JSON.stringify(fake.token)});`,
  }),
  "@discordjs/core+ws+rest": `
      const { Client } = await import(${esm("@discordjs/core")});
      const { REST } = await import(${esm("@discordjs/rest")});
      const { WebSocketManager } = await import(${esm("@discordjs/ws")});
      const rest = new REST({ api: ${JSON.stringify(fake.apiBaseUrl)} }).setToken(${JSON.stringify(fake.token)});
      const gateway = new WebSocketManager({ token: ${JSON.stringify(fake.token)}, intents: ${INTENTS}, rest });
      const client = new Client({ rest, gateway });
      client.once("READY", () => console.log("READY"));
      await gateway.connect();`,
  "openclaw adapter (bundled)": `
      const { createDiscordChannel } = await import(${url(path.join(work, "adapter/adapter.js"))});
      const channel = createDiscordChannel({
        token: ${JSON.stringify(fake.token)}, apiBaseUrl: ${JSON.stringify(fake.apiBaseUrl)}, onMessage() {},
      });
      await channel.start();
      if (channel.status().state !== "ready") throw new Error("not ready: " + JSON.stringify(channel.status()));
      console.log("READY");`,
};

function spawnUntilReady(file) {
  const proc = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    proc.stdout.on("data", (d) => {
      out += d;
      if (/^READY$/m.test(out)) resolve(proc);
    });
    proc.stderr.on("data", (d) => (out += d));
    proc.on("exit", (code) => reject(new Error(`exited ${code} before READY:\n${out}`)));
  });
}

const results = [];
for (const [label, source] of Object.entries(variants)) {
  const file = path.join(work, `${label.replace(/[^a-z0-9]+/gi, "-")}.mjs`);
  writeFileSync(file, source);
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const proc = await spawnUntilReady(file);
    await delay(idle * 1000);
    rss.push(memoryMb(proc.pid).rss);
    proc.removeAllListeners("exit");
    await stop(proc);
  }
  results.push({ label, rssMb: median(rss).toFixed(1), runs: rss.map((r) => r.toFixed(1)).join(" ") });
}
await fake.close();

console.log(
  `idle RSS after login to the fake Discord (${idle} s idle, median of ${runs}, Node ${process.version})`,
);
for (const r of results) console.log(`  ${r.label.padEnd(28)} ${r.rssMb.padStart(6)} MB   (${r.runs})`);
if (!djsDir)
  console.log("  discord.js: skipped (set DISCORD_JS_DIR to a directory with discord.js installed)");
