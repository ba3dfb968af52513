// bench/peer/install-openclaw: installs the real OpenClaw (npm package `openclaw`) into a
// cache folder outside the project's dependencies, for the side-by-side bench.
//   node bench/peer/install-openclaw.mjs [--version 2026.9.6] [--dir <folder>] [--no-discord]
// Reuses an existing install of the same version. Never touches package.json: it runs
// `npm install --ignore-scripts --no-save --prefix <dir> openclaw@<version>`.
// Discord is an external OpenClaw plugin; installDiscordPlugin() adds it to a state dir
// kept under <dir> with OpenClaw's own `plugins install` (the only way it trusts it).
// OpenClaw needs Node >= 24; we use this Node if it is 24+, else .node24/ (scripts/node24.sh).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DEFAULT_VERSION = "2026.9.6";
export const DEFAULT_DIR = path.join(root, "node_modules/.cache/openclaw-peer");

function run(cmd, args, { timeoutMs, env = process.env } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ error, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** A Node >= 24 binary: this one, or the project's .node24 (installed by scripts/node24.sh). */
export async function findNode24() {
  if (Number(process.versions.node.split(".")[0]) >= 24) return process.execPath;
  // scripts/node24.sh installs (or reuses) the pinned Node of .node-version and prints its bin dir.
  const r = await run("bash", [path.join(root, "scripts/node24.sh")], { timeoutMs: 180_000 });
  if (r.error) throw new Error(`no Node 24: scripts/node24.sh failed: ${r.stderr.trim() || r.error.message}`);
  return path.join(r.stdout.trim().split("\n").at(-1), "node");
}

function installedVersion(dir, pkg = "openclaw") {
  try {
    return JSON.parse(readFileSync(path.join(dir, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

/**
 * Ensures OpenClaw `version` is installed under `dir`. Resolves to
 * `{ ok: true, version, entry, node, cached }` or `{ ok: false, reason }` (never throws).
 */
export async function ensureOpenClaw({
  version = DEFAULT_VERSION,
  dir = DEFAULT_DIR,
  timeoutMs = 300_000,
  log = () => {},
} = {}) {
  try {
    const node = await findNode24();
    const entry = path.join(dir, "node_modules/openclaw/openclaw.mjs");
    const have = installedVersion(dir);
    if (have && (have === version || version === "latest") && existsSync(entry)) {
      return { ok: true, version: have, entry, node, dir, cached: true };
    }
    mkdirSync(dir, { recursive: true });
    log(`installing openclaw@${version} into ${dir} (once; cached afterwards)…`);
    // npm from the Node 24 dir, so its engine check sees Node 24.
    const env = { ...process.env, PATH: `${path.dirname(node)}:${process.env.PATH}` };
    const t0 = performance.now();
    const r = await run(
      "npm",
      [
        "install",
        "--ignore-scripts",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--prefix",
        dir,
        `openclaw@${version}`,
      ],
      { timeoutMs, env },
    );
    if (r.error) {
      const why = r.error.killed
        ? `timed out after ${timeoutMs / 1000} s`
        : r.stderr.trim().split("\n").slice(-3).join(" ");
      return { ok: false, reason: `npm install openclaw@${version} failed: ${why || r.error.message}` };
    }
    const got = installedVersion(dir);
    if (!got || !existsSync(entry))
      return { ok: false, reason: `npm install finished but ${entry} is missing` };
    log(`installed openclaw@${got} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return { ok: true, version: got, entry, node, dir, cached: false };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Installs the official Discord plugin (`npm:@openclaw/discord@<version>`) into a state dir
 * kept at <dir>/state-discord, once: OpenClaw refuses to start Discord from a plain
 * `plugins.load.paths` entry or a `--link` install ("only available for trusted plugins").
 * Resolves `{ ok: true, stateDir }` or `{ ok: false, reason }`.
 */
export async function installDiscordPlugin(install, log = () => {}, { timeoutMs = 600_000 } = {}) {
  const stateDir = path.join(install.dir, "state-discord");
  const marker = path.join(stateDir, ".bench-discord-plugin");
  if (existsSync(marker) && readFileSync(marker, "utf8") === install.version) return { ok: true, stateDir };
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  log(`installing @openclaw/discord@${install.version} with \`openclaw plugins install\` (once; minutes)…`);
  const r = await run(
    install.node,
    [install.entry, "plugins", "install", `npm:@openclaw/discord@${install.version}`],
    {
      timeoutMs,
      env: {
        ...process.env,
        OPENCLAW_STATE_DIR: stateDir,
        NO_COLOR: "1",
        PATH: `${path.dirname(install.node)}:${process.env.PATH}`,
      },
    },
  );
  if (r.error || !existsSync(path.join(stateDir, "openclaw.json"))) {
    const why = r.error?.killed
      ? `timed out after ${timeoutMs / 1000} s`
      : `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-2).join(" ");
    return { ok: false, reason: `openclaw plugins install npm:@openclaw/discord failed: ${why}` };
  }
  writeFileSync(marker, install.version);
  return { ok: true, stateDir };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const result = await ensureOpenClaw({
    version: opt("version") ?? DEFAULT_VERSION,
    dir: opt("dir") ?? DEFAULT_DIR,
    log: (m) => console.error(m),
  });
  if (result.ok && !argv.includes("--no-discord")) {
    result.discord = await installDiscordPlugin(result, (m) => console.error(m));
  }
  console.log(JSON.stringify(result));
  if (!result.ok || result.discord?.ok === false) process.exitCode = 1;
}
