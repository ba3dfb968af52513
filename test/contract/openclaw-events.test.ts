/**
 * OpenClaw's event semantics on our gateway: session events only to subscribers,
 * `presence` on every connect and disconnect, `health` on every refresh (each with a
 * `stateVersion`), and the session and channel actions OpenClaw's Control UI calls
 * (sessions.create/compact, channels.start/stop, channels.pairing.dismiss).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { baseConfig } from "../helpers/config.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "events-token-0123456789";
const REPLY = "ok from the fake model";

interface Frame {
  type: string;
  event?: string;
  payload?: Record<string, unknown>;
  stateVersion?: { presence: number; health: number };
}

/** A connected client that records every event and can wait for one. */
class Client {
  readonly events: Frame[] = [];
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private nextId = 0;

  private constructor(readonly socket: RawSocket) {
    socket.ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type !== "event") return;
      this.events.push(frame);
      for (const w of [...this.waiters]) {
        if (!w.match(frame)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    });
  }

  static async open(url: string, instanceId: string): Promise<Client> {
    const socket = await RawSocket.open(url);
    const client = new Client(socket);
    const res = await socket.connect(
      { token: TOKEN },
      { client: { id: "test", version: "1.0.0", platform: "linux", mode: "test", instanceId } },
    );
    expect(res.ok).toBe(true);
    return client;
  }

  /** The first event (already received or to come) after `since` that matches. */
  waitFor(match: (f: Frame) => boolean, since = 0): Promise<Frame> {
    const seen = this.events.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async call(method: string, params?: unknown) {
    const id = `q${this.nextId++}`;
    this.socket.request(id, method, params);
    return this.socket.response(id);
  }
}

let model: FakeServer;
let gateway: InProcessGateway;
let url: string;
const open: Client[] = [];

beforeAll(async () => {
  model = await startFakeAnthropic();
  model.setDefault({ text: REPLY, usage: { input: 12, output: 5 } });
  gateway = await startInProcessGateway({
    token: TOKEN,
    config: baseConfig(model.url, {
      models: { providers: { anthropic: { apiKey: "sk-ant-events" } } },
      // A small window, so a few turns are enough to have something older to compact.
      agents: { defaults: { contextTokens: 16_000 } },
    }),
  });
  url = gateway.url.replace(/^http/, "ws");
});

afterAll(async () => {
  for (const c of open) c.socket.ws.close();
  await gateway?.close();
  await model?.close();
});

async function client(instanceId: string): Promise<Client> {
  const c = await Client.open(url, instanceId);
  open.push(c);
  return c;
}

describe("session events go only to subscribers (OpenClaw's sessions.subscribe / sessions.messages.subscribe)", () => {
  it("a subscriber gets sessions.changed and session.message; a client that did not subscribe gets only chat", async () => {
    const subscriber = await client("subscriber");
    const bystander = await client("bystander");
    expect((await subscriber.call("sessions.subscribe", {})).payload).toEqual({ subscribed: true });
    const follow = await subscriber.call("sessions.messages.subscribe", { key: "agent:main:main" });
    expect(follow.payload).toEqual({ subscribed: true, key: "agent:main:main" });

    const send = await subscriber.call("chat.send", {
      sessionKey: "agent:main:main",
      message: "hi",
      idempotencyKey: "events-1",
    });
    expect(send.ok).toBe(true);
    const message = await subscriber.waitFor((f) => f.event === "session.message");
    expect(message.payload).toMatchObject({ sessionKey: "agent:main:main" });
    await subscriber.waitFor((f) => f.event === "sessions.changed" && f.payload?.reason === "run-end");
    // Everything sent to the bystander before this answer has arrived (one ordered socket).
    expect((await bystander.call("status", {})).ok).toBe(true);
    const names = new Set(bystander.events.map((f) => f.event));
    expect(names.has("chat")).toBe(true);
    expect(names.has("sessions.changed")).toBe(false);
    expect(names.has("session.message")).toBe(false);
  });

  it("after sessions.unsubscribe and sessions.messages.unsubscribe, no more session events come", async () => {
    const c = await client("unsubscriber");
    await c.call("sessions.subscribe", {});
    await c.call("sessions.messages.subscribe", { key: "agent:main:main" });
    await c.call("sessions.unsubscribe", {});
    await c.call("sessions.messages.unsubscribe", { key: "agent:main:main" });
    const since = c.events.length;
    await c.call("chat.send", {
      sessionKey: "agent:main:main",
      message: "again",
      idempotencyKey: "events-2",
    });
    await c.waitFor((f) => f.event === "chat" && f.payload?.state === "final", since);
    expect((await c.call("status", {})).ok).toBe(true);
    const after = c.events.slice(since).map((f) => f.event);
    expect(after).not.toContain("sessions.changed");
    expect(after).not.toContain("session.message");
  });
});

