// scripts/openclaw-config-keys: regenerates the set of config key paths OpenClaw knows, from its
// own `openclaw config schema` (the real program, installed by bench/peer/install-openclaw.mjs).
//   node scripts/openclaw-config-keys.mjs [--peer-dir <dir>] [--schema <file>]
// Writes:
// - src/config/openclaw-keys.generated.ts: the paths as a trie ({ key: {...}, "*": any key, "[]": list
//   item }) in a JSON string, what the loader consults when our schema refuses a key
//   (src/config/openclaw-compat.ts);
// - test/fixtures/openclaw-config-keys.json: each path with a valid sample value from OpenClaw's schema
//   (plus minimal samples for containers that require keys), which test/config/openclaw-keys.test.ts
//   feeds to our loader one by one.
// `--schema` reads a saved `openclaw config schema` output instead of running OpenClaw.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_DIR, ensureOpenClaw } from "../bench/peer/install-openclaw.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({
  options: { "peer-dir": { type: "string" }, schema: { type: "string" } },
});

/** Deeper than any real OpenClaw key path (its deepest is ~12); stops a recursive schema. */
const MAX_DEPTH = 24;

async function readSchema() {
  if (opts.schema) return { schema: JSON.parse(readFileSync(opts.schema, "utf8")), version: "saved" };
  const peer = await ensureOpenClaw({ dir: opts["peer-dir"] ?? DEFAULT_DIR });
  if (!peer.ok) throw new Error(`OpenClaw is not installed: ${peer.reason}`);
  // A scratch state dir: `config schema` must not read or write anyone's real config.
  const state = mkdtempSync(path.join(os.tmpdir(), "openclaw-schema-"));
  try {
    const text = execFileSync(peer.node, [peer.entry, "config", "schema"], {
      env: {
        ...process.env,
        OPENCLAW_STATE_DIR: state,
        OPENCLAW_CONFIG_PATH: path.join(state, "openclaw.json"),
      },
      maxBuffer: 64 << 20,
    });
    return { schema: JSON.parse(String(text)), version: peer.version };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

/** Strings tried, in order, for a string node with a pattern or format; the first that fits wins. */
const STRING_CANDIDATES = [
  "sample",
  "SAMPLE",
  "1",
  "https://example.com",
  "#a1b2c3",
  "10m",
  "2d",
  "30d",
  "ws://127.0.0.1:1",
  "/sample",
  "user@example.com",
  "openai:sample",
  "github:sample",
  "2026-01-01T00:00:00Z",
  "123e4567-e89b-42d3-a456-426614174000",
  `ghp_${"0".repeat(32)}`,
  "https://sample.cloudflareaccess.com",
];

function fitsString(node, value) {
  if (node.minLength !== undefined && value.length < node.minLength) return false;
  if (node.maxLength !== undefined && value.length > node.maxLength) return false;
  if (node.pattern && !new RegExp(node.pattern, "u").test(value)) return false;
  if (node.format === "uri" && !/^https?:\/\//.test(value)) return false;
  if (node.format === "email" && !value.includes("@")) return false;
  if (node.format === "date-time" && Number.isNaN(Date.parse(value))) return false;
  return true;
}

function sampleString(node) {
  if (typeof node.default === "string" && fitsString(node, node.default)) return node.default;
  const hit = STRING_CANDIDATES.find((c) => fitsString(node, c));
  if (hit === undefined) throw new Error(`no sample string fits ${JSON.stringify(node)}`);
  return hit;
}

function sampleNumber(node) {
  let value = node.minimum ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : 1);
  if (node.maximum !== undefined && value > node.maximum) value = node.maximum;
  if (node.exclusiveMaximum !== undefined && value >= node.exclusiveMaximum)
    value = node.exclusiveMaximum / 2;
  return node.type === "integer" ? Math.ceil(value) : value;
}

/** `#/$defs/x` refers to the nearest enclosing schema with `$defs` (plugin config schemas carry their own). */
function resolve(node, defs) {
  let n = node;
  for (let i = 0; n?.$ref && i < 8; i++) n = defs?.[n.$ref.replace("#/$defs/", "")];
  return n;
}

const options = (node) => [...(node.anyOf ?? []), ...(node.oneOf ?? [])].filter((o) => !o.not);

/** A minimal valid value of `node`: required keys filled, lists as short as allowed. */
function sample(node, defs, depth = 0) {
  const n = resolve(node, defs);
  if (!n || depth > MAX_DEPTH) return {};
  if ("const" in n) return n.const;
  if (n.enum) return n.enum[0];
  const alts = options(n);
  if (alts.length > 0) return sample(alts[0], n.$defs ?? defs, depth + 1);
  const type = Array.isArray(n.type) ? n.type[0] : (n.type ?? (n.properties ? "object" : undefined));
  if (type === "string") return sampleString(n);
  if (type === "number" || type === "integer") return sampleNumber(n);
  if (type === "boolean") return true;
  if (type === "null") return null;
  if (type === "array") {
    const item = Array.isArray(n.items) ? n.items[0] : n.items;
    return Array.from({ length: n.minItems ?? 0 }, () => sample(item ?? {}, n.$defs ?? defs, depth + 1));
  }
  if (type === "object" || n.allOf) {
    const out = {};
    for (const part of n.allOf ?? []) Object.assign(out, sample(part, n.$defs ?? defs, depth + 1));
    for (const key of n.required ?? []) {
      out[key] = sample(n.properties?.[key] ?? {}, n.$defs ?? defs, depth + 1);
    }
    return out;
  }
  return "sample";
}

/** A record key the node's `propertyNames` accepts. */
function recordKey(node) {
  return node.propertyNames ? sampleString({ type: "string", ...node.propertyNames }) : "sample";
}

/**
 * Every key path under `node` (`a.b`, `a.*.c` for any record key, `a[].b` for list items),
 * each with a sample value, and a minimal sample for every container on the way.
 */
function collect(schema) {
  const keys = new Map();
  const containers = new Map();
  const recordKeys = new Map();
  const walk = (node, at, defs, depth) => {
    const n = resolve(node, defs);
    if (!n || typeof n !== "object" || depth > MAX_DEPTH) return;
    const scope = n.$defs ?? defs;
    const branches = [...options(n), ...(n.allOf ?? [])];
    for (const branch of branches) walk(branch, at, scope, depth + 1);
    const container = n.properties || n.additionalProperties || n.items ? sample(n, defs) : undefined;
    for (const [key, child] of Object.entries(n.properties ?? {})) {
      if (at === "" && key === "$schema") continue;
      const here = at ? `${at}.${key}` : key;
      if (at && !containers.has(at)) containers.set(at, container);
      if (!keys.has(here)) keys.set(here, sample(child, scope));
      walk(child, here, scope, depth + 1);
    }
    if (n.additionalProperties && typeof n.additionalProperties === "object") {
      if (at && !containers.has(at)) containers.set(at, container);
      if (!recordKeys.has(at)) recordKeys.set(at, recordKey(n));
      walk(n.additionalProperties, `${at}.*`, scope, depth + 1);
    }
    const item = Array.isArray(n.items) ? n.items[0] : n.items;
    if (item && typeof item === "object") {
      if (at && !containers.has(at)) containers.set(at, container ?? []);
      walk(item, `${at}[]`, scope, depth + 1);
    }
  };
  walk(schema, "", schema.$defs, 0);
  return { keys, containers, recordKeys };
}

/** Paths → nested object: `*` any record key, `[]` a list item, `{}` a leaf. */
function toTrie(paths) {
  const trie = {};
  for (const p of paths) {
    let node = trie;
    for (const segment of p.split(/\.|(?=\[\])/)) node = node[segment] ??= {};
  }
  return trie;
}

const { schema, version } = await readSchema();
const { keys, containers, recordKeys } = collect(schema);
const sorted = [...keys.keys()].sort();
const outputs = ["src/config/openclaw-keys.generated.ts", "test/fixtures/openclaw-config-keys.json"];
writeFileSync(
  path.join(root, outputs[0]),
  [
    "// Generated by scripts/openclaw-config-keys.mjs from `openclaw config schema`: do not edit.",
    "",
    "/** The OpenClaw release whose schema the key paths come from. */",
    `export const OPENCLAW_KEYS_VERSION = ${JSON.stringify(version)};`,
    "",
    "/**",
    ` * OpenClaw's ${sorted.length} config key paths as a trie (\`*\` any record key, \`[]\` a list item), in`,
    " * JSON: a string literal costs nothing at start; it is parsed the first time a key is looked up.",
    " */",
    "export const OPENCLAW_KEY_TRIE_JSON =",
    // Single quotes, as the formatter wants them for text full of double quotes.
    `  '${JSON.stringify(toTrie(sorted)).replace(/[\\']/g, (c) => `\\${c}`)}';`,
    "",
  ].join("\n"),
);
const nonEmpty = (v) => v !== undefined && (typeof v !== "object" || v === null || Object.keys(v).length > 0);
writeFileSync(
  path.join(root, outputs[1]),
  `${JSON.stringify(
    {
      openclawVersion: version,
      generatedBy: "node scripts/openclaw-config-keys.mjs",
      containers: Object.fromEntries([...containers].filter(([, v]) => nonEmpty(v)).sort()),
      recordKeys: Object.fromEntries([...recordKeys].filter(([, v]) => v !== "sample").sort()),
      keys: Object.fromEntries(sorted.map((p) => [p, keys.get(p)])),
    },
    null,
    1,
  )}\n`,
);
// The house formatter's layout, so a regeneration diffs only where OpenClaw changed.
execFileSync(path.join(root, "node_modules/.bin/biome"), ["format", "--write", ...outputs], { cwd: root });
process.stdout.write(`${sorted.length} key paths from OpenClaw ${version}\n`);
