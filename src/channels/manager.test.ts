import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import type { AgentRuntime } from "../agents/runtime.js";
import type { OpenClawConfig } from "../config/schema.js";
import { type LogRecord, onLogRecord } from "../infra/logger.js";
import { createLazyAdapter } from "./lazy-adapter.js";
import { ChannelManager } from "./manager.js";
import type { ChannelAdapter, ChannelFactory } from "./types.js";

/** An adapter that connects at once (no network): what a healthy channel looks like to the manager. */
function healthyAdapter(id: string): ChannelAdapter {
  return createLazyAdapter(id, async (setStatus) => {
    setStatus({ state: "ready", connected: true });
    return {
      started: Promise.resolve(),
      stop: async () => {},
      send: async () => ({ messageIds: [] }),
      sendTyping: async () => {},
    };
  });
}

function managerWith(config: Record<string, unknown>, factories: Record<string, ChannelFactory<never>>) {
  return new ChannelManager({
    config: () => config as OpenClawConfig,
    runtime: {} as AgentRuntime,
    stateDir: tempDir(),
    env: {},
    factories,
  });
}

function captureLogs(): { records: LogRecord[]; stop: () => void } {
  const records: LogRecord[] = [];
  const stop = onLogRecord((r) => records.push(r));
  return { records, stop };
}

describe("ChannelManager: a channel that cannot start", () => {
  it.each([
    ["its factory throws", async () => Promise.reject(new Error("no token here"))],
    [
      "its start() throws",
      async () => ({
        ...healthyAdapter("discord"),
        start: () => Promise.reject(new Error("no token here")),
      }),
    ],
  ])("is reported failed in one line when %s; the others run and sync() resolves", async (_name, broken) => {
    const logs = captureLogs();
    const manager = managerWith(
      { channels: { discord: {}, telegram: {} } },
      { discord: broken as ChannelFactory<never>, telegram: async () => healthyAdapter("telegram") },
    );
    try {
      await expect(manager.sync()).resolves.toBeUndefined();
      const byName = Object.fromEntries(manager.status().map((s) => [s.channel, s]));
      expect(byName.discord).toMatchObject({
        state: "error",
        connected: false,
        lastError: "discord: no token here",
      });
      expect(byName.telegram).toMatchObject({ state: "ready", connected: true });
      const errors = logs.records.filter((r) => r.level === "error");
      expect(errors.map((r) => r.msg)).toEqual(["discord failed to start: no token here"]);
      // The stack goes to the debug log only, never on the error line.
      expect(errors[0]!.msg).not.toContain("\n");
      expect(logs.records.some((r) => r.level === "debug" && r.msg.includes("at "))).toBe(true);
      // An unrelated reload does not try (and log) it again; a changed section would.
      await manager.sync();
      expect(logs.records.filter((r) => r.level === "error")).toHaveLength(1);
    } finally {
      logs.stop();
      await manager.stopAll();
    }
  });

  it("reports a section its schema rejects as a config problem naming the key, without calling the factory", async () => {
    let called = false;
    const manager = managerWith(
      // The loader would have refused this file; a section can still arrive unchecked (tests, plugins).
      { channels: { discord: { textChunkLimit: 3000 } } },
      {
        discord: async () => {
          called = true;
          return healthyAdapter("discord");
        },
      },
    );
    await manager.sync();
    expect(called).toBe(false);
    expect(manager.status().find((s) => s.channel === "discord")).toMatchObject({
      state: "error",
      lastError: "discord: invalid config: channels.discord.textChunkLimit: must be ≤ 2000 (got 3000)",
    });
  });

  it("starts again, and clears the failure, once the config is fixed", async () => {
    const config: Record<string, unknown> = { channels: { discord: { textChunkLimit: 3000 } } };
    const manager = managerWith(config, { discord: async () => healthyAdapter("discord") });
    try {
      await manager.sync();
      expect(manager.status()[0]).toMatchObject({ channel: "discord", state: "error" });
      config.channels = { discord: { textChunkLimit: 1500 } };
      await manager.sync();
      expect(manager.status()[0]).toMatchObject({ channel: "discord", state: "ready", lastError: undefined });
    } finally {
      await manager.stopAll();
    }
  });

  it("knows plugin channels by name next to the built-in ones", () => {
    const manager = managerWith({}, {});
    manager.addFactory("echo", async () => healthyAdapter("echo"));
    expect(manager.channelNames()).toEqual(["discord", "telegram", "whatsapp", "signal", "slack", "echo"]);
  });
});

describe("ChannelManager: channels.start / channels.stop", () => {
  it("a stopped channel stays stopped across config syncs until started again", async () => {
    let built = 0;
    const manager = managerWith(
      { channels: { telegram: {} } },
      {
        telegram: async () => {
          built++;
          return healthyAdapter("telegram");
        },
      },
    );
    const state = () => manager.status().find((s) => s.channel === "telegram")!.state;
    try {
      await manager.sync();
      expect(state()).toBe("ready");
      expect(await manager.stop("telegram")).toBe(true);
      expect(state()).toBe("stopped");
      await manager.sync();
      expect(state()).toBe("stopped");
      expect(built).toBe(1);
      expect(await manager.start("telegram")).toEqual({ outcome: "started" });
      expect(state()).toBe("ready");
      expect(built).toBe(2);
      expect(await manager.start("telegram")).toEqual({ outcome: "already-running" });
    } finally {
      await manager.stopAll();
    }
  });

  it("refuses to start a channel that is not configured, naming the key to set", async () => {
    const manager = managerWith({ channels: {} }, { telegram: async () => healthyAdapter("telegram") });
    await expect(manager.start("telegram")).rejects.toThrow(/set channels\.telegram\.enabled to true/);
  });

  it("retries a channel that failed to start, and says so when it fails again", async () => {
    let attempts = 0;
    const manager = managerWith(
      { channels: { discord: {} } },
      {
        discord: async () => {
          attempts++;
          throw new Error("no token here");
        },
      },
    );
    await manager.sync();
    expect(await manager.start("discord")).toEqual({ outcome: "failed" });
    expect(attempts).toBe(2);
  });
});
