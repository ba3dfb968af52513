import { describe, expect, it } from "vitest";
import type { Logger } from "../infra/logger.js";
import { connectBackoffMs, createStartGate, DEFAULT_RETRY, resolveRetry } from "./kit.js";
import type { ChannelStatus } from "./types.js";

describe("resolveRetry", () => {
  it.each([
    ["nothing configured", undefined, DEFAULT_RETRY],
    ["only attempts", { attempts: 5 }, { ...DEFAULT_RETRY, attempts: 5 }],
    [
      "a max below the min (the min wins)",
      { minDelayMs: 2000, maxDelayMs: 100 },
      { attempts: 3, minDelayMs: 2000, maxDelayMs: 2000 },
    ],
  ])("%s", (_name, configured, expected) => {
    expect(resolveRetry(configured)).toEqual(expected);
  });

  it("uses the channel's own defaults under the configured keys", () => {
    expect(resolveRetry({ minDelayMs: 10 }, { attempts: 4, minDelayMs: 500, maxDelayMs: 1000 })).toEqual({
      attempts: 4,
      minDelayMs: 10,
      maxDelayMs: 1000,
    });
  });
});

describe("connectBackoffMs", () => {
  it("doubles from one second up to a minute", () => {
    expect([1, 2, 3, 7, 8, 20].map(connectBackoffMs)).toEqual([1000, 2000, 4000, 60_000, 60_000, 60_000]);
  });
});

describe("createStartGate", () => {
  function gateWithLog() {
    const errors: string[] = [];
    const patches: Partial<ChannelStatus>[] = [];
    const log = { error: (m: string) => errors.push(m) } as unknown as Logger;
    const gate = createStartGate({ log, setStatus: (p) => patches.push(p) });
    return { gate, errors, patches };
  }

  it("gives up once: logs the sentence, reports it as lastError, and settles started", async () => {
    const { gate, errors, patches } = gateWithLog();
    expect(gate.fail("the token was rejected")).toBe(true);
    await gate.started;
    expect(gate.failed).toBe(true);
    expect(gate.fail("a second reason")).toBe(false);
    expect(errors).toEqual(["the token was rejected"]);
    expect(patches).toEqual([{ state: "error", connected: false, lastError: "the token was rejected" }]);
  });

  it("can give up into another state (a QR code never scanned is stopped, not an error)", () => {
    const { gate, patches } = gateWithLog();
    gate.fail("not linked", "stopped");
    expect(patches[0]).toMatchObject({ state: "stopped", lastError: "not linked" });
  });

  it("settles started without failing when connected", async () => {
    const { gate, errors } = gateWithLog();
    gate.settle();
    await gate.started;
    expect(gate.failed).toBe(false);
    expect(errors).toEqual([]);
  });
});
