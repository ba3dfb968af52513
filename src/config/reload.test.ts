import { mkdtemp, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../infra/logger.js";
import { loadConfig } from "./load.js";
import { type ConfigReloader, createConfigReloader, planReload } from "./reload.js";
import { writeConfig } from "./write.js";

describe("planReload", () => {
  it("splits changes into live and restart-needed", () => {
    const plan = planReload(
      {
        gateway: { port: 1, auth: { token: "a" } },
        logging: { level: "info" },
        meta: { lastTouchedAt: "x" },
      },
      {
        gateway: { port: 2, auth: { token: "b" } },
        logging: { level: "debug" },
        agents: { defaults: { maxConcurrent: 2 } },
      },
    );
    expect(plan.restart).toEqual(["gateway.port"]);
    expect(plan.live).toEqual(["gateway.auth.token", "logging.level", "agents.defaults.maxConcurrent"]);
  });
});

/** A logger that lets a test wait for a line instead of sleeping. */
function recordingLogger() {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve(line: string): void }>();
  const record = (msg: string) => {
    lines.push(msg);
    for (const w of waiters) {
      if (w.pattern.test(msg)) {
        waiters.delete(w);
        w.resolve(msg);
      }
    }
  };
  const log: Logger = { debug: record, info: record, warn: record, error: record, child: () => log };
  const next = (pattern: RegExp) => new Promise<string>((resolve) => waiters.add({ pattern, resolve }));
  return { log, lines, next };
}

describe("config file watcher", () => {
  let dir: string;
  let file: string;
  let reloader: ConfigReloader;
  let rec: ReturnType<typeof recordingLogger>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-reload-"));
    file = path.join(dir, "openclaw.json");
    await writeFile(file, '{ gateway: { mode: "local" } }');
    rec = recordingLogger();
    reloader = createConfigReloader({
      initial: await loadConfig(file, {}),
      env: {},
      log: rec.log,
      apply: () => {},
    });
    reloader.watch();
  });
  afterEach(() => reloader.close());

  it("applies a valid edit written in place", async () => {
    const applied = rec.next(/config applied live \(file change\)/);
    await writeFile(file, '{ gateway: { mode: "local" }, logging: { level: "debug" } }');
    expect(await applied).toContain("logging.level");
    expect(reloader.current().config.logging?.level).toBe("debug");
  });

  it("follows an editor's rename-over save", async () => {
    const applied = rec.next(/config applied live/);
    await writeFile(
      path.join(dir, "tmp"),
      '{ gateway: { mode: "local" }, session: { dmScope: "per-peer" } }',
    );
    await rename(path.join(dir, "tmp"), file);
    await applied;
    expect(reloader.current().config.session?.dmScope).toBe("per-peer");
  });

  it("skips an invalid edit and keeps the last good config", async () => {
    const skipped = rec.next(/config reload skipped \(invalid config\)/);
    const before = reloader.current();
    await writeFile(file, '{ gateway: { mode: "local", prot: 1 } }');
    expect(await skipped).toContain("gateway.prot: unknown key (did you mean `port`?)");
    expect(reloader.current()).toBe(before);
  });

  it("does not re-apply its own writes", async () => {
    const snapshot = await writeConfig({
      file,
      document: { gateway: { mode: "local" }, tools: { profile: "coding" } },
      env: {},
    });
    reloader.publish(snapshot, "config.set");
    // A later, different edit is the next thing logged: the watcher ignored our own write.
    const next = rec.next(/config applied live \(file change\)/);
    await writeFile(file, '{ gateway: { mode: "local" }, tools: { profile: "minimal" } }');
    expect(await next).toBe("config applied live (file change): tools.profile");
    expect(rec.lines.filter((l) => l.includes("file change"))).toHaveLength(1);
  });
});

describe("gateway.reload.mode", () => {
  it.each([
    ["off", false],
    ["hybrid", true],
  ])("%s → watching %s", async (mode, watching) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-reload-mode-"));
    const file = path.join(dir, "openclaw.json");
    await writeFile(file, JSON.stringify({ gateway: { reload: { mode } } }));
    const rec = recordingLogger();
    const reloader = createConfigReloader({
      initial: await loadConfig(file, {}),
      env: {},
      log: rec.log,
      apply: () => {},
    });
    reloader.watch();
    expect(reloader.isWatching()).toBe(watching);
    reloader.close();
  });
});
