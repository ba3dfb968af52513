import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../infra/logger.js";
import { HEALTH_REFRESH_INTERVAL_MS, startHealthRefresh } from "./health-refresh.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("startHealthRefresh (OpenClaw's periodic health event)", () => {
  it("publishes a fresh snapshot every interval while a client is connected, none while nobody is", async () => {
    vi.useFakeTimers();
    let clients = 0;
    let taken = 0;
    const published: unknown[] = [];
    const stop = startHealthRefresh({
      snapshot: async () => ({ n: ++taken }),
      publish: (s) => published.push(s),
      clientCount: () => clients,
      log: createLogger("test"),
    });
    await vi.advanceTimersByTimeAsync(HEALTH_REFRESH_INTERVAL_MS);
    expect(taken).toBe(0);
    clients = 1;
    await vi.advanceTimersByTimeAsync(HEALTH_REFRESH_INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(HEALTH_REFRESH_INTERVAL_MS);
    expect(published).toEqual([{ n: 1 }, { n: 2 }]);
    stop();
    await vi.advanceTimersByTimeAsync(HEALTH_REFRESH_INTERVAL_MS);
    expect(published).toHaveLength(2);
  });

  it("skips a tick while the previous snapshot is still being taken", async () => {
    vi.useFakeTimers();
    const pending: (() => void)[] = [];
    let taken = 0;
    const stop = startHealthRefresh({
      snapshot: () => {
        taken++;
        return new Promise<unknown>((resolve) => pending.push(() => resolve({})));
      },
      publish: () => {},
      clientCount: () => 1,
      log: createLogger("test"),
    });
    await vi.advanceTimersByTimeAsync(HEALTH_REFRESH_INTERVAL_MS * 3);
    expect(taken).toBe(1);
    pending[0]!();
    await vi.advanceTimersByTimeAsync(HEALTH_REFRESH_INTERVAL_MS);
    expect(taken).toBe(2);
    stop();
  });
});
