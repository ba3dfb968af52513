import { describe, expect, it } from "vitest";
import type { OutboundTarget } from "../agents/outbound.js";
import type { ChatRequest, RunHandle } from "../agents/runtime.js";
import type { Logger } from "../infra/logger.js";
import { FakeClock, settle } from "./fake-clock.test-helper.js";
import { BUSY_RETRY_MS, Heartbeat, type HeartbeatAgentsView, type HeartbeatEvent } from "./heartbeat.js";
import { ownerRoute, resolveOwnerTarget } from "./heartbeat-owner.js";
import { heartbeatReply, heartbeatSettings, inActiveHours, isEffectivelyEmpty } from "./heartbeat-rules.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const T0 = Date.parse("2026-06-01T10:00:00Z");
const OWNER: OutboundTarget = { channel: "discord", to: "direct:42" };
/** The operator the runner's tests configure: Discord user 42. */
const WITH_OWNER: HeartbeatAgentsView = { commands: { ownerAllowFrom: ["discord:42"] } };

describe("heartbeat reply rules (OpenClaw's)", () => {
  it.each([
    ["NO_REPLY", { send: false, reason: "no-reply" }],
    ["   ", { send: false, reason: "empty" }],
    ["HEARTBEAT_OK", { send: false, reason: "ok-token" }],
    ["HEARTBEAT_OK - all quiet.", { send: false, reason: "ok-token" }],
    ["Nothing new. HEARTBEAT_OK", { send: false, reason: "ok-token" }],
    ["Your flight moved to 9:40.", { send: true, text: "Your flight moved to 9:40." }],
    [
      "Say HEARTBEAT_OK in the middle, still sent",
      { send: true, text: "Say HEARTBEAT_OK in the middle, still sent" },
    ],
  ])("%j → %j", (text, expected) => expect(heartbeatReply(text, 300)).toEqual(expected));

  it("text beside the token longer than ackMaxChars is sent, without the token", () => {
    expect(heartbeatReply(`HEARTBEAT_OK ${"x".repeat(20)}`, 10)).toEqual({
      send: true,
      text: "x".repeat(20),
    });
  });

  it("an empty checklist is headings, blank lines and comments only", () => {
    expect(isEffectivelyEmpty("# Heartbeat\n\n## Checks\n<!-- add items -->\n")).toBe(true);
    expect(isEffectivelyEmpty("# Heartbeat\n- look at the inbox\n")).toBe(false);
  });
});

describe("active hours", () => {
  const window = { start: "08:00", end: "22:00", timezone: "Europe/Vienna" };
  it.each([
    ["2026-06-01T05:59:00Z", false], // 07:59 in Vienna (UTC+2)
    ["2026-06-01T06:00:00Z", true],
    ["2026-06-01T19:59:00Z", true],
    ["2026-06-01T20:00:00Z", false],
    ["2026-01-15T06:30:00Z", false], // 07:30 in winter (UTC+1)
    ["2026-01-15T07:00:00Z", true],
  ])("%s in Vienna 08:00–22:00 → %s", (iso, expected) =>
    expect(inActiveHours(Date.parse(iso), window)).toBe(expected),
  );

  it("a window across midnight", () => {
    const night = { start: "22:00", end: "06:00" };
    expect(inActiveHours(Date.parse("2026-06-01T23:00:00Z"), night)).toBe(true);
    expect(inActiveHours(Date.parse("2026-06-01T05:59:00Z"), night)).toBe(true);
    expect(inActiveHours(Date.parse("2026-06-01T12:00:00Z"), night)).toBe(false);
  });

  it("settings: 30m by default, 0m off, the agent's block over the defaults", () => {
    expect(heartbeatSettings(undefined, undefined)).toMatchObject({
      everyMs: 1_800_000,
      target: "owner",
      ackMaxChars: 300,
    });
    expect(heartbeatSettings({ every: "0m" }, undefined).everyMs).toBe(0);
    expect(heartbeatSettings({ every: "1h", target: "none" }, { every: "15m" })).toMatchObject({
      everyMs: 900_000,
      target: "none",
    });
  });
});

