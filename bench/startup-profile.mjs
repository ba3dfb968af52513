// `node bench/startup.mjs --profile [--runs 3]`: where the gateway's start goes before its
// listening line. Runs the built gateway with bench/fixtures/startup-probe.mjs preloaded
// and --cpu-prof (the CPU profile is cut at the first listening socket; the probe also lists
// the module files loaded by then),
// maps samples through dist's source maps to source files and packages, and prints:
// time by kind (our code, dependencies, Node, GC, compile), the top source files and
// packages by self time, and the bundle evaluated at start (chunks and bytes).
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import module from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFake, median, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");

/** One profiled start: the probe's JSON once the gateway listens. */
async function profiledStart(extraEnv, config) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-profile-"));
  if (config) await writeFile(path.join(dir, "openclaw.json"), JSON.stringify(config));
  const out = path.join(dir, "probe.json");
  const env = { ...process.env, OPENCLAW_STATE_DIR: dir, STARTUP_PROBE_OUT: out };
  // Only the variant's secrets: the developer's own keys would change what starts.
  delete env.OPENCLAW_GATEWAY_TOKEN;
  Object.assign(env, extraEnv);
  const probe = path.join(root, "bench/fixtures/startup-probe.mjs");
  const profDir = path.join(dir, "cpu");
  const args = [
    ...["--cpu-prof", "--cpu-prof-dir", profDir, "--cpu-prof-interval", "100", "--import", probe],
    ...[path.join(dist, "index.js"), "gateway", "--allow-unconfigured", "--port", "0"],
  ];
  const { proc } = await spawnUntilListening(args, { env, cwd: root });
  // The profile is written at exit; the probe's file when the socket listened.
  await stop(proc);
  const data = JSON.parse(await readFile(out, "utf8"));
  const [file] = await readdir(profDir);
  const profile = JSON.parse(await readFile(path.join(profDir, file), "utf8"));
  await rm(dir, { recursive: true, force: true });
  return { ...data, profile: cutAt(profile, data.listeningUs) };
}

/** The profile's samples up to `us` (V8 and process.hrtime share the monotonic clock). */
function cutAt(profile, us) {
  let t = profile.startTime;
  let n = 0;
  while (n < profile.samples.length && t + profile.timeDeltas[n] <= us) t += profile.timeDeltas[n++];
  return {
    ...profile,
    samples: profile.samples.slice(0, n),
    timeDeltas: profile.timeDeltas.slice(0, n),
    endTime: t,
  };
}

const maps = new Map();
/** The source map of a dist chunk, or undefined for other files. */
function sourceMapOf(url) {
  if (!url.startsWith(`file://${dist}`)) return undefined;
  if (!maps.has(url)) {
    try {
      const file = `${fileURLToPath(url)}.map`;
      maps.set(url, new module.SourceMap(JSON.parse(readFileSync(file, "utf8"))));
    } catch {
      maps.set(url, undefined);
    }
  }
  return maps.get(url);
}

/** `src/gateway/server.ts`, `zod`, `@discordjs/ws`, `node:internal/…`, or a V8 pseudo-frame. */
function sourceOf(frame) {
  const { url, lineNumber, columnNumber, functionName } = frame;
  if (!url) return { source: `(${functionName.replace(/[()]/g, "") || "anonymous"})`, kind: "v8" };
  if (url.startsWith("node:")) return { source: url, kind: "node" };
  const map = sourceMapOf(url);
  const entry = map?.findEntry(lineNumber, columnNumber);
  const original = entry?.originalSource
    ? path.normalize(entry.originalSource.replace(/^file:\/\//, ""))
    : url;
  const nm = original.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = original.slice(nm + "node_modules/".length).split("/");
    return { source: rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0], kind: "dependency" };
  }
  const src = original.indexOf("src/");
  return src >= 0 ? { source: original.slice(src), kind: "ours" } : { source: original, kind: "other" };
}

/**
 * Self time (ms) per source and per kind, from one CPU profile; and per "cause": the
 * innermost frame of our own code on the sample's stack, so the time a dependency or Node
 * spends (module loading included) is charged to the file of ours that asked for it.
 */
function selfTimes(profile) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const perSource = new Map();
  const perKind = new Map();
  const perCause = new Map();
  const causeOf = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { source, kind } = sourceOf(byNode.get(at).callFrame);
      if (kind === "ours") return source;
    }
    return "(before our code / Node itself)";
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { source, kind } = sourceOf(byNode.get(profile.samples[i]).callFrame);
    perSource.set(source, (perSource.get(source) ?? 0) + ms);
    const cause = causeOf(profile.samples[i]);
    perCause.set(cause, (perCause.get(cause) ?? 0) + ms);
    // V8's own frames: "(garbage collector)", "(program)" (parsing, compiling, the runtime), "(idle)".
    const k = kind === "v8" ? source : kind;
    perKind.set(k, (perKind.get(k) ?? 0) + ms);
  }
  return { perSource, perKind, perCause };
}

