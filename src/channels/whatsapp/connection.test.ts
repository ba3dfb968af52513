/**
 * The WhatsApp adapter, tested at the Baileys boundary. No WhatsApp server exists here,
 * so `makeWASocket` is replaced by a fake socket (test/fakes/whatsapp/socket.ts) and the
 * tests emit Baileys' own events on it.
 *
 * Covered: the channel stays idle (Baileys never loaded for a socket) without a linked
 * session; QR login (QR shown, rotated, linked after `creds.update` + restartRequired +
 * open) with the real `useMultiFileAuthState` writing `creds.json`; the link surviving a
 * restart; reconnect with backoff after a drop; logged out (401) and replaced (440)
 * reported as errors; a QR never scanned; inbound mapping of DMs (phone and LID chats),
 * groups with and without a mention, captions and media, status broadcasts and history
 * ignored; self-chat mode (own number in allowFrom) without answering our own replies;
 * sends chunked at 4000 with retries; typing as `composing` presence.
 *
 * Not covered (needs a real WhatsApp account and phone): that WhatsApp's servers accept
 * Baileys' handshake, the QR being scannable by a phone, real message payload shapes
 * beyond the fields typed in inbound.ts, media upload, media download from WhatsApp's own
 * host (test/channels/whatsapp-voice.test.ts downloads from a fake one), and that Baileys'
 * close codes appear exactly as mapped here (taken from its DisconnectReason).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FakeWaSocket, fakeSocketFactory } from "../../../test/fakes/whatsapp/socket.js";
import { tempDir } from "../../../test/helpers/cli.js";
import type { ChannelAdapter, ChannelLogin, InboundMessage } from "../types.js";
import { createWhatsAppChannel } from "./index.js";

const ME = "+15550001111";
const ALICE = "+15550002222";
const GROUP = "120363040000000000@g.us";

type Adapter = ChannelAdapter & { login: ChannelLogin };

interface Harness {
  adapter: Adapter;
  factory: ReturnType<typeof fakeSocketFactory>;
  authDir: string;
  messages: InboundMessage[];
  nextMessage(): Promise<InboundMessage>;
}

const adapters: Adapter[] = [];
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
});

function harness(opts: { authDir?: string; allowFrom?: string[] } = {}): Harness {
  const factory = fakeSocketFactory();
  const authDir = opts.authDir ?? path.join(tempDir(), "credentials", "whatsapp", "default");
  const messages: InboundMessage[] = [];
  const waiters: ((m: InboundMessage) => void)[] = [];
  const adapter = createWhatsAppChannel({
    authDir,
    allowFrom: opts.allowFrom ?? [ALICE],
    makeSocket: factory.make,
    retry: { attempts: 3, minDelayMs: 5, maxDelayMs: 20 },
    reconnect: { minMs: 10, maxMs: 50 },
    onMessage: (m) => {
      messages.push(m);
      waiters.shift()?.(m);
    },
  });
  adapters.push(adapter);
  return {
    adapter,
    factory,
    authDir,
    messages,
    nextMessage: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

/** Links a fresh harness through the QR flow and returns the open socket. */
async function linked(h: Harness): Promise<FakeWaSocket> {
  const first = h.factory.next();
  const started = h.adapter.login.start({ timeoutMs: 5000 });
  (await first).emit("connection.update", { qr: "QR-1" });
  await started;
  const second = h.factory.next();
  (await first).emit("creds.update", { me: { id: `${ME.slice(1)}:7@s.whatsapp.net`, lid: "99887766@lid" } });
  (await first).close(515);
  const socket = await second;
  socket.emit("connection.update", { connection: "open" });
  return socket;
}

const dm = (from: string, text: string, id = `IN${Math.random()}`) => ({
  key: { remoteJid: `${from.slice(1)}@s.whatsapp.net`, fromMe: false, id },
  message: { conversation: text },
  pushName: "Alice",
  messageTimestamp: 1_700_000_000,
});

