import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { MAX_CONFIG_BYTES, MAX_CONFIG_VALUE_BYTES } from "./limits.js";
import { ConfigError, loadConfig, loadDotEnv, parseConfigText, writeMinimalConfig } from "./load.js";

const problemsOf = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parseConfigText("openclaw.json", text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe("loading openclaw.json", () => {
  it("writeMinimalConfig returns the snapshot validating the written file gives (#23: no zod on a fresh start)", async () => {
    const file = path.join(tempDir(), "openclaw.json");
    const written = await writeMinimalConfig(file);
    expect(written).toEqual(await loadConfig(file, {}));
    expect(written.config.gateway?.mode).toBe("local");
  });

  it("accepts JSON5 with comments and trailing commas", () => {
    const config = parseConfigText("x", `{ // the gateway\n gateway: { mode: "local", port: 3000, }, }`);
    expect(config.gateway).toEqual({ mode: "local", port: 3000 });
  });

  it("substitutes ${VAR}, keeps $${VAR} literal, and names missing variables with their path", () => {
    const config = parseConfigText("x", `{ gateway: { auth: { token: "\${TOK}", password: "$\${TOK}" } } }`, {
      TOK: "s3cret!",
    });
    expect(config.gateway?.auth).toEqual({ token: "s3cret!", password: "${TOK}" });
    expect(problemsOf(`{ gateway: { auth: { token: "\${MISSING_TOKEN}" } } }`)).toEqual([
      "gateway.auth.token: environment variable MISSING_TOKEN is not set (referenced as ${MISSING_TOKEN})",
    ]);
  });

  it("lists every problem as path: message (got …)", () => {
    expect(
      problemsOf(`{ gateway: { port: 70000, bind: "wide" }, logging: { level: 3 }, nope: true }`),
    ).toEqual([
      "gateway.port: must be ≤ 65535 (got 70000)",
      'gateway.bind: must be one of "loopback", "lan", "tailnet", "auto", "custom" (got "wide")',
      'logging.level: must be one of "silent", "fatal", "error", "warn", "info", "debug", "trace" (got 3)',
      "nope: unknown key",
    ]);
  });

  it("reports unparsable text and a non-object root", () => {
    expect(problemsOf("{ gateway: ")[0]).toMatch(/^not valid JSON5: /);
    expect(problemsOf("[1]")).toEqual(["(root): must be an object (got [1])"]);
  });

  it("a missing file is an empty, non-existing snapshot", async () => {
    const snapshot = await loadConfig(path.join(tempDir(), "openclaw.json"));
    expect(snapshot).toMatchObject({ exists: false, config: {}, hash: "" });
  });

  it("hashes the file bytes (the baseHash for edits)", async () => {
    const file = path.join(tempDir(), "openclaw.json");
    writeFileSync(file, "{}");
    expect((await loadConfig(file)).hash).toBe(
      "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    );
  });

  it(".env in the state dir fills variables without overriding the environment", async () => {
    const file = path.join(tempDir(), ".env");
    writeFileSync(file, "A=from-file\nB=from-file\n# comment\n");
    const env: NodeJS.ProcessEnv = { A: "from-env" };
    expect(await loadDotEnv(file, env)).toEqual(["B"]);
    expect(env).toEqual({ A: "from-env", B: "from-file" });
  });
});

describe("config size limits", () => {
  it("a file over MAX_CONFIG_BYTES is refused from its size, naming the limit", async () => {
    const file = path.join(tempDir(), "openclaw.json");
    writeFileSync(file, JSON.stringify({ env: { BIG: "v".repeat(MAX_CONFIG_BYTES) } }));
    await expect(loadConfig(file, {})).rejects.toThrow(`over the ${MAX_CONFIG_BYTES}-byte (1 MiB) limit`);
  });

  it("one value over MAX_CONFIG_VALUE_BYTES is refused with its path", () => {
    const text = JSON.stringify({
      agents: { list: [{ id: "main", name: "n".repeat(MAX_CONFIG_VALUE_BYTES + 1) }] },
    });
    expect(() => parseConfigText("openclaw.json", text, {})).toThrow(
      `agents.list[0].name: value is ${MAX_CONFIG_VALUE_BYTES + 1} bytes, over the ${MAX_CONFIG_VALUE_BYTES}-byte (64 KiB) limit`,
    );
    const fine = JSON.stringify({ agents: { list: [{ id: "main", name: "n".repeat(1000) }] } });
    expect(parseConfigText("openclaw.json", fine, {}).agents?.list?.[0]?.name).toHaveLength(1000);
  });
});