describe("presence and health events (OpenClaw's, with stateVersion)", () => {
  it("a client connecting and leaving sends `presence` with the whole list and a newer presence version", async () => {
    const watcher = await client("watcher");
    const since = watcher.events.length;
    const visitor = await Client.open(url, "visitor-1");
    const joined = await watcher.waitFor(
      (f) =>
        f.event === "presence" &&
        ((f.payload?.presence ?? []) as { instanceId?: string }[]).some((p) => p.instanceId === "visitor-1"),
      since,
    );
    const list = joined.payload!.presence as { reason: string; mode: string; instanceId?: string }[];
    expect(list[0]).toMatchObject({ mode: "gateway", reason: "self" });
    expect(list.find((p) => p.instanceId === "visitor-1")).toMatchObject({ reason: "connect", mode: "test" });
    const listed = (await watcher.call("system-presence", {})).payload as { instanceId?: string }[];
    expect(listed.map((p) => p.instanceId)).toContain("visitor-1");

    const afterJoin = watcher.events.length;
    visitor.socket.ws.close();
    const left = await watcher.waitFor((f) => f.event === "presence", afterJoin);
    expect((left.payload!.presence as { instanceId?: string }[]).map((p) => p.instanceId)).not.toContain(
      "visitor-1",
    );
    expect(left.stateVersion!.presence).toBeGreaterThan(joined.stateVersion!.presence);
  });

  it("hello-ok lists presence and health among its events; a health refresh is sent as `health`", async () => {
    const socket = await RawSocket.open(url);
    const hello = await socket.connect({ token: TOKEN });
    socket.ws.close();
    const features = (hello.payload as { features: { events: string[] } }).features;
    expect(features.events).toEqual(expect.arrayContaining(["presence", "health"]));

    const c = await client("health-watcher");
    const since = c.events.length;
    const res = await c.call("health", {});
    const event = await c.waitFor((f) => f.event === "health", since);
    expect(event.payload).toMatchObject({ ok: true, defaultAgentId: "main" });
    expect(event.payload!.ts).toBe((res.payload as { ts: number }).ts);
    const again = c.events.length;
    await c.call("health", {});
    const next = await c.waitFor((f) => f.event === "health", again);
    expect(next.stateVersion!.health).toBe(event.stateVersion!.health + 1);
  });
});

describe("session and channel actions of OpenClaw's Control UI", () => {
  it("sessions.create makes a dashboard session of the agent, labelled, and queues a first message", async () => {
    const c = await client("creator");
    const res = await c.call("sessions.create", { agentId: "main", label: "planning", message: "hello" });
    expect(res.error).toBeUndefined();
    const created = res.payload as {
      key: string;
      runStarted: boolean;
      runId: string;
      entry: { label: string };
    };
    expect(created.key).toMatch(/^agent:main:dashboard:[0-9a-f-]{36}$/);
    expect(created).toMatchObject({ runStarted: true, entry: { label: "planning" } });
    await c.waitFor(
      (f) => f.event === "chat" && f.payload?.runId === created.runId && f.payload?.state === "final",
    );
    const history = await c.call("chat.history", { sessionKey: created.key });
    const roles = (history.payload as { messages: { role: string }[] }).messages.map((m) => m.role);
    expect(roles).toEqual(["user", "assistant"]);

    // What OpenClaw's new-chat page sends; a visibility this gateway lacks is refused by name.
    const fromUi = await c.call("sessions.create", {
      message: "from the new-chat page",
      mentions: [],
      displayName: "Trip ideas",
      visibility: "normal",
      attachments: [],
    });
    expect(fromUi.payload).toMatchObject({ runStarted: true, entry: { displayName: "Trip ideas" } });
    const incognito = await c.call("sessions.create", { visibility: "incognito" });
    expect(incognito.error?.message).toMatch(/only "normal" sessions/);
  });

  it("sessions.compact summarises the older turns now; a short conversation has nothing older to compact", async () => {
    const c = await client("compactor");
    const key = "agent:main:compact-me";
    // A first exchange longer than the share kept verbatim (40% of the ~8000-token budget a 16k window leaves).
    const long = "word ".repeat(4_000);
    for (const [i, message] of [long, "short follow-up"].entries()) {
      const since = c.events.length;
      const sent = await c.call("chat.send", { sessionKey: key, message, idempotencyKey: `compact-${i}` });
      const { runId } = sent.payload as { runId: string };
      await c.waitFor(
        (f) => f.event === "chat" && f.payload?.runId === runId && f.payload?.state === "final",
        since,
      );
    }
    const res = await c.call("sessions.compact", { key });
    expect(res.error).toBeUndefined();
    expect(res.payload).toMatchObject({ ok: true, key, compacted: true, result: { summary: REPLY } });
    const again = await c.call("sessions.compact", { key: "agent:main:main" });
    expect(again.payload).toMatchObject({ compacted: false, reason: "nothing-to-compact" });
    const missing = await c.call("sessions.compact", { key: "agent:main:never" });
    expect(missing.error?.message).toBe("no session agent:main:never: see sessions.list");
  });

  it("channels.pairing.dismiss drops a pending request without approving it", async () => {
    const c = await client("pairer");
    const pairing = gateway.channels.pairing("telegram");
    const { code } = (await pairing.request("default", "4242")) as { code: string };
    const requestId = `telegram:${code}`;
    const wrong = await c.call("channels.pairing.dismiss", { requestId, channel: "discord" });
    expect(wrong.error?.message).toMatch(/belongs to telegram, not discord/);
    const res = await c.call("channels.pairing.dismiss", { requestId, channel: "telegram" });
    expect(res.payload).toEqual({ requestId, senderId: "4242" });
    expect(await pairing.list()).toEqual([]);
    expect(await pairing.approved("default")).toEqual(new Set());
    const twice = await c.call("channels.pairing.dismiss", { requestId });
    expect(twice.error).toEqual({
      code: "INVALID_REQUEST",
      message: "pending DM access request no longer exists",
    });
  });

  it("channels.start refuses a channel that is not configured; channels.stop answers what it did", async () => {
    const c = await client("channel-admin");
    const start = await c.call("channels.start", { channel: "telegram" });
    expect(start.error?.message).toMatch(/set channels\.telegram\.enabled to true/);
    const stop = await c.call("channels.stop", { channel: "telegram" });
    expect(stop.payload).toEqual({
      channel: "telegram",
      accountId: "default",
      stopped: true,
      wasRunning: false,
    });
    const other = await c.call("channels.stop", { channel: "telegram", accountId: "work" });
    expect(other.error?.message).toMatch(/runs one account, "default"/);
  });
});
