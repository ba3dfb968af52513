/**
 * Attack: 7,000 `chat.send` queued over one connection took 1.1 GB RSS and a 311 MB
 * journal. Turns are capped per session and per connection; the excess gets a
 * retryable UNAVAILABLE naming the limit and is never journaled, and every accepted
 * turn is in the journal.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_QUEUED_TURNS_PER_SESSION, MAX_TURNS_IN_FLIGHT_PER_SUBMITTER } from "../../src/agents/queue.js";
import type { RawSocket } from "../helpers/ws.js";
import { rssMiB, startTarget, type Target } from "./harness.js";

let target: Target;
let ws: RawSocket;
beforeAll(async () => {
  target = await startTarget();
  // Every model call hangs: accepted turns stay queued for the whole test.
  target.anthropic.setDefault({ stall: "beforeFirstToken" });
  ws = await target.socket();
});
afterAll(async () => {
  ws?.ws.close();
  await target?.close();
});

type Res = Awaited<ReturnType<RawSocket["response"]>> & {
  payload?: { runId: string };
  error?: { code: string; message: string; retryable?: boolean; details?: { limit: number; scope: string } };
};

/** Sends `count` chat.send at once and collects every answer. */
async function flood(prefix: string, count: number, sessionKey: (i: number) => string): Promise<Res[]> {
  for (let i = 0; i < count; i++)
    ws.request(`${prefix}${i}`, "chat.send", {
      sessionKey: sessionKey(i),
      message: `message ${i} ${"x".repeat(200)}`,
      idempotencyKey: `${prefix}${i}`,
    });
  // Refusals come back before acceptances (those wait for the journal's fsync): collect by id.
  const answers = new Map<string, Res>();
  while (answers.size < count) {
    const frame = await ws.next<Res & { type: string; id: string }>();
    if (frame.type === "res" && frame.id.startsWith(prefix)) answers.set(frame.id, frame);
  }
  return Array.from({ length: count }, (_, i) => answers.get(`${prefix}${i}`)!);
}

describe("queued turns are capped", () => {
  it("7,000 chat.send over one connection: a bounded number accepted and journaled, the rest refused as retryable", async () => {
    const before = rssMiB(target.gw.pid);
    const sameSession = await flood("s", 3500, () => "flood");
    const acceptedSame = sameSession.filter((r) => r.ok);
    expect(acceptedSame).toHaveLength(MAX_QUEUED_TURNS_PER_SESSION);
    const refusedSame = sameSession.find((r) => !r.ok)!;
    expect(refusedSame.error).toMatchObject({
      code: "UNAVAILABLE",
      retryable: true,
      details: { scope: "session", limit: MAX_QUEUED_TURNS_PER_SESSION },
    });
    expect(refusedSame.error!.message).toContain(`limit ${MAX_QUEUED_TURNS_PER_SESSION}`);

    // Fresh session keys do not get around it: the connection's own cap applies.
    const spread = await flood("d", 3500, (i) => `spread-${i}`);
    const acceptedSpread = spread.filter((r) => r.ok);
    expect(acceptedSpread).toHaveLength(MAX_TURNS_IN_FLIGHT_PER_SUBMITTER - MAX_QUEUED_TURNS_PER_SESSION);
    expect(spread.find((r) => !r.ok)!.error).toMatchObject({
      code: "UNAVAILABLE",
      retryable: true,
      details: { scope: "submitter", limit: MAX_TURNS_IN_FLIGHT_PER_SUBMITTER },
    });
    console.log(
      `7,000 chat.send on one connection: gateway RSS ${before.toFixed(0)} → ${rssMiB(target.gw.pid).toFixed(0)} MiB`,
    );

    // Nothing accepted is lost, nothing refused is recorded.
    const journal = path.join(target.stateDir, "agents", "inbox.jsonl");
    const lines = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const journaled = new Set(lines.filter((l) => l.type === "accepted").map((l) => l.id));
    const accepted = [...acceptedSame, ...acceptedSpread].map((r) => r.payload!.runId);
    expect(journaled).toEqual(new Set(accepted));
    console.log(`journal: ${journaled.size} accepted entries, ${readFileSync(journal).length} bytes`);
  });

  it("the connection still answers other methods while its queue is full", async () => {
    ws.request("h", "health");
    expect((await ws.response("h")).ok).toBe(true);
  });
});
