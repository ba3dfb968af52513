/**
 * Attack: one 8 MB frame of nested `[` cost 479 MB and a 3 s stall in JSON.parse
 * (five at once: 834 MB). Frames nesting deeper than MAX_FRAME_DEPTH are refused by
 * a byte scan before parsing; the connection stays usable. Oversized frames close
 * with 1009, and an unauthenticated socket is cut off after a few hundred KB.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FRAME_DEPTH, MAX_PAYLOAD, PRECONNECT_MAX_BYTES } from "../../src/gateway/protocol.js";
import { RawSocket } from "../helpers/ws.js";
import { rssMiB, startTarget, type Target } from "./harness.js";

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

/** 8 MB of `[`: the frame from the report (under MAX_PAYLOAD, so it reaches the parser). */
const NESTED = Buffer.alloc(8_000_000, "[");

async function expectHealthy(socket: RawSocket, id: string) {
  socket.request(id, "health");
  const res = await socket.response(id);
  expect(res.ok).toBe(true);
}

describe("frame caps after auth", () => {
  it("an 8 MB frame of nested [ is refused before parsing; the connection still answers", async () => {
    const socket = await target.socket();
    const before = rssMiB(target.gw.pid);
    socket.send(NESTED);
    const res = await socket.nextResponse<{
      type: string;
      ok: boolean;
      error: { code: string; message: string };
    }>();
    const after = rssMiB(target.gw.pid);
    console.log(`nested-[ 8 MB frame: gateway RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`);
    expect(res).toMatchObject({ type: "res", ok: false, error: { code: "INVALID_REQUEST" } });
    expect(res.error.message).toContain(`deeper than ${MAX_FRAME_DEPTH} levels`);
    await expectHealthy(socket, "after-nested");
    socket.ws.close();
  });

  it("five such frames at once on five connections: all refused, all still answer", async () => {
    const sockets = await Promise.all(Array.from({ length: 5 }, () => target.socket()));
    const before = rssMiB(target.gw.pid);
    for (const socket of sockets) socket.send(NESTED);
    const replies = await Promise.all(sockets.map((s) => s.nextResponse<{ error: { message: string } }>()));
    console.log(
      `5 × nested-[ 8 MB frames: gateway RSS ${before.toFixed(0)} → ${rssMiB(target.gw.pid).toFixed(0)} MiB`,
    );
    for (const reply of replies) expect(reply.error.message).toContain("deeper than");
    await Promise.all(sockets.map((s, i) => expectHealthy(s, `after-${i}`)));
    for (const socket of sockets) socket.ws.close();
  });

  it("a request nested just past the limit inside params is refused too; brackets in strings do not count", async () => {
    const socket = await target.socket();
    const deep = `{"type":"req","id":"deep","method":"health","params":{"x":${"[".repeat(MAX_FRAME_DEPTH)}${"]".repeat(MAX_FRAME_DEPTH)}}}`;
    socket.send(deep);
    expect((await socket.nextResponse<{ error: { message: string } }>()).error.message).toContain(
      "deeper than",
    );
    socket.request("strings", "health", { note: "[".repeat(10_000) });
    const res = await socket.response("strings");
    expect(res.error?.message ?? "").not.toContain("deeper than");
    await expectHealthy(socket, "after-deep");
    socket.ws.close();
  });

  it(`a frame over maxPayload (${MAX_PAYLOAD} bytes) closes the socket with 1009; the gateway serves new ones`, async () => {
    const socket = await target.socket();
    socket.send(Buffer.alloc(MAX_PAYLOAD + 1, " "));
    expect((await socket.closed).code).toBe(1009);
    const fresh = await target.socket();
    await expectHealthy(fresh, "fresh");
    fresh.ws.close();
  });
});

describe("before auth", () => {
  it(`an unauthenticated socket is cut off after ${PRECONNECT_MAX_BYTES} bytes, not after a whole 8 MiB frame`, async () => {
    const socket = await RawSocket.open(target.wsUrl);
    await socket.next(); // the challenge
    socket.send(Buffer.alloc(4 * 1024 * 1024, "["));
    await socket.closed;
    await target.gw.waitForLine(new RegExp(`over ${PRECONNECT_MAX_BYTES} bytes before connect`));
    const fresh = await target.socket();
    await expectHealthy(fresh, "fresh-after-preauth");
    fresh.ws.close();
  });
});