describe("whatsapp: linking", () => {
  it("without a linked session it stays idle, makes no socket, and says how to link", async () => {
    const h = harness();
    await h.adapter.start();
    expect(h.adapter.status()).toMatchObject({ state: "stopped", connected: false });
    expect(h.adapter.status().lastError).toContain("openclaw channels login --channel whatsapp");
    expect(h.factory.sockets).toHaveLength(0);
  });

  it("login shows the QR, follows its rotation, and links after the scan", async () => {
    const h = harness();
    const first = h.factory.next();
    const started = h.adapter.login.start({ timeoutMs: 5000 });
    const socket = await first;
    expect(socket.config).toMatchObject({ markOnlineOnConnect: false, printQRInTerminal: false });
    socket.emit("connection.update", { qr: "QR-1" });
    expect(await started).toMatchObject({ connected: false, qr: "QR-1" });

    const rotated = h.adapter.login.wait({ after: "QR-1", timeoutMs: 5000 });
    socket.emit("connection.update", { qr: "QR-2" });
    expect(await rotated).toMatchObject({ connected: false, qr: "QR-2" });

    // After a scan WhatsApp sends our identity, then asks for a new connection (515).
    const done = h.adapter.login.wait({ after: "QR-2", timeoutMs: 5000 });
    const second = h.factory.next();
    socket.emit("creds.update", { me: { id: "15550001111:7@s.whatsapp.net", lid: "99887766@lid" } });
    socket.close(515);
    (await second).emit("connection.update", { connection: "open" });
    expect(await done).toEqual({ connected: true, message: `linked as ${ME}` });
    expect(h.adapter.status()).toMatchObject({ state: "ready", connected: true, botName: ME });
    await h.adapter.stop(); // waits for the credential writes
    const creds = JSON.parse(readFileSync(path.join(h.authDir, "creds.json"), "utf8"));
    expect(creds.me.id).toBe("15550001111:7@s.whatsapp.net");
  });

  it("the link survives a restart: a new adapter on the same directory connects without a QR", async () => {
    const h = harness();
    await linked(h);
    await h.adapter.stop();

    const again = harness({ authDir: h.authDir });
    const socket = again.factory.next();
    const starting = again.adapter.start();
    const s = await socket;
    expect((s.config.auth as { creds: { me: { id: string } } }).creds.me.id).toBe(
      "15550001111:7@s.whatsapp.net",
    );
    s.emit("connection.update", { connection: "open" });
    await starting;
    expect(again.adapter.status()).toMatchObject({ state: "ready", botName: ME });
  });

  it("a QR never scanned ends the login with the reason, and the channel idles", async () => {
    const h = harness();
    const first = h.factory.next();
    const started = h.adapter.login.start({ timeoutMs: 5000 });
    (await first).emit("connection.update", { qr: "QR-1" });
    await started;
    const result = h.adapter.login.wait({ after: "QR-1", timeoutMs: 5000 });
    (await first).close(408);
    expect((await result).message).toMatch(/QR code was not scanned in time/);
    expect(h.adapter.status().state).toBe("stopped");
  });

  it("a login while linked and connected says so instead of showing a QR", async () => {
    const h = harness();
    await linked(h);
    expect(await h.adapter.login.start({})).toMatchObject({
      connected: true,
      message: expect.stringMatching(/already linked as \+15550001111/),
    });
  });
});

describe("whatsapp: connection", () => {
  it("reconnects with backoff after a drop", async () => {
    const h = harness();
    const socket = await linked(h);
    const next = h.factory.next();
    socket.close(428);
    expect(h.adapter.status()).toMatchObject({ state: "connecting", connected: false });
    expect(h.adapter.status().lastError).toMatch(/closed \(428\); reconnecting in/);
    (await next).emit("connection.update", { connection: "open" });
    expect(h.adapter.status()).toMatchObject({ state: "ready", connected: true, lastError: undefined });
  });

  it("logged out (401) is an error that says to link again, and forgets the dead credentials", async () => {
    const h = harness();
    const socket = await linked(h);
    socket.close(401);
    expect(h.adapter.status()).toMatchObject({ state: "error", connected: false });
    expect(h.adapter.status().lastError).toMatch(
      /logged this device out.*openclaw channels login --channel whatsapp/,
    );
    await vi.waitFor(() => expect(existsSync(path.join(h.authDir, "creds.json"))).toBe(false));
    expect(h.factory.sockets).toHaveLength(2);
  });

  it("replaced by another session (440) is an error and does not fight back", async () => {
    const h = harness();
    const socket = await linked(h);
    socket.close(440);
    expect(h.adapter.status()).toMatchObject({ state: "error" });
    expect(h.adapter.status().lastError).toMatch(/another WhatsApp Web session/);
    expect(h.factory.sockets).toHaveLength(2);
  });
});