function world(opts: {
  reply: string;
  config?: HeartbeatAgentsView;
  checklist?: string;
  busy?: () => boolean;
  lastRoute?: OutboundTarget;
}) {
  const clock = new FakeClock(T0);
  const sent: ChatRequest[] = [];
  const delivered: { target: OutboundTarget; text: string }[] = [];
  const events: HeartbeatEvent[] = [];
  const warnings: string[] = [];
  const log = { ...quiet, warn: (m: string) => warnings.push(m) } as unknown as Logger;
  const heartbeat = new Heartbeat({
    agents: {
      defaultAgentId: () => "main",
      abort: () => 0,
      queuedTurns: () => (opts.busy?.() ? 1 : 0),
      send(req): RunHandle {
        sent.push(req);
        return {
          runId: "r",
          sessionKey: req.sessionKey,
          status: "started",
          accepted: Promise.resolve(),
          done: Promise.resolve({ status: "ok", text: opts.reply }),
        };
      },
    },
    outbound: {
      async send(target, message) {
        delivered.push({ target, text: message.text });
        return { messageIds: ["1"] };
      },
    },
    clock,
    config: () => ({ ...WITH_OWNER, ...opts.config }),
    readChecklist: async () => opts.checklist,
    lastRoute: async () => opts.lastRoute,
    onEvent: (e) => events.push(e),
    log,
  });
  heartbeat.start();
  return { clock, sent, delivered, events, heartbeat, warnings };
}

describe("the heartbeat runner", () => {
  it("wakes every 30 minutes in the main session; NO_REPLY sends nothing", async () => {
    const w = world({ reply: "NO_REPLY" });
    await w.clock.advance(1_800_000 - 1);
    expect(w.sent).toEqual([]);
    await w.clock.advance(1);
    await w.clock.advance(1_800_000);
    expect(w.sent.map((r) => [r.sessionKey, r.journal])).toEqual([
      ["agent:main:main", false],
      ["agent:main:main", false],
    ]);
    expect(w.delivered).toEqual([]);
    expect(w.heartbeat.lastEvent()).toMatchObject({ status: "no-reply" });
  });

  it("an alert goes to the owner's chat", async () => {
    const w = world({ reply: "The server disk is 95% full." });
    await w.clock.advance(1_800_000);
    expect(w.delivered).toEqual([{ target: OWNER, text: "The server disk is 95% full." }]);
    expect(w.events.at(-1)).toMatchObject({ status: "sent", channel: "discord", to: "direct:42" });
  });

  it("a busy session defers the heartbeat, then it runs", async () => {
    let busy = true;
    const w = world({ reply: "HEARTBEAT_OK", busy: () => busy });
    await w.clock.advance(1_800_000);
    expect(w.sent).toEqual([]);
    expect(w.heartbeat.lastEvent()).toMatchObject({ status: "skipped", reason: "requests-in-flight" });
    busy = false;
    await w.clock.advance(BUSY_RETRY_MS);
    expect(w.sent).toHaveLength(1);
  });

  it("outside active hours nothing runs", async () => {
    const w = world({
      reply: "alert",
      config: { agents: { defaults: { heartbeat: { activeHours: { start: "20:00", end: "21:00" } } } } },
    });
    await w.clock.advance(1_800_000);
    expect(w.sent).toEqual([]);
    expect(w.heartbeat.lastEvent()).toMatchObject({ status: "skipped", reason: "quiet-hours" });
  });

  it("an empty HEARTBEAT.md skips the model call", async () => {
    const w = world({ reply: "alert", checklist: "# Heartbeat\n" });
    await w.clock.advance(1_800_000);
    expect(w.sent).toEqual([]);
    expect(w.heartbeat.lastEvent()).toMatchObject({ reason: "empty-heartbeat-file" });
  });

  it("every: 0m turns it off", async () => {
    const w = world({ reply: "alert", config: { agents: { defaults: { heartbeat: { every: "0m" } } } } });
    await w.clock.advance(86_400_000);
    expect(w.sent).toEqual([]);
  });

  it("a system event with wake now runs at once and is in the prompt; next-heartbeat waits", async () => {
    const w = world({ reply: "NO_REPLY" });
    w.heartbeat.post("Reminder: water the plants", "next-heartbeat");
    await settle();
    expect(w.sent).toEqual([]);
    w.heartbeat.post("Build finished", "now");
    await settle();
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.text).toMatch(/^System: Reminder: water the plants\n\nSystem: Build finished\n\n/);
  });

  it("model and lightContext reach the turn: the override model, no bootstrap files", async () => {
    const w = world({
      reply: "NO_REPLY",
      checklist: "- is the backup fresh?",
      config: { agents: { defaults: { heartbeat: { model: "openai/gpt-5-mini", lightContext: true } } } },
    });
    await w.clock.advance(1_800_000);
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]).toMatchObject({ model: "openai/gpt-5-mini", lightContext: true });
    // The checklist rides in the prompt either way (OpenClaw appends the monitor scratch).
    expect(w.sent[0]!.text).toMatch(/reply NO_REPLY\.\n\nHEARTBEAT\.md:\n- is the backup fresh\?$/);
  });

  it("without model or lightContext the turn asks for neither", async () => {
    const w = world({ reply: "NO_REPLY" });
    await w.clock.advance(1_800_000);
    expect(w.sent[0]!.model).toBeUndefined();
    expect(w.sent[0]!.lightContext).toBeUndefined();
  });
});

