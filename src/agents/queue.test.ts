import { describe, expect, it } from "vitest";
import { QueueFullError, TurnAdmission, TurnScheduler } from "./queue.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("TurnScheduler", () => {
  it("runs one lane strictly in order, one at a time", async () => {
    const scheduler = new TurnScheduler(4);
    const order: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, i) =>
      scheduler.run("lane", async () => {
        order.push(`start ${i}`);
        await gate.promise;
        order.push(`end ${i}`);
      }),
    );
    gates[2]!.resolve();
    gates[1]!.resolve();
    await Promise.resolve();
    expect(order).toEqual(["start 0"]);
    gates[0]!.resolve();
    await Promise.all(runs);
    expect(order).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
  });

  it("caps concurrent turns across lanes and drops none", async () => {
    const scheduler = new TurnScheduler(2);
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      scheduler.run(`lane-${i}`, async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it("a failing turn does not stop the lane", async () => {
    const scheduler = new TurnScheduler(1);
    const first = scheduler.run("l", async () => {
      throw new Error("boom");
    });
    const second = scheduler.run("l", async () => "ok");
    await expect(first).rejects.toThrow("boom");
    expect(await second).toBe("ok");
    await new Promise((r) => setImmediate(r));
    expect(scheduler.activeLanes()).toEqual([]);
  });
});

describe("TurnAdmission", () => {
  it("refuses a session's turn past its cap and admits it again once one ends", () => {
    const admission = new TurnAdmission({ perSession: 2, perSubmitter: 10 });
    const first = admission.admit("s");
    admission.admit("s");
    expect(() => admission.admit("s")).toThrow(QueueFullError);
    expect(() => admission.admit("s")).toThrow("limit 2");
    expect(admission.admit("other")).toBeTypeOf("function");
    first();
    first(); // releasing twice frees one place only
    admission.admit("s");
    expect(() => admission.admit("s")).toThrow(QueueFullError);
  });

  it("caps one submitter across sessions; a refusal takes no place anywhere", () => {
    const admission = new TurnAdmission({ perSession: 5, perSubmitter: 3 });
    const releases = ["a", "b", "c"].map((s) => admission.admit(s, "conn"));
    let refusal: unknown;
    try {
      admission.admit("d", "conn");
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({ scope: "submitter", limit: 3, retryable: true });
    expect(admission.count("session", "d")).toBe(0);
    expect(admission.count("submitter", "conn")).toBe(3);
    admission.admit("d", "another-conn");
    for (const release of releases) release();
    expect(admission.count("submitter", "conn")).toBe(0);
  });
});