describe("whatsapp: inbound", () => {
  it("hands a DM to the router with the sender in E.164", async () => {
    const h = harness();
    const socket = await linked(h);
    const next = h.nextMessage();
    socket.emit("messages.upsert", { type: "notify", messages: [dm(ALICE, "hello", "M1")] });
    expect(await next).toMatchObject({
      channel: "whatsapp",
      messageId: "M1",
      chatType: "direct",
      peer: { kind: "direct", id: ALICE },
      sender: { id: ALICE, name: "Alice" },
      text: "hello",
      timestamp: 1_700_000_000_000,
    });
  });

  it("a chat addressed by LID is mapped to the phone number Baileys gives alongside", async () => {
    const h = harness();
    const socket = await linked(h);
    const next = h.nextMessage();
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: "555@lid", remoteJidAlt: "15550002222@s.whatsapp.net", id: "L1" },
          message: { conversation: "hi" },
        },
      ],
    });
    expect((await next).peer).toEqual({ kind: "direct", id: ALICE });
  });

  it("group messages: the group is the peer, mentions of our number or LID mention the bot", async () => {
    const h = harness();
    const socket = await linked(h);
    const group = (id: string, mentionedJid: string[]) => ({
      key: { remoteJid: GROUP, participant: "15550002222@s.whatsapp.net", id },
      message: { extendedTextMessage: { text: "@bot what's up", contextInfo: { mentionedJid } } },
    });
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [
        group("G1", ["15550001111@s.whatsapp.net"]),
        group("G2", ["99887766@lid"]),
        group("G3", ["15550009999@s.whatsapp.net"]),
      ],
    });
    await vi.waitFor(() => expect(h.messages).toHaveLength(3));
    expect(h.messages.map((m) => [m.messageId, m.chatType, m.peer.id, m.sender.id, m.mentionsBot])).toEqual([
      ["G1", "group", GROUP, ALICE, true],
      ["G2", "group", GROUP, ALICE, true],
      ["G3", "group", GROUP, ALICE, false],
    ]);
  });

  it("a captioned image becomes text plus a described attachment", async () => {
    const h = harness();
    const socket = await linked(h);
    const next = h.nextMessage();
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: "15550002222@s.whatsapp.net", id: "IMG1" },
          message: { imageMessage: { caption: "look", mimetype: "image/jpeg", fileLength: 1234 } },
        },
      ],
    });
    expect(await next).toMatchObject({
      text: "look",
      attachments: [{ url: "whatsapp:message/IMG1", name: "image", contentType: "image/jpeg", size: 1234 }],
    });
  });

  it("ignores status broadcasts, history catch-up and our own messages outside self-chat", async () => {
    const h = harness();
    const socket = await linked(h);
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [{ ...dm(ALICE, "story"), key: { remoteJid: "status@broadcast", id: "S1" } }],
    });
    socket.emit("messages.upsert", { type: "append", messages: [dm(ALICE, "old")] });
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: "15550002222@s.whatsapp.net", fromMe: true, id: "OWN" },
          message: { conversation: "typed on my phone" },
        },
      ],
    });
    const next = h.nextMessage();
    socket.emit("messages.upsert", { type: "notify", messages: [dm(ALICE, "the only one", "REAL")] });
    expect((await next).messageId).toBe("REAL");
    expect(h.messages).toHaveLength(1);
  });

  it("self-chat mode: with our number in allowFrom, notes to ourselves are handled, our replies are not", async () => {
    const h = harness({ allowFrom: [ME] });
    const socket = await linked(h);
    const note = (id: string, text: string) => ({
      key: { remoteJid: "15550001111@s.whatsapp.net", fromMe: true, id },
      message: { conversation: text },
    });
    const next = h.nextMessage();
    socket.emit("messages.upsert", { type: "notify", messages: [note("NOTE1", "remind me to call mom")] });
    expect(await next).toMatchObject({
      peer: { kind: "direct", id: ME },
      sender: { id: ME },
      text: "remind me to call mom",
    });

    const { messageIds } = await h.adapter.send({ target: { kind: "direct", id: ME }, text: "Sure." });
    const after = h.nextMessage();
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [note(messageIds[0]!, "Sure."), note("NOTE2", "thanks")],
    });
    expect((await after).messageId).toBe("NOTE2");
    expect(h.messages.map((m) => m.messageId)).toEqual(["NOTE1", "NOTE2"]);
  });
});

describe("whatsapp: outbound", () => {
  it("splits a long reply at 4000 characters and sends it to the person's JID", async () => {
    const h = harness();
    const socket = await linked(h);
    const long = "A sentence in a long answer. ".repeat(320).trim();
    const { messageIds } = await h.adapter.send({ target: { kind: "direct", id: ALICE }, text: long });
    expect(messageIds).toHaveLength(3);
    expect(socket.sent.map((s) => s.jid)).toEqual(Array(3).fill("15550002222@s.whatsapp.net"));
    const parts = socket.sent.map((s) => s.content.text as string);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4000);
    expect(parts.join(" ")).toBe(long);
  });

  it("sends to a group by its JID, files as image or document messages", async () => {
    const h = harness();
    const socket = await linked(h);
    await h.adapter.send({
      target: { kind: "group", id: GROUP },
      text: "here",
      files: [
        { name: "chart.png", data: Buffer.from("png") },
        { name: "report.pdf", data: Buffer.from("pdf") },
      ],
    });
    expect(socket.sent.map((s) => [s.jid, Object.keys(s.content).sort().join(",")])).toEqual([
      [GROUP, "text"],
      [GROUP, "image,mimetype"],
      [GROUP, "document,fileName,mimetype"],
    ]);
  });

  it("retries a failed send", async () => {
    const h = harness();
    const socket = await linked(h);
    socket.failSends = 1;
    await h.adapter.send({ target: { kind: "direct", id: ALICE }, text: "eventually" });
    expect(socket.sent.map((s) => s.content.text)).toEqual(["eventually"]);
  });

  it("shows typing as composing presence in the chat", async () => {
    const h = harness();
    const socket = await linked(h);
    await h.adapter.sendTyping({ kind: "direct", id: ALICE });
    expect(socket.presence).toEqual([{ type: "composing", jid: "15550002222@s.whatsapp.net" }]);
  });
});