describe("heartbeat target owner", () => {
  it("no owner configured: skipped before the model runs (no-route), said once in the log", async () => {
    const w = world({ reply: "alert", config: { commands: {} }, lastRoute: OWNER });
    await w.clock.advance(1_800_000);
    await w.clock.advance(1_800_000);
    expect(w.sent).toEqual([]);
    expect(w.heartbeat.lastEvent()).toMatchObject({ status: "skipped", reason: "no-route" });
    expect(w.warnings).toHaveLength(1);
    expect(w.warnings[0]).toMatch(/commands\.ownerAllowFrom/);
  });

  it("the alert goes to the owner's DM, not to the group the main session last talked in", async () => {
    const w = world({ reply: "Disk 95% full.", lastRoute: { channel: "discord", to: "channel:999" } });
    await w.clock.advance(1_800_000);
    expect(w.delivered).toEqual([{ target: OWNER, text: "Disk 95% full." }]);
  });

  it("target last follows the main session's last chat; none runs without sending", async () => {
    const last = world({
      reply: "Disk 95% full.",
      lastRoute: { channel: "telegram", to: "group:-100" },
      config: { agents: { defaults: { heartbeat: { target: "last" } } } },
    });
    await last.clock.advance(1_800_000);
    expect(last.delivered.map((d) => d.target)).toEqual([{ channel: "telegram", to: "group:-100" }]);
    const none = world({
      reply: "Disk 95% full.",
      config: { agents: { defaults: { heartbeat: { target: "none" } } } },
    });
    await none.clock.advance(1_800_000);
    expect(none.sent).toHaveLength(1);
    expect(none.delivered).toEqual([]);
    expect(none.heartbeat.lastEvent()).toMatchObject({ status: "skipped", reason: "target-none" });
  });

  it.each([
    [
      { commands: { ownerAllowFrom: ["*", "telegram:123456789"] } },
      { channel: "telegram", to: "direct:123456789" },
    ],
    [{ commands: { ownerAllowFrom: ["tg:55"] } }, { channel: "telegram", to: "direct:55" }],
    [
      { commands: { ownerAllowFrom: ["12345"] }, channels: { discord: { allowFrom: ["*", "user:77"] } } },
      { channel: "discord", to: "direct:77" },
    ],
    [
      { channels: { discord: { allowFrom: ["*"] }, telegram: { accounts: { ops: { allowFrom: [99] } } } } },
      { channel: "telegram", accountId: "ops", to: "direct:99" },
    ],
    [{ channels: { discord: { allowFrom: ["*"] } } }, undefined],
    [{ commands: { ownerAllowFrom: ["telegram:group:-100"] } }, undefined],
  ])("%j → %j", (config, expected) => expect(resolveOwnerTarget(config)).toEqual(expected));

  it("the owner's own DM as last route lends its account and thread; another chat lends nothing", () => {
    const owner = { channel: "telegram", to: "direct:5" };
    expect(
      ownerRoute(owner, { channel: "telegram", to: "direct:5", accountId: "ops", threadId: "7" }),
    ).toEqual({
      ...owner,
      accountId: "ops",
      threadId: "7",
    });
    expect(ownerRoute(owner, { channel: "telegram", to: "group:-1", accountId: "ops" })).toEqual(owner);
  });
});
