import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { tempDir } from "../../../test/helpers/cli.js";
import { createLogger } from "../../infra/logger.js";
import type { WebhookResponse } from "./providers/types.js";
import { REPLAY_MAX_STORED_ANSWER_CHARS, ReplayStore } from "./replay-store.js";

const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);
const answer = (body: string): WebhookResponse => ({ status: 200, contentType: "text/xml", body });

function setup(opts: { maxEntries?: number } = {}) {
  const file = path.join(tempDir("replay-store-"), "voice-calls", "replay.jsonl");
  let now = T0;
  const log = createLogger("replay-test");
  const warn = vi.spyOn(log, "warn");
  const open = () => ReplayStore.open(file, { log, now: () => now, ...opts });
  const lines = () => readFileSync(file, "utf8").split("\n").filter(Boolean);
  return { file, open, lines, warn, setNow: (ms: number) => (now = ms) };
}

/** Runs a webhook through the store the way the manager does. */
async function run(store: ReplayStore, key: string, until: number, body: string) {
  const claim = store.claim(key, until);
  await claim.persisted;
  claim.settle(Promise.resolve(answer(body)));
  await store.flush();
}

describe("voice-call replay store", () => {
  it("answers a repeat with the first answer, also one arriving while the first still runs", async () => {
    const { open } = setup();
    const store = await open();
    const claim = store.claim("k1", T0 + 60_000);
    const early = store.repeat("k1", T0 + 60_000);
    expect(early?.answer).toBeDefined();
    let settled = false;
    void early!.answer!.then(() => (settled = true));
    await claim.persisted;
    expect(settled).toBe(false);
    claim.settle(Promise.resolve(answer("<Response/>")));
    expect(await early!.answer).toEqual(answer("<Response/>"));
    expect(store.repeat("other", T0 + 60_000)).toBeUndefined();
  });

  it("remembers keys and answers across a restart; a key whose answer was lost is still a repeat", async () => {
    const { open, file } = setup();
    const first = await open();
    await run(first, "done", T0 + 60_000, "<Response><Say>Hi</Say></Response>");
    // Killed while running: the key is on disk (fsynced before the run), the answer never came.
    await first.claim("in-flight", T0 + 60_000).persisted;

    const second = await open();
    expect(await second.repeat("done", T0 + 60_000)?.answer).toEqual(
      answer("<Response><Say>Hi</Say></Response>"),
    );
    expect(second.repeat("in-flight", T0 + 60_000)).toEqual({ answer: undefined });
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
  });

  it("tolerates a line torn by kill -9, and the next append is not swallowed by it", async () => {
    const { open, file, lines } = setup();
    await run(await open(), "before", T0 + 60_000, "{}");
    appendFileSync(file, '{"k":"torn","x":17');

    const store = await open();
    expect(store.repeat("before", T0 + 60_000)).toBeDefined();
    expect(store.repeat("torn", T0 + 60_000)).toBeUndefined();
    await run(store, "after", T0 + 60_000, "{}");
    expect(lines().every((line) => JSON.parse(line))).toBeTruthy();
    expect((await open()).repeat("after", T0 + 60_000)).toBeDefined();
  });

  it("forgets a key once its window has passed, and drops it from the file when loading", async () => {
    const { open, lines, setNow } = setup();
    const store = await open();
    await run(store, "short", T0 + 1_000, "{}");
    await run(store, "long", T0 + 60_000, "{}");
    setNow(T0 + 1_000);
    expect(store.repeat("short", T0 + 1_000)).toBeUndefined();
    const reopened = await open();
    expect(reopened.size).toBe(1);
    expect(lines().map((l) => JSON.parse(l).k)).toEqual(["long"]);
  });

  it("keeps a key as long as the latest copy verifies (a redelivery with a later timestamp)", async () => {
    const { open, setNow } = setup();
    const store = await open();
    await run(store, "event", T0 + 300_000, "{}");
    expect(store.repeat("event", T0 + 400_000)).toBeDefined();
    await store.flush();
    setNow(T0 + 350_000);
    expect((await open()).repeat("event", T0 + 400_000)).toBeDefined();
  });

  it("holds at most maxEntries, evicting the oldest and saying so", async () => {
    const { open, warn } = setup({ maxEntries: 3 });
    const store = await open();
    for (const key of ["a", "b", "c", "d", "e"]) await run(store, key, T0 + 60_000, "{}");
    expect(store.size).toBe(3);
    expect(store.repeat("a", T0 + 60_000)).toBeUndefined();
    expect(store.repeat("e", T0 + 60_000)).toBeDefined();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^replay memory full \(3 webhooks\)/));
    const reopened = await open();
    expect(reopened.size).toBe(3);
    expect(reopened.repeat("c", T0 + 60_000)).toBeDefined();
  });

  it("compacts while running, so the file stays within about twice the live keys", async () => {
    const { open, lines } = setup({ maxEntries: 10 });
    const store = await open();
    for (let i = 0; i < 100; i++) await run(store, `k${i}`, T0 + 60_000, "{}");
    // Two lines per webhook (key, then answer); rewritten to one per live key every 10 lines.
    expect(lines().length).toBeLessThanOrEqual(2 * 10);
    expect((await open()).size).toBe(10);
  });

  it("keeps a large answer in memory but not on disk", async () => {
    const { open } = setup();
    const store = await open();
    const big = "x".repeat(REPLAY_MAX_STORED_ANSWER_CHARS + 1);
    await run(store, "big", T0 + 60_000, big);
    expect((await store.repeat("big", T0 + 60_000)?.answer)?.body).toBe(big);
    expect((await open()).repeat("big", T0 + 60_000)).toEqual({ answer: undefined });
  });

  it("starts empty, and says so, when the file cannot be read", async () => {
    const { file } = setup();
    const log = createLogger("replay-test");
    const error = vi.spyOn(log, "error");
    // A folder where the file should be.
    mkdirSync(file, { recursive: true });
    const store = await ReplayStore.open(file, { log });
    expect(store.size).toBe(0);
    expect(error).toHaveBeenCalledWith(expect.stringContaining("unreadable, starting empty"));
  });
});
