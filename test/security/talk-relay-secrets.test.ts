/**
 * Talk over the gateway relay keeps every provider secret on the gateway: the OpenAI key
 * opens the vendor socket there and appears in no response, event or log line (not even
 * when OpenAI's error quotes it), and a call belongs to the connection that created it:
 * another connection, with the same token, can neither feed it audio, answer its tool
 * calls, steer or close it, nor hear it. Runs against the built gateway and a fake OpenAI
 * Realtime WebSocket on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeRealtime,
  functionCallDone,
  realtimeTalkConfig,
  startFakeRealtime,
} from "../fakes/openai-realtime.js";
import type { RawSocket } from "../helpers/ws.js";
import { startTarget, type Target } from "./harness.js";

const API_KEY = "sk-talk-relay-server-only-0123456789abcdef";

let realtime: FakeRealtime;
let target: Target;
beforeAll(async () => {
  realtime = await startFakeRealtime();
  target = await startTarget(realtimeTalkConfig(realtime, API_KEY, { transport: "gateway-relay" }));
});
afterAll(async () => {
  await target?.close();
  await realtime?.close();
});

/** A connected socket that keeps every frame it receives, as text. */
async function recordingSocket(): Promise<{ socket: RawSocket; frames: string[] }> {
  const socket = await target.socket();
  const frames: string[] = [];
  socket.ws.on("message", (data) => frames.push(data.toString()));
  return { socket, frames };
}

let ids = 0;
async function call(socket: RawSocket, method: string, params: unknown) {
  const id = `r${ids++}`;
  socket.request(id, method, params);
  return socket.response(id);
}

describe("the gateway relay keeps the OpenAI key and the call on the gateway", () => {
  it("no response, event or log line holds the key, even when OpenAI's error quotes it", async () => {
    const { socket, frames } = await recordingSocket();
    const created = await call(socket, "talk.session.create", { sessionKey: "main" });
    expect(created.ok).toBe(true);
    const { sessionId } = created.payload as { sessionId: string };
    const vendor = await realtime.nextSocket();
    expect(vendor.authorization).toBe(`Bearer ${API_KEY}`);

    await call(socket, "talk.session.appendAudio", {
      sessionId,
      audioBase64: Buffer.alloc(480).toString("base64"),
    });
    vendor.send({ type: "response.output_audio.delta", delta: Buffer.alloc(960, 1).toString("base64") });
    vendor.send({
      type: "error",
      error: {
        type: "invalid_request_error",
        code: "invalid_api_key",
        message: `Incorrect API key provided: ${API_KEY.slice(0, 12)}***`,
      },
    });
    await expect
      .poll(() => frames.some((f) => f.includes("OpenAI Realtime error (invalid_api_key)")))
      .toBe(true);
    expect(frames.some((f) => f.includes('"type":"audio"'))).toBe(true);

    await call(socket, "talk.session.close", { sessionId });
    await vendor.closed;
    for (const frame of frames) expect(frame).not.toContain(API_KEY.slice(0, 12));
    const { stdout, stderr } = target.gw.output();
    expect(`${stdout}\n${stderr}`).not.toContain(API_KEY);
    socket.ws.close();
  });

  it("the page's CSP opens no provider origin: it talks to the gateway only", async () => {
    const csp = (await fetch(`${target.httpUrl}/`)).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("connect-src");
    expect(csp).not.toContain(new URL(realtime.url).origin);
  });

  it("another connection cannot feed, answer, steer, close or hear a call it did not create", async () => {
    const owner = await recordingSocket();
    const created = await call(owner.socket, "talk.session.create", { sessionKey: "main" });
    const { sessionId } = created.payload as { sessionId: string };
    const vendor = await realtime.nextSocket();
    vendor.send(functionCallDone("call_9"));
    await expect.poll(() => owner.frames.some((f) => f.includes("call_9"))).toBe(true);

    const other = await recordingSocket();
    const audio = Buffer.alloc(480, 9).toString("base64");
    for (const [method, params] of [
      ["talk.session.appendAudio", { sessionId, audioBase64: audio }],
      ["talk.session.submitToolResult", { sessionId, callId: "call_9", result: { text: "forged" } }],
      ["talk.session.steer", { sessionId, text: "cancel", mode: "cancel" }],
    ] as const) {
      const res = await call(other.socket, method, params);
      expect(res.ok).toBe(false);
      expect(res.error!.message).toBe("unknown or closed Talk session");
    }
    // Closing someone else's call is a no-op, as for one that never existed.
    expect((await call(other.socket, "talk.session.close", { sessionId })).ok).toBe(true);

    // The call is still the owner's and still live: its audio and tool result go through.
    vendor.send({ type: "response.output_audio.delta", delta: Buffer.alloc(960, 2).toString("base64") });
    await expect.poll(() => owner.frames.filter((f) => f.includes('"type":"audio"')).length).toBe(1);
    // Its own result over 256,000 bytes is refused and never reaches OpenAI; the call stays open for one that fits.
    const huge = await call(owner.socket, "talk.session.submitToolResult", {
      sessionId,
      callId: "call_9",
      result: { text: "x".repeat(256_001) },
    });
    expect(huge.ok).toBe(false);
    expect(huge.error!.message).toBe("tool result over 256000 bytes");
    const own = await call(owner.socket, "talk.session.submitToolResult", {
      sessionId,
      callId: "call_9",
      result: { text: "ok" },
    });
    expect(own.ok).toBe(true);
    await vendor.nextEvent((e) => e.type === "conversation.item.create");
    expect(vendor.received.some((e) => e.type === "input_audio_buffer.append" && e.audio === audio)).toBe(
      false,
    );
    expect(JSON.stringify(vendor.received)).not.toContain("forged");
    expect(JSON.stringify(vendor.received)).not.toContain("x".repeat(1000));
    expect(other.frames.some((f) => f.includes("talk.event"))).toBe(false);

    owner.socket.ws.close();
    await vendor.closed;
    other.socket.ws.close();
  });
});
