import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ToolContext } from "../../src/agents/tools/types.js";
import { systemClock } from "../../src/cron/clock.js";
import { customSessionKey } from "../../src/cron/execute.js";
import { CronService } from "../../src/cron/service.js";
import { CronStore } from "../../src/cron/store.js";
import { createCronTool, MAX_TOOL_JOBS_PER_AGENT, MIN_TOOL_EVERY_MS } from "../../src/cron/tool.js";
import { cronMethods } from "../../src/gateway/methods/cron.js";
import { createLogger } from "../../src/infra/logger.js";

/**
 * Automations run agent turns later, unattended, with the agent's tools: a job is a
 * persistent foothold. These tests perform the ways in: a prompt-injected model making
 * jobs from a scheduled run (self-replication), for another agent, firing every second,
 * or by the hundred; and a read-only operator adding one over RPC.
 */

let dir: string;
let service: CronService;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "cron-sec-"));
  service = new CronService({
    store: CronStore.open(path.join(dir, "cron.sqlite")),
    clock: systemClock,
    execute: async () => ({ status: "ok", deliveryStatus: "not-requested" }),
    maxConcurrentRuns: () => 1,
    log: createLogger("cron"),
  });
});
afterEach(() => {
  service.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tool = () => createCronTool(() => service);
const ctx = (sessionKey: string, agentId = "main"): ToolContext => ({
  workspace: dir,
  agentId,
  sessionKey,
  signal: new AbortController().signal,
  replyTo: { channel: "discord", to: "channel:1" },
});
const addArgs = (schedule: unknown, extra: Record<string, unknown> = {}) => ({
  action: "add",
  job: { schedule, payload: { kind: "agentTurn", message: "do the thing" }, ...extra },
});
const call = async (args: unknown, context: ToolContext) => {
  const t = tool();
  return t.execute(t.params.parse(args), context);
};

describe("the cron tool cannot be turned into a foothold", () => {
  it("a scheduled run cannot create jobs (no self-replicating job)", async () => {
    const result = await call(addArgs({ kind: "every", everyMs: 3_600_000 }), ctx("agent:main:cron:abc"));
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/scheduled run cannot create jobs/);
    expect(service.list({ includeDisabled: true })).toEqual([]);
  });

  it("a job is pinned to the calling agent, whatever agentId the model writes", async () => {
    const t = tool();
    // agentId is not a tool parameter: zod strips it, the job belongs to the caller.
    const parsed = t.params.parse(addArgs({ kind: "every", everyMs: 3_600_000 }, { agentId: "admin" }));
    await t.execute(parsed, ctx("agent:main:main"));
    expect(service.list().map((j) => j.agentId)).toEqual(["main"]);
  });

  it("another agent's jobs are invisible and untouchable", async () => {
    await call(addArgs({ kind: "every", everyMs: 3_600_000 }), ctx("agent:ops:main", "ops"));
    const [job] = service.list();
    const listed = await call({ action: "list" }, ctx("agent:main:main"));
    expect(JSON.parse(listed.content[0]!.text)).toEqual([]);
    const removed = await call({ action: "remove", jobId: job!.id }, ctx("agent:main:main"));
    expect(removed.isError).toBe(true);
    expect(service.get(job!.id)).toBeDefined();
  });

  it(`an interval under ${MIN_TOOL_EVERY_MS / 1000} s is refused, on add and on update`, async () => {
    const fast = await call(addArgs({ kind: "every", everyMs: 1_000 }), ctx("agent:main:main"));
    expect(fast.isError).toBe(true);
    expect(fast.content[0]!.text).toMatch(/at least 60000/);
    await call(addArgs({ kind: "every", everyMs: 3_600_000 }), ctx("agent:main:main"));
    const [job] = service.list();
    const sped = await call(
      { action: "update", jobId: job!.id, patch: { schedule: { kind: "every", everyMs: 1_000 } } },
      ctx("agent:main:main"),
    );
    expect(sped.isError).toBe(true);
    expect(service.get(job!.id)!.schedule).toEqual({ kind: "every", everyMs: 3_600_000 });
  });

  it("a job made in a group chat cannot be aimed at the owner's DM or main session", async () => {
    const group = ctx("agent:main:discord:channel:1");
    const t = tool();
    // sessionKey is not a tool parameter: the job is bound to the chat it was made in.
    const parsed = t.params.parse(
      addArgs({ kind: "every", everyMs: 3_600_000 }, { sessionKey: "agent:main:discord:direct:owner" }),
    );
    await t.execute(parsed, group);
    const [bound] = service.list();
    expect(bound).toMatchObject({ sessionTarget: "current", sessionKey: "agent:main:discord:channel:1" });
    for (const target of [
      "session:agent:main:main",
      "session:agent:main:discord:direct:owner",
      "session:Agent:ops:main",
    ]) {
      const aimed = await call(
        addArgs({ kind: "every", everyMs: 3_600_000 }, { sessionTarget: target }),
        group,
      );
      expect(aimed.isError).toBe(true);
      expect(aimed.content[0]!.text).toMatch(/takes a plain name/);
      const retargeted = await call(
        { action: "update", jobId: bound!.id, patch: { sessionTarget: target } },
        group,
      );
      expect(retargeted.isError).toBe(true);
    }
    expect(service.list()).toHaveLength(1);
    expect(service.get(bound!.id)!.sessionTarget).toBe("current");
    // A plain name is the agent's own named session, never the main one (see customSessionKey).
    const named = await call(
      addArgs({ kind: "every", everyMs: 3_600_000 }, { sessionTarget: "session:main" }),
      group,
    );
    expect(named.isError).toBeUndefined();
    expect(customSessionKey("main", "main")).toBe("agent:main:session:main");
  });

  it(`an agent holds at most ${MAX_TOOL_JOBS_PER_AGENT} jobs made through the tool`, async () => {
    for (let i = 0; i < MAX_TOOL_JOBS_PER_AGENT; i++) {
      const r = await call(addArgs({ kind: "every", everyMs: 3_600_000 }), ctx("agent:main:main"));
      expect(r.isError).toBeUndefined();
    }
    const over = await call(addArgs({ kind: "every", everyMs: 3_600_000 }), ctx("agent:main:main"));
    expect(over.isError).toBe(true);
    expect(service.list()).toHaveLength(MAX_TOOL_JOBS_PER_AGENT);
  });
});

describe("cron RPC scopes", () => {
  it.each(["cron.add", "cron.update", "cron.remove", "cron.run"] as const)(
    "%s needs operator.admin",
    (method) => {
      expect(cronMethods[method].scope).toBe("operator.admin");
    },
  );
  it.each(["cron.list", "cron.status", "cron.runs", "cron.get"] as const)(
    "%s is readable with operator.read",
    (method) => {
      expect(cronMethods[method].scope).toBe("operator.read");
    },
  );
});
