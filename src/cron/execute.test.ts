import { describe, expect, it } from "vitest";
import type { OutboundTarget } from "../agents/outbound.js";
import type { ChatRequest, RunHandle } from "../agents/runtime.js";
import type { Logger } from "../infra/logger.js";
import type { ConversationPort } from "./conversation.js";
import { type CronAgentPort, createJobExecutor, DELIVERY_RETRY_DELAYS_MS, isSilentReply } from "./execute.js";
import { FakeClock, settle } from "./fake-clock.test-helper.js";
import type { CronJob } from "./types.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const noEvents = { post() {} };
/** For jobs that belong to no conversation: any use is a bug in the test. */
const noConversations: ConversationPort = {
  tail: () => Promise.reject(new Error("not a current job")),
  commit: () => Promise.reject(new Error("not a current job")),
  route: () => Promise.reject(new Error("not a current job")),
};

/** Agents that answer every turn with `reply`, recording what they were sent. */
function agents(reply: string, status: "ok" | "error" = "ok"): CronAgentPort & { sent: ChatRequest[] } {
  const sent: ChatRequest[] = [];
  return {
    sent,
    defaultAgentId: () => "main",
    abort: () => 0,
    send(req): RunHandle {
      sent.push(req);
      const text = req.text === "/new" ? "New session started." : reply;
      return {
        runId: `r${sent.length}`,
        sessionKey: req.sessionKey,
        status: "started",
        accepted: Promise.resolve(),
        done: Promise.resolve({ status, text }),
      };
    },
  };
}

function outbound(failures: number) {
  const attempts: OutboundTarget[] = [];
  return {
    attempts,
    async send(target: OutboundTarget) {
      attempts.push(target);
      if (attempts.length <= failures) throw new Error("discord answered 502");
      return { messageIds: ["m1"] };
    },
  };
}

const job = (delivery?: CronJob["delivery"]): CronJob => ({
  id: "job1",
  name: "brief",
  enabled: true,
  createdAtMs: 0,
  updatedAtMs: 0,
  schedule: { kind: "every", everyMs: 60_000 },
  sessionTarget: "isolated",
  wakeMode: "now",
  payload: { kind: "agentTurn", message: "morning brief" },
  ...(delivery ? { delivery } : {}),
  state: {},
});
const announce = { mode: "announce" as const, channel: "discord", to: "channel:42" };

async function run(exec: ReturnType<typeof createJobExecutor>, j: CronJob, clock: FakeClock) {
  const result = exec(j, { runId: "run1", signal: new AbortController().signal });
  // Let the retries' back-off pass on the fake clock.
  for (const ms of DELIVERY_RETRY_DELAYS_MS) {
    await settle();
    await clock.advance(ms);
  }
  return result;
}

describe("the job executor", () => {
  it("runs the turn in a fresh cron:<jobId> session, outside the replay journal, and announces the reply", async () => {
    const a = agents("Good morning: 3 meetings.");
    const out = outbound(0);
    const clock = new FakeClock(0);
    const result = await run(
      createJobExecutor({
        agents: a,
        outbound: out,
        systemEvents: noEvents,
        conversations: noConversations,
        clock,
        log: quiet,
      }),
      job(announce),
      clock,
    );
    expect(a.sent.map((r) => [r.sessionKey, r.text, r.journal])).toEqual([
      ["agent:main:cron:job1", "/new", false],
      ["agent:main:cron:job1", "morning brief", false],
    ]);
    expect(out.attempts).toEqual([{ channel: "discord", to: "channel:42" }]);
    expect(result).toMatchObject({
      status: "ok",
      deliveryStatus: "delivered",
      summary: "Good morning: 3 meetings.",
    });
  });

  it("retries a failed send, then delivers", async () => {
    const out = outbound(2);
    const clock = new FakeClock(0);
    const result = await run(
      createJobExecutor({
        agents: agents("hi"),
        outbound: out,
        systemEvents: noEvents,
        conversations: noConversations,
        clock,
        log: quiet,
      }),
      job(announce),
      clock,
    );
    expect(out.attempts).toHaveLength(3);
    expect(result.deliveryStatus).toBe("delivered");
  });

  it("records a delivery that keeps failing, and fails the run unless best effort", async () => {
    const clock = new FakeClock(0);
    const failed = await run(
      createJobExecutor({
        agents: agents("hi"),
        outbound: outbound(99),
        systemEvents: noEvents,
        conversations: noConversations,
        clock,
        log: quiet,
      }),
      job(announce),
      clock,
    );
    expect(failed).toMatchObject({
      status: "error",
      deliveryStatus: "not-delivered",
      deliveryError: expect.stringMatching(/502/),
    });
    const lenient = await run(
      createJobExecutor({
        agents: agents("hi"),
        outbound: outbound(99),
        systemEvents: noEvents,
        conversations: noConversations,
        clock,
        log: quiet,
      }),
      job({ ...announce, bestEffort: true }),
      clock,
    );
    expect(lenient).toMatchObject({
      status: "ok",
      deliveryStatus: "not-delivered",
      deliveryError: expect.stringMatching(/502/),
    });
  });

  it.each(["NO_REPLY", " HEARTBEAT_OK\n", ""])("a silent reply (%j) is not announced", async (reply) => {
    const out = outbound(0);
    const clock = new FakeClock(0);
    const result = await run(
      createJobExecutor({
        agents: agents(reply),
        outbound: out,
        systemEvents: noEvents,
        conversations: noConversations,
        clock,
        log: quiet,
      }),
      job(announce),
      clock,
    );
    expect(out.attempts).toEqual([]);
    expect(result).toMatchObject({ status: "ok", deliveryStatus: "not-delivered" });
    expect(isSilentReply(reply)).toBe(true);
  });

  it("a failed turn is an error and nothing is announced", async () => {
    const out = outbound(0);
    const clock = new FakeClock(0);
    const result = await run(
      createJobExecutor({
        agents: agents("provider down", "error"),
        outbound: out,
        systemEvents: noEvents,
        conversations: noConversations,
        clock,
        log: quiet,
      }),
      job(announce),
      clock,
    );
    expect(result).toMatchObject({ status: "error", error: "provider down" });
    expect(out.attempts).toEqual([]);
  });

  it("a system event is posted to the heartbeat with the job's wake mode, no turn of its own", async () => {
    const a = agents("noted");
    const clock = new FakeClock(0);
    const main: CronJob = {
      ...job(),
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text: "Reminder: call mum" },
    };
    const posted: unknown[] = [];
    const systemEvents = { post: (...args: unknown[]) => void posted.push(args) };
    const exec = createJobExecutor({
      agents: a,
      outbound: outbound(0),
      systemEvents,
      conversations: noConversations,
      clock,
      log: quiet,
    });
    expect(await run(exec, main, clock)).toMatchObject({
      status: "ok",
      summary: "posted for the next heartbeat",
    });
    expect(posted).toEqual([["Reminder: call mum", "next-heartbeat", "main"]]);
    expect(a.sent).toEqual([]);
  });

  it("a job's --model reaches its turn", async () => {
    const a = agents("ok");
    const clock = new FakeClock(0);
    const exec = createJobExecutor({
      agents: a,
      outbound: outbound(0),
      systemEvents: noEvents,
      conversations: noConversations,
      clock,
      log: quiet,
    });
    await run(
      exec,
      { ...job(), payload: { kind: "agentTurn", message: "brief", model: "openai/gpt-5-mini" } },
      clock,
    );
    expect(a.sent.at(-1)).toMatchObject({ text: "brief", model: "openai/gpt-5-mini" });
  });
});

