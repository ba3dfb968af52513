import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../config/load.js";
import { writeConfig } from "../config/write.js";
import { checkBundledPlugins } from "./validate.js";

let file: string;
beforeEach(async () => {
  file = path.join(await mkdtemp(path.join(os.tmpdir(), "openclaw-plugin-validate-")), "openclaw.json");
});

describe("checkBundledPlugins as writeConfig's check", () => {
  it("refuses an edit that breaks a bundled plugin's config, naming the key under plugins.entries", async () => {
    await writeConfig({ file, document: { gateway: { mode: "local" } }, env: {} });
    const text = await readFile(file, "utf8");
    const document = {
      plugins: {
        entries: { "voice-call": { enabled: true, config: { provider: "twilio", fromNumber: "12" } } },
      },
    };
    const refused = await writeConfig({ file, document, env: {}, check: checkBundledPlugins }).catch(
      (err: ConfigError) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      'plugins.entries["voice-call"].config.fromNumber: expected an E.164 phone number such as +15550001234 (got "12")',
    ]);
    expect(await readFile(file, "utf8")).toBe(text);
  });
});
