import path from "node:path";
import { describe, expect, it } from "vitest";
import { fakeSocketFactory } from "../../../test/fakes/whatsapp/socket.js";
import { tempDir } from "../../../test/helpers/cli.js";
import type { ChannelManager } from "../../channels/manager.js";
import type { ChannelAdapter } from "../../channels/types.js";
import { createWhatsAppChannel } from "../../channels/whatsapp/index.js";
import { PairingStore } from "../../routing/pairing.js";
import type { GatewayContext } from "../context.js";
import { channelMethods } from "./channels.js";
import { qrSvgDataUrl } from "./login-qr.js";
import type { GatewayMethodCall } from "./types.js";

function callWith(
  adapters: Record<string, ChannelAdapter>,
  known = ["discord", "telegram", "whatsapp", "signal"],
  credentialsDir = tempDir(),
) {
  const channels = {
    adapter: (name: string) => adapters[name],
    channelNames: () => known,
    pairing: (name: string) => new PairingStore(credentialsDir, name),
  } as unknown as ChannelManager;
  const call = {
    gateway: { channels } as unknown as GatewayContext,
    connId: "c1",
    scopes: new Set(),
  } as GatewayMethodCall;
  return (method: keyof typeof channelMethods, params: unknown) => {
    const def = channelMethods[method];
    return Promise.resolve().then(() => def.handle(def.params.parse(params), call));
  };
}

type Factory = ReturnType<typeof fakeSocketFactory>;
type Login = {
  rpc: ReturnType<typeof callWith>;
  socket: Awaited<ReturnType<Factory["next"]>>;
  started: Promise<unknown>;
  factory: Factory;
};

/** A WhatsApp channel on a fake socket whose login has started and shows `qr`; stopped after `test`. */
async function loginShowing(qr: string, test: (login: Login) => Promise<void>) {
  const factory = fakeSocketFactory();
  const whatsapp = createWhatsAppChannel({
    authDir: path.join(tempDir(), "wa"),
    makeSocket: factory.make,
    onMessage: () => {},
  });
  const rpc = callWith({ whatsapp });
  try {
    const socketMade = factory.next();
    const started = rpc("web.login.start", { timeoutMs: 5000 });
    const socket = await socketMade;
    socket.emit("connection.update", { qr });
    await test({ rpc, socket, started, factory });
  } finally {
    await whatsapp.stop();
  }
}

describe("web.login.* RPCs (the Control UI's and the CLI's QR login)", () => {
  it("start returns the QR from the WhatsApp socket; wait returns linked after the scan", () =>
    loginShowing("2@QR-TEXT", async ({ rpc, socket, started, factory }) => {
      // Our text (the CLI's terminal drawing, `after`) and OpenClaw's image of it.
      expect(await started).toEqual({
        connected: false,
        qr: "2@QR-TEXT",
        qrDataUrl: qrSvgDataUrl("2@QR-TEXT"),
        message: expect.stringMatching(/^scan this QR code/),
      });

      const waited = rpc("web.login.wait", { after: "2@QR-TEXT", timeoutMs: 5000 });
      const reconnect = factory.next();
      socket.emit("creds.update", { me: { id: "15550001111:2@s.whatsapp.net" } });
      socket.close(515);
      (await reconnect).emit("connection.update", { connection: "open" });
      expect(await waited).toEqual({ connected: true, message: "linked as +15550001111" });
    }));

  it("wait takes OpenClaw's currentQrDataUrl for the code shown and answers at the next one", () =>
    loginShowing("2@FIRST", async ({ rpc, socket, started }) => {
      const { qrDataUrl } = (await started) as { qrDataUrl: string };
      let answered = false;
      const waited = rpc("web.login.wait", { currentQrDataUrl: qrDataUrl, timeoutMs: 5000 }).finally(() => {
        answered = true;
      });
      // Still the code shown: the wait goes on (a round trip through the event loop to be sure).
      await new Promise((resolve) => setImmediate(resolve));
      expect(answered).toBe(false);
      socket.emit("connection.update", { qr: "2@SECOND" });
      expect(await waited).toMatchObject({ qr: "2@SECOND", qrDataUrl: qrSvgDataUrl("2@SECOND") });
    }));

  it("explains a channel that is not configured, or has no QR login", async () => {
    const rpc = callWith({ discord: { id: "discord" } as ChannelAdapter });
    await expect(rpc("web.login.start", { channel: "whatsapp" })).rejects.toThrow(
      /whatsapp is not configured: add a channels\.whatsapp section/,
    );
    await expect(rpc("web.login.start", { channel: "discord" })).rejects.toThrow(/discord has no QR login/);
  });
});

describe("pairing.* RPCs", () => {
  it("take any channel the running gateway has, a plugin's included", async () => {
    const dir = tempDir();
    const rpc = callWith({}, ["discord", "telegram", "whatsapp", "signal", "echo"], dir);
    const created = await new PairingStore(dir, "echo").request("default", "stranger-1", { name: "S" });
    const code = created.status === "created" ? created.code : "";
    expect(await rpc("pairing.list", { channel: "echo" })).toMatchObject({
      channel: "echo",
      requests: [{ code, id: "stranger-1" }],
    });
    expect(await rpc("pairing.approve", { channel: "echo", code })).toMatchObject({
      ok: true,
      channel: "echo",
      senderId: "stranger-1",
    });
  });

  it("refuse a channel the gateway does not have, naming the ones it has", async () => {
    const rpc = callWith({}, ["discord", "echo"]);
    await expect(rpc("pairing.approve", { channel: "../../etc", code: "ABCD1234" })).rejects.toThrow(
      'unknown channel "../../etc": this gateway has discord, echo',
    );
    await expect(rpc("pairing.list", { channel: "slack" })).rejects.toThrow(/unknown channel "slack"/);
  });
});

describe("channels.pairing.* (OpenClaw's names, all channels at once)", () => {
  it("lists every channel's pending requests with a requestId that approves the sender", async () => {
    const dir = tempDir();
    const rpc = callWith({}, ["telegram", "echo"], dir);
    const created = await new PairingStore(dir, "echo").request("default", "stranger-2");
    const code = created.status === "created" ? created.code : "";
    const listed = (await rpc("channels.pairing.list", {})) as { requests: { requestId: string }[] };
    expect(listed.requests).toMatchObject([
      { requestId: `echo:${code}`, kind: "dm", channel: "echo", senderId: "stranger-2", code },
    ]);
    expect(await rpc("channels.pairing.approve", { requestId: `echo:${code}` })).toMatchObject({
      ok: true,
      channel: "echo",
      senderId: "stranger-2",
    });
    expect(await rpc("channels.pairing.list", {})).toMatchObject({
      requests: [],
      limits: { pendingPerAccount: 3, ttlMs: 3_600_000 },
    });
    await expect(rpc("channels.pairing.approve", { requestId: "nowhere:ABCD1234" })).rejects.toThrow(
      /unknown channel "nowhere"/,
    );
  });
});
