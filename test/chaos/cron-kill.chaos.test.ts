import { writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { useRunningGateways } from "../helpers/fake-model-gateways.js";

/**
 * Kill -9 five times while 20 jobs fire every 3 s: every occurrence runs at most once,
 * and every run that started ends with a record (ok, error or interrupted): none vanishes.
 */

const JOBS = 20;
const KILLS = 5;
const { running, cleanups } = useRunningGateways();

interface Run {
  runId: string;
  jobId: string;
  action: string;
  status?: string;
  trigger: string;
  scheduledAtMs?: number;
}

describe("automations under kill -9", () => {
  it(`${KILLS} kills while ${JOBS} jobs fire every 3 s: each occurrence at most once, no run without a record`, async () => {
    const anthropic = await startFakeAnthropic();
    cleanups.push(() => anthropic.close());
    // Slow enough that kills land mid-run.
    // (`then` is the fake's field name for the answer after the delay, not a thenable.)
    // biome-ignore lint/suspicious/noThenProperty: the fake server's script shape
    anthropic.setDefault({ slowMs: 400, then: { text: "done" } });
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: anthropic.url } } },
        agents: {
          defaults: {
            model: { primary: "anthropic/claude-sonnet-4-5" },
            maxConcurrent: 8,
            heartbeat: { every: "0m" },
          },
        },
        cron: { maxConcurrentRuns: 4 },
      }),
    );
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-chaos" });
    const cli = async (...args: string[]) => {
      const r = await runCli(["cron", ...args, "--json"], env);
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout);
    };

    let gw = await startGateway(["--port", "0"], env);
    running.push(gw);
    for (let i = 0; i < JOBS; i++)
      await cli("add", "--name", `job${i}`, "--every", "3s", "--message", `task ${i}`, "--no-deliver");
    for (let k = 0; k < KILLS; k++) {
      // Let some runs start (the model answers slowly), then kill in the middle of them.
      await gw.waitForLine(/run \S+ started \((?:due|catch-up)\)/);
      await delay(1_000 + k * 300);
      await gw.stop("SIGKILL");
      running.splice(running.indexOf(gw), 1);
      gw = await startGateway(["--port", "0"], env);
      running.push(gw);
    }
    // Final life: stop scheduling, let what runs finish, then read the history.
    await gw.waitForLine(/run \S+ finished/);
    await cli("status");
    const jobs = (await cli("list")).jobs as { id: string }[];
    for (const job of jobs) await cli("disable", job.id);
    await gw.stop("SIGTERM");
    running.splice(running.indexOf(gw), 1);
    gw = await startGateway(["--port", "0"], env);
    running.push(gw);
    const entries = (await cli("runs", "--limit", "500")).entries as Run[];

    expect(entries.length).toBeGreaterThan(JOBS);
    // No run without a record: every started run ended (interrupted ones were recorded on restart).
    expect(entries.filter((r) => r.action !== "finished")).toEqual([]);
    expect(entries.filter((r) => r.status === "interrupted").length).toBeGreaterThan(0);
    // At most once: no occurrence of a job ran twice.
    const occurrences = entries
      .filter((r) => r.trigger !== "manual")
      .map((r) => `${r.jobId}@${r.scheduledAtMs}`);
    expect(new Set(occurrences).size).toBe(occurrences.length);
    // Every model call belongs to a run: an interrupted run is never replayed (at most one call per run).
    expect(anthropic.requests.length).toBeLessThanOrEqual(entries.length);
  }, 180_000);
});
