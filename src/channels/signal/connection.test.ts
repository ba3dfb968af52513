import { afterEach, describe, expect, it } from "vitest";
import { type FakeSignal, startFakeSignal } from "../../../test/fakes/signal/index.js";
import type { ChannelAdapter, InboundMessage } from "../types.js";
import { createSignalChannel } from "./index.js";

const BOT = "+15550000001";
const ALICE = "+15550000002";

interface Harness {
  fake: FakeSignal;
  adapter: ChannelAdapter;
  /** The next message the adapter hands the router. */
  nextMessage(): Promise<InboundMessage>;
  close(): Promise<void>;
}

async function startHarness(opts: { textChunkLimit?: number } = {}): Promise<Harness> {
  const fake = await startFakeSignal({ account: BOT });
  const waiters: ((m: InboundMessage) => void)[] = [];
  const adapter = createSignalChannel({
    account: BOT,
    httpUrl: fake.url,
    reconnect: { minMs: 20, maxMs: 100 },
    retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 50 },
    attachmentsDir: "/var/signal/attachments",
    ...opts,
    onMessage: (m) => waiters.shift()?.(m),
  });
  await adapter.start();
  return {
    fake,
    adapter,
    nextMessage: () => new Promise((resolve) => waiters.push(resolve)),
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("signal channel over signal-cli's HTTP daemon", () => {
  it("connects to the event stream and reports ready", async () => {
    h = await startHarness();
    expect(h.adapter.status()).toMatchObject({ state: "ready", connected: true, botName: BOT });
  });

  it("hands a received DM to the router", async () => {
    h = await startHarness();
    const next = h.nextMessage();
    const id = h.fake.receive({ from: ALICE, name: "Alice", text: "hello" });
    expect(await next).toMatchObject({
      messageId: String(id),
      peer: { kind: "direct", id: ALICE },
      text: "hello",
    });
  });

  it("sends a reply to a person, and to a group", async () => {
    h = await startHarness();
    await h.adapter.send({ target: { kind: "direct", id: ALICE }, text: "hi Alice" });
    await h.adapter.send({ target: { kind: "group", id: "R3JvdXA=" }, text: "hi all" });
    expect(h.fake.sent).toMatchObject([
      { recipient: [ALICE], message: "hi Alice" },
      { groupId: "R3JvdXA=", message: "hi all" },
    ]);
    expect(h.fake.calls.every((c) => c.params.account === BOT)).toBe(true);
  });

  it("splits a long reply at textChunkLimit and sends files as data URIs on the last part", async () => {
    h = await startHarness({ textChunkLimit: 100 });
    const text = "word ".repeat(50).trim();
    const { messageIds } = await h.adapter.send({
      target: { kind: "direct", id: ALICE },
      text,
      files: [{ name: "notes.txt", data: Buffer.from("some notes") }],
    });
    expect(messageIds).toHaveLength(3);
    expect(h.fake.sent.map((s) => s.message.length).every((n) => n <= 100)).toBe(true);
    expect(h.fake.sent.map((s) => s.message).join(" ")).toBe(text);
    expect(h.fake.sent.map((s) => s.attachments.length)).toEqual([0, 0, 1]);
    expect(h.fake.sent[2]!.attachments[0]).toBe(
      `data:text/plain;filename=notes.txt;base64,${Buffer.from("some notes").toString("base64")}`,
    );
  });

  it("retries a send that failed with a server error", async () => {
    h = await startHarness();
    h.fake.failNext({ method: "send", status: 503 });
    await h.adapter.send({ target: { kind: "direct", id: ALICE }, text: "after a retry" });
    expect(h.fake.calls.filter((c) => c.method === "send")).toHaveLength(2);
    expect(h.fake.sent).toMatchObject([{ message: "after a retry" }]);
  });

  it("does not retry a refused send, and rejects with the daemon's reason", async () => {
    h = await startHarness();
    h.fake.failNext({ method: "send", rpcError: { code: -1, message: "Invalid recipient" } });
    await expect(h.adapter.send({ target: { kind: "direct", id: "+1" }, text: "x" })).rejects.toThrow(
      /Invalid recipient/,
    );
    expect(h.fake.calls.filter((c) => c.method === "send")).toHaveLength(1);
  });

  it("shows typing through sendTyping, and a typing failure does not throw", async () => {
    h = await startHarness();
    await h.adapter.sendTyping({ kind: "group", id: "R3JvdXA=" });
    expect(h.fake.calls.at(-1)).toMatchObject({ method: "sendTyping", params: { groupId: "R3JvdXA=" } });
    h.fake.failNext({ method: "sendTyping", status: 500, times: 5 });
    await expect(h.adapter.sendTyping({ kind: "direct", id: ALICE })).resolves.toBeUndefined();
  });

  it("reconnects a dropped event stream and gets the messages sent meanwhile", async () => {
    h = await startHarness();
    const first = h.nextMessage();
    h.fake.receive({ from: ALICE, text: "one" });
    await first;
    h.fake.dropEvents();
    const missed = h.nextMessage();
    h.fake.receive({ from: ALICE, text: "while away" });
    await h.fake.eventClient();
    // Last-Event-ID: the daemon replays what came after the last event we saw.
    expect((await missed).text).toBe("while away");
    expect(h.adapter.status().state).toBe("ready");
  });

  it("start() returns after a first failed attempt and keeps trying", async () => {
    const adapter = createSignalChannel({
      account: BOT,
      httpUrl: "http://127.0.0.1:9",
      reconnect: { minMs: 1000, maxMs: 1000 },
      onMessage: () => {},
    });
    await adapter.start();
    expect(adapter.status()).toMatchObject({ state: "connecting", connected: false });
    expect(adapter.status().lastError).toMatch(/cannot read signal-cli events at http:\/\/127\.0\.0\.1:9/);
    await adapter.stop();
  });
});
