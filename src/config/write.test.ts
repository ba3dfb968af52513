import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { beforeEach, describe, expect, it } from "vitest";
import { VERSION } from "../version.js";
import { parseConfigPath, setAtPath } from "./edit.js";
import { ConfigError, hashConfigText, loadConfig } from "./load.js";
import { BACKUP_COUNT, ConfigConflictError, writeConfig, writeConfigText } from "./write.js";

const FLY_GUIDE = new URL("../../test/fixtures/fly-guide.json5", import.meta.url);

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-write-"));
  file = path.join(dir, "openclaw.json");
});

describe("writeConfig", () => {
  it("round-trips the Fly.io guide example through load, set and save unchanged in meaning", async () => {
    await writeFile(file, await readFile(FLY_GUIDE, "utf8"));
    const before = await loadConfig(file, {});
    const edited = setAtPath(before.document, parseConfigPath("agents.defaults.maxConcurrent"), 2);
    const saved = await writeConfig({ file, document: edited, baseHash: before.hash, env: {} });
    const after = await loadConfig(file, {});
    expect(after.hash).toBe(saved.hash);
    const { meta: metaBefore, ...restBefore } = before.config;
    const { meta: metaAfter, ...restAfter } = after.config;
    expect(restAfter).toEqual(
      setAtPath(restBefore as Record<string, unknown>, ["agents", "defaults", "maxConcurrent"], 2),
    );
    expect(metaBefore?.lastTouchedVersion).toBe("2026.1.25");
    expect(metaAfter?.lastTouchedVersion).toBe(VERSION);
    expect(Date.parse(metaAfter?.lastTouchedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("refuses an invalid document and leaves the file alone", async () => {
    await writeConfig({ file, document: { gateway: { mode: "local" } }, env: {} });
    const text = await readFile(file, "utf8");
    await expect(writeConfig({ file, document: { gateway: { port: "x" } }, env: {} })).rejects.toThrow(
      ConfigError,
    );
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("refuses an edit its check finds problems with, and leaves the file as it was", async () => {
    await writeConfig({ file, document: { gateway: { mode: "local" } }, env: {} });
    const text = await readFile(file, "utf8");
    const check = (next: { config: { gateway?: { port?: number } } }) =>
      next.config.gateway?.port === 1 ? ["gateway.port: 1 is reserved here"] : [];
    const refused = await writeConfig({ file, document: { gateway: { port: 1 } }, env: {}, check }).catch(
      (err: ConfigError) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual(["gateway.port: 1 is reserved here"]);
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("keeps ${VAR} references and $include in the file", async () => {
    await writeFile(path.join(dir, "agents.json5"), "{ defaults: { maxConcurrent: 2 } }");
    const document = { agents: { $include: "./agents.json5" }, gateway: { auth: { token: "${TOK}" } } };
    const snapshot = await writeConfig({ file, document, env: { TOK: "abcdef" } });
    expect(snapshot.config.gateway?.auth?.token).toBe("abcdef");
    expect(snapshot.config.agents?.defaults?.maxConcurrent).toBe(2);
    const onDisk = JSON5.parse(await readFile(file, "utf8"));
    expect(onDisk.agents).toEqual({ $include: "./agents.json5" });
    expect(onDisk.gateway.auth.token).toBe("${TOK}");
  });

  it("keeps a ring of five backups, newest in .bak", async () => {
    for (let n = 1; n <= 7; n++) {
      await writeConfig({ file, document: { agents: { defaults: { maxConcurrent: n } } }, env: {} });
    }
    const names = (await readdir(dir)).filter((f) => f.includes(".bak")).sort();
    expect(names).toEqual([
      "openclaw.json.bak",
      "openclaw.json.bak.1",
      "openclaw.json.bak.2",
      "openclaw.json.bak.3",
      "openclaw.json.bak.4",
    ]);
    expect(names).toHaveLength(BACKUP_COUNT);
    const newest = JSON5.parse(await readFile(`${file}.bak`, "utf8"));
    const oldest = JSON5.parse(await readFile(`${file}.bak.4`, "utf8"));
    expect(newest.agents.defaults.maxConcurrent).toBe(6);
    expect(oldest.agents.defaults.maxConcurrent).toBe(2);
    expect((await stat(`${file}.bak`)).mode & 0o777).toBe(0o600);
  });

  it("rejects a stale baseHash with a conflict", async () => {
    const first = await writeConfig({ file, document: { gateway: { mode: "local" } }, env: {} });
    await writeConfig({ file, document: { gateway: { mode: "remote" } }, baseHash: first.hash, env: {} });
    const stale = writeConfig({ file, document: { gateway: { port: 1234 } }, baseHash: first.hash, env: {} });
    await expect(stale).rejects.toThrow(ConfigConflictError);
    await expect(stale).rejects.toThrow(/changed since it was read/);
  });

  it("serializes concurrent writes: with the same baseHash exactly one wins", async () => {
    const base = await writeConfig({ file, document: {}, env: {} });
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) =>
        writeConfig({
          file,
          document: { agents: { defaults: { maxConcurrent: n } } },
          baseHash: base.hash,
          env: {},
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(2);
  });

  it("config.apply text is parsed as JSON5 and its hash matches the file", async () => {
    const snapshot = await writeConfigText({ file, raw: "// hi\n{ gateway: { mode: 'local', }, }", env: {} });
    expect(snapshot.config.gateway?.mode).toBe("local");
    expect(snapshot.hash).toBe(hashConfigText(await readFile(file, "utf8")));
  });
});
