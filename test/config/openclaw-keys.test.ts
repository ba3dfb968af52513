/**
 * Configs OpenClaw accepts start ours: every key path in OpenClaw's own schema
 * (test/fixtures/openclaw-config-keys.json, from `openclaw config schema` by
 * scripts/openclaw-config-keys.mjs), with a valid sample value from that schema, loads.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, snapshotFromText } from "../../src/config/load.js";
import { isOpenClawKey, OPENCLAW_KEYS_VERSION } from "../../src/config/openclaw-compat.js";

interface Fixture {
  openclawVersion: string;
  containers: Record<string, unknown>;
  recordKeys: Record<string, string>;
  keys: Record<string, unknown>;
}

const fixture = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../fixtures/openclaw-config-keys.json"), "utf8"),
) as Fixture;

const SEGMENTS = /\.|(?=\[\])/;

/** The smallest config with `value` at `keyPath`; containers on the way get the keys they require. */
function configWith(keyPath: string, value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cur: unknown = root;
  let at = "";
  const segments = keyPath.split(SEGMENTS);
  segments.forEach((segment, i) => {
    const here = at === "" ? segment : segment === "[]" ? `${at}[]` : `${at}.${segment}`;
    const last = i === segments.length - 1;
    const next = last
      ? structuredClone(value)
      : structuredClone(fixture.containers[here] ?? (segments[i + 1] === "[]" ? [] : {}));
    if (segment === "[]") (cur as unknown[]).splice(0, 1, next);
    else
      (cur as Record<string, unknown>)[segment === "*" ? (fixture.recordKeys[at] ?? "sample") : segment] =
        next;
    cur = next;
    at = here;
  });
  return root;
}

/** Secrets and `${VAR}`-looking samples need nothing from the environment. */
const ENV = { SAMPLE: "sample-value" };

function load(config: unknown): { problems: string[]; openClawOnly: readonly string[] } {
  try {
    const snapshot = snapshotFromText("/tmp/openclaw.json", JSON.stringify(config), ENV);
    return { problems: [], openClawOnly: snapshot.openClawOnly };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems, openClawOnly: [] };
    throw err;
  }
}

/**
 * Where the same key holds a value OpenClaw's schema takes and ours refuses, on purpose; each
 * is listed in docs/openclaw-config.md. The test fails when one stops happening, too.
 */
const KNOWN_DIFFERENCES: { keys: RegExp; why: string }[] = [
  {
    keys: /\.(token|botToken|appToken|userToken|signingSecret|apiKey|password|webhookSecret|headers\.\*)\.(source|provider|id)$/,
    why: "SecretRef objects in place of a secret: write the secret or ${VAR}",
  },
  { keys: /\.textChunkLimit$/, why: "a reply chunk of fewer than 20 characters is refused" },
  {
    keys: /^gateway\.auth\.rateLimit\.(windowMs|lockoutMs)$/,
    why: "rate-limit windows under a second are refused",
  },
  { keys: /^(agents\.defaults\.timeoutSeconds|env\.shellEnv\.timeoutMs)$/, why: "a zero timeout is refused" },
  {
    keys: /^mcp\.servers\.\*\./,
    why: "an MCP server needs a command or a url at load (OpenClaw reports it when it connects)",
  },
  {
    keys: /^(channels\.telegram(\.accounts\.\*)?\.(webhookUrl|webhookPath|webhookSecret)|channels\.slack(\.accounts\.\*)?\.webhookPath|channels\.signal(\.accounts\.\*)?\.account|gateway\.(controlUi\.basePath|customBindHost)|models\.providers\.\*\.baseUrl|cron\.sessionRetention|agents\.defaults\.heartbeat\.(every|activeHours.*))$/,
    why: "URLs, paths, phone numbers, times and durations are checked at load (OpenClaw's schema takes any string)",
  },
];

describe("OpenClaw's config keys", () => {
  const paths = Object.keys(fixture.keys);

  it("come from the same OpenClaw release as the loader's key list", () => {
    expect(paths.length).toBeGreaterThan(5000);
    expect(fixture.openclawVersion).toBe(OPENCLAW_KEYS_VERSION);
    expect(paths.filter((p) => !isOpenClawKey(p.split(SEGMENTS).map((s) => (s === "[]" ? 0 : s))))).toEqual(
      [],
    );
  });

  it("each load with a valid sample value from OpenClaw's schema (or differ as documented)", () => {
    const refused: string[] = [];
    for (const keyPath of paths) {
      const { problems } = load(configWith(keyPath, fixture.keys[keyPath]));
      if (problems.length > 0)
        refused.push(`${keyPath} = ${JSON.stringify(fixture.keys[keyPath])}: ${problems.join("; ")}`);
    }
    const unexplained = refused.filter(
      (line) => !KNOWN_DIFFERENCES.some((d) => d.keys.test(line.split(" = ")[0]!)),
    );
    expect(unexplained).toEqual([]);
    const stale = KNOWN_DIFFERENCES.filter(
      (d) => !refused.some((line) => d.keys.test(line.split(" = ")[0]!)),
    );
    expect(stale.map((d) => d.why)).toEqual([]);
  });
});

describe("a key only OpenClaw knows", () => {
  it("is accepted, left out of the config and named once", () => {
    const { problems, openClawOnly } = load({
      tts: { auto: "off" },
      telemetry: {},
      gateway: { mode: "local" },
    });
    expect(problems).toEqual([]);
    expect(openClawOnly).toEqual(expect.arrayContaining(["tts", "telemetry"]));
    const snapshot = snapshotFromText("/tmp/openclaw.json", JSON.stringify({ tts: { auto: "off" } }), ENV);
    expect(snapshot.config).toEqual({});
    expect(snapshot.document).toEqual({ tts: { auto: "off" } });
  });

  it("deep inside a section we implement is accepted by its full path", () => {
    const { problems, openClawOnly } = load({ gateway: { mode: "local", tls: { enabled: true } } });
    expect(problems).toEqual([]);
    expect(openClawOnly).toEqual(["gateway.tls"]);
  });

  it("does not cover a key neither program knows: still refused with did-you-mean", () => {
    expect(load({ gatway: { mode: "local" } }).problems).toEqual([
      "gatway: unknown key (did you mean `gateway`?)",
    ]);
    expect(load({ tts: { auto: "off" }, agents: { defualts: {} } }).problems).toEqual([
      "agents.defualts: unknown key (did you mean `defaults`?)",
    ]);
  });
});
