/**
 * The config a test gateway starts from: local mode with the fake Anthropic as its only
 * model. Each test adds its own sections (channels, plugins, gateway options) on top.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "./cli.js";

/** The model the test gateways ask; the fake Anthropic answers for any model id. */
export const TEST_MODEL = "anthropic/claude-sonnet-4-5";

type ConfigDocument = Record<string, unknown>;

const isPlainObject = (value: unknown): value is ConfigDocument =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `over` laid onto `base`: objects merge key by key, anything else (arrays included) replaces. */
function merge(base: ConfigDocument, over: ConfigDocument): ConfigDocument {
  const out: ConfigDocument = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return out;
}

/**
 * `gateway.mode: local`, the fake Anthropic at `modelUrl` and {@link TEST_MODEL} as the
 * default model, with `overrides` merged in (so `{ gateway: { port } }` keeps the mode).
 */
export function baseConfig(modelUrl: string, overrides: ConfigDocument = {}): ConfigDocument {
  return merge(
    {
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: modelUrl } } },
      agents: { defaults: { model: { primary: TEST_MODEL } } },
    },
    overrides,
  );
}

/** Writes `config` as `dir`/openclaw.json and returns that file's path. */
export function writeConfigFile(dir: string, config: ConfigDocument): string {
  const file = path.join(dir, "openclaw.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A fresh state dir holding `config` as its openclaw.json. */
export function stateDirWith(config: ConfigDocument, prefix?: string): string {
  const stateDir = tempDir(prefix);
  writeConfigFile(stateDir, config);
  return stateDir;
}
