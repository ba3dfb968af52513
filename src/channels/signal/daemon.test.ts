/**
 * The managed `signal-cli daemon`: a stand-in executable (test/fakes/signal/cli.ts run by
 * Node) plays signal-cli, including its failures (no Java, unregistered account, a crash).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../../test/helpers/cli.js";
import { writeFakeExecutable } from "../../../test/helpers/fake-executable.js";
import type { ChannelAdapter } from "../types.js";
import { createSignalChannel } from "./index.js";

const BOT = "+15550000001";
const FAKE_CLI = path.resolve(import.meta.dirname, "../../../test/fakes/signal/cli.ts");

/** A `signal-cli` shell script that runs the fake with `env` set. */
function fakeSignalCli(env: Record<string, string> = {}): string {
  return writeFakeExecutable(tempDir("fake-signal-cli-"), "signal-cli", FAKE_CLI, env);
}

let adapter: ChannelAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
});

function managed(cliPath: string): ChannelAdapter {
  adapter = createSignalChannel({
    account: BOT,
    cliPath,
    daemonBackoff: { minMs: 50, maxMs: 200 },
    reconnect: { minMs: 50, maxMs: 200 },
    onMessage: () => {},
  });
  return adapter;
}

describe("signal channel with a managed signal-cli daemon", () => {
  it("starts `signal-cli -a <account> daemon --http 127.0.0.1:<port>` and connects", async () => {
    const runs = path.join(tempDir(), "runs");
    const channel = managed(fakeSignalCli({ FAKE_SIGNAL_RUNS: runs }));
    await channel.start();
    expect(channel.status()).toMatchObject({ state: "ready", connected: true });
    expect(readFileSync(runs, "utf8")).toMatch(/^-a \+15550000001 daemon --http 127\.0\.0\.1:\d+\n$/);
  });

  it("restarts signal-cli when it exits, and connects again", async () => {
    const runs = path.join(tempDir(), "runs");
    const channel = managed(fakeSignalCli({ FAKE_SIGNAL_RUNS: runs, FAKE_SIGNAL_MODE: "crash-first" }));
    await channel.start();
    await vi.waitFor(() => expect(readFileSync(runs, "utf8").split("\n")).toHaveLength(3), {
      timeout: 15_000,
      interval: 50,
    });
    await vi.waitFor(() => expect(channel.status().state).toBe("ready"), { timeout: 15_000, interval: 50 });
  });

  it.each([
    [
      "signal-cli is missing",
      "/nonexistent/signal-cli",
      /signal-cli was not found at "\/nonexistent\/signal-cli"/,
    ],
    ["Java is missing", fakeSignalCli({ FAKE_SIGNAL_MODE: "no-java" }), /signal-cli could not run Java/],
    [
      "the account is not registered",
      fakeSignalCli({ FAKE_SIGNAL_MODE: "unregistered" }),
      /no registered account \+15550000001/,
    ],
  ])("gives up with one clear sentence when %s", async (_what, cliPath, sentence) => {
    const channel = managed(cliPath);
    await channel.start();
    expect(channel.status()).toMatchObject({ state: "error", connected: false });
    expect(channel.status().lastError).toMatch(sentence);
  });
});