describe("session targets current and session:<key>", () => {
  const CHAT = "agent:main:discord:channel:42";
  function conversations(route?: OutboundTarget) {
    const committed: [string, string][] = [];
    const port: ConversationPort = {
      tail: async (key, max) =>
        key === CHAT ? ["user: my flight is LH123", "assistant: noted"].slice(-max) : [],
      commit: async (key, text) => void committed.push([key, text]),
      route: async () => route,
    };
    return { port, committed };
  }
  const current = (delivery?: CronJob["delivery"]): CronJob => ({
    ...job(delivery),
    sessionTarget: "current",
    sessionKey: CHAT,
  });

  it("current: a fresh detached run sees the conversation's tail; the result is committed there and sent to its chat", async () => {
    const a = agents("LH123 boards at gate B4.");
    const out = outbound(0);
    const conv = conversations({ channel: "discord", to: "channel:42" });
    const clock = new FakeClock(0);
    const exec = createJobExecutor({
      agents: a,
      outbound: out,
      systemEvents: noEvents,
      conversations: conv.port,
      clock,
      log: quiet,
    });
    const result = await run(exec, current(), clock);
    expect(a.sent.map((r) => [r.sessionKey, r.text])).toEqual([
      ["agent:main:cron:job1", "/new"],
      [
        "agent:main:cron:job1",
        "Recent messages of the conversation this scheduled job belongs to (oldest first):\nuser: my flight is LH123\nassistant: noted\n\nThe scheduled task:\nmorning brief",
      ],
    ]);
    expect(conv.committed).toEqual([[CHAT, "LH123 boards at gate B4."]]);
    expect(out.attempts).toEqual([{ channel: "discord", to: "channel:42" }]);
    expect(result).toMatchObject({ status: "ok", deliveryStatus: "delivered" });
  });

  it("current: a conversation with no chat app (WebChat) is delivered by the commit; NO_REPLY commits nothing; none sends nothing", async () => {
    const clock = new FakeClock(0);
    const webchat = conversations(undefined);
    const out = outbound(0);
    const exec = (reply: string, conv: ReturnType<typeof conversations>) =>
      createJobExecutor({
        agents: agents(reply),
        outbound: out,
        systemEvents: noEvents,
        conversations: conv.port,
        clock,
        log: quiet,
      });
    expect(await run(exec("Done.", webchat), current(), clock)).toMatchObject({
      deliveryStatus: "delivered",
    });
    expect(webchat.committed).toEqual([[CHAT, "Done."]]);
    const silent = conversations({ channel: "discord", to: "channel:42" });
    expect(await run(exec("NO_REPLY", silent), current(), clock)).toMatchObject({
      deliveryStatus: "not-delivered",
    });
    expect(silent.committed).toEqual([]);
    const none = conversations({ channel: "discord", to: "channel:42" });
    await run(exec("Done.", none), current({ mode: "none" }), clock);
    expect(none.committed).toEqual([]);
    expect(out.attempts).toEqual([]);
  });

  it("session:<key>: the turn runs in that persistent session, never reset", async () => {
    const a = agents("Standup notes updated.");
    const clock = new FakeClock(0);
    const exec = createJobExecutor({
      agents: a,
      outbound: outbound(0),
      systemEvents: noEvents,
      conversations: noConversations,
      clock,
      log: quiet,
    });
    await run(exec, { ...job(), sessionTarget: "session:daily-standup" }, clock);
    expect(a.sent.map((r) => [r.sessionKey, r.text])).toEqual([
      ["agent:main:session:daily-standup", "morning brief"],
    ]);
  });
});