/** Medians over runs of a per-key number (a key absent from a run counts 0). */
function medianMaps(maps) {
  const keys = new Set(maps.flatMap((m) => [...m.keys()]));
  return new Map([...keys].map((k) => [k, median(maps.map((m) => m.get(k) ?? 0))]));
}

const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
const row = (name, ms, width = 44) => `  ${name.padEnd(width)}${ms.toFixed(1).padStart(8)} ms`;

/** The Fly guide's config (Discord enabled) and its secrets, against the fake Discord. */
async function guideVariant() {
  const { startFakeDiscord } = await loadFake("discord/index.ts");
  const discord = await startFakeDiscord({
    guilds: [
      {
        id: "1100000000000000001",
        name: "bench",
        channels: [{ id: "1100000000000001000", name: "general", type: 0 }],
      },
    ],
  });
  const env = { OPENCLAW_GATEWAY_TOKEN: "bench-token-123456", DISCORD_BOT_TOKEN: discord.token };
  const config = {
    gateway: { mode: "local" },
    channels: { discord: { enabled: true, apiBaseUrl: discord.apiBaseUrl, groupPolicy: "allowlist" } },
  };
  return { env, config, close: () => discord.close?.() };
}

export async function profileStartup({ runs, discord }) {
  const variant = discord ? await guideVariant() : { env: {}, config: undefined, close: () => {} };
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await profiledStart(variant.env, variant.config));
  await variant.close();
  const times = results.map((r) => selfTimes(r.profile));
  const perKind = medianMaps(times.map((t) => t.perKind));
  const perSource = medianMaps(times.map((t) => t.perSource));
  const perCause = medianMaps(times.map((t) => t.perCause));
  const listening = median(results.map((r) => r.listeningMs));
  console.log(
    `bench/startup --profile: ${runs} runs, Node ${process.version}, ${discord ? "the guide's config (Discord) with its secrets in env" : "no channels, no secret in env"}`,
  );
  console.log(`first line of our code → first listening socket: ${listening.toFixed(1)} ms (median)`);
  console.log("self time by kind (median):");
  for (const [k, ms] of top(perKind, 10)) console.log(row(k, ms));
  console.log("top sources by self time (median):");
  for (const [s, ms] of top(perSource, 20)) console.log(row(s, ms));
  console.log("time charged to our source files (what they load and call included; median):");
  for (const [s, ms] of top(perCause, 20)) console.log(row(s, ms));

  // The bundle evaluated before listening: our chunks and their sizes (from the first run).
  const chunks = results[0].loaded.filter((f) => f.file.startsWith(dist));
  const bytes = chunks.reduce((sum, f) => sum + f.bytes, 0);
  const all = readFileSync(path.join(dist, "index.js"), "utf8").length;
  console.log(
    `bundle loaded before listening: ${chunks.length} files, ${(bytes / 1024).toFixed(0)} KB (dist/index.js ${all} B)`,
  );
  for (const f of [...chunks].sort((a, b) => b.bytes - a.bytes).slice(0, 12)) {
    console.log(
      `  ${path.relative(dist, f.file).padEnd(44)}${(f.bytes / 1024).toFixed(1).padStart(8)} KB  ${contents(f.file)}`,
    );
  }
  const others = results[0].loaded
    .filter((f) => !f.file.startsWith(dist))
    .map((f) => path.relative(root, f.file));
  if (others.length) console.log(`other files loaded: ${others.join(", ")}`);
  console.log(
    "note: secrets in the environment are cleared in place (infra/exec-strings.ts), inside this profile; where\n" +
      "that fails the gateway re-executes itself and the second Node start is not in it (see `node bench/startup.mjs`).",
  );
}

/** The packages and source folders a chunk holds, largest first, from its source map. */
function contents(file) {
  try {
    const map = JSON.parse(readFileSync(`${file}.map`, "utf8"));
    const sizes = new Map();
    map.sources.forEach((s, i) => {
      const { source } = sourceOf({
        url: `file://${path.resolve(path.dirname(file), s)}`,
        lineNumber: 0,
        columnNumber: 0,
        functionName: "",
      });
      const label = source.startsWith("src/") ? source.split("/").slice(0, 2).join("/") : source;
      const size = map.sourcesContent?.[i]?.length ?? 0;
      sizes.set(label, (sizes.get(label) ?? 0) + size);
    });
    return top(sizes, 4)
      .map(([k]) => k)
      .join(", ");
  } catch {
    return "";
  }
}
