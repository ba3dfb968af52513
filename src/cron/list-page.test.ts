import { describe, expect, it } from "vitest";
import { cronListPage, deliveryPreview } from "./list-page.js";
import type { CronJob } from "./types.js";

function job(id: string, over: Partial<CronJob> = {}): CronJob {
  return {
    id,
    name: `job ${id}`,
    enabled: true,
    createdAtMs: 1,
    updatedAtMs: 1,
    schedule: { kind: "every", everyMs: 60_000 },
    sessionTarget: "isolated",
    wakeMode: "now",
    payload: { kind: "agentTurn", message: "ping" },
    state: {},
    ...over,
  };
}

describe("cronListPage (OpenClaw's cron.list paging)", () => {
  it("pages with total, hasMore and nextOffset; the last page has nextOffset null", () => {
    const jobs = ["a", "b", "c"].map((id) => job(id));
    const first = cronListPage(jobs, { limit: 2, offset: 0 }, "main");
    expect(first).toMatchObject({ total: 3, offset: 0, limit: 2, hasMore: true, nextOffset: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual(["a", "b"]);
    const last = cronListPage(jobs, { limit: 2, offset: 2 }, "main");
    expect(last).toMatchObject({ hasMore: false, nextOffset: null });
    expect(last.jobs.map((j) => j.id)).toEqual(["c"]);
    expect(last.snapshotRevision).toBe(first.snapshotRevision);
  });

  it("gives another revision once a job changes, so a client reading pages starts over", () => {
    const before = cronListPage([job("a")], {}, "main").snapshotRevision;
    expect(cronListPage([job("a", { updatedAtMs: 2 })], {}, "main").snapshotRevision).not.toBe(before);
    expect(cronListPage([job("a"), job("b")], {}, "main").snapshotRevision).not.toBe(before);
  });

  it("without a limit returns every job in one page (our UI asks that way); filters by agent and text", () => {
    const jobs = [job("a", { agentId: "ops" }), job("b", { description: "Nightly backup" }), job("c")];
    expect(cronListPage(jobs, {}, "main")).toMatchObject({ total: 3, limit: 3, hasMore: false });
    expect(cronListPage(jobs, { agentId: "main" }, "main").jobs.map((j) => j.id)).toEqual(["b", "c"]);
    expect(cronListPage(jobs, { query: "BACKUP" }, "main").jobs.map((j) => j.id)).toEqual(["b"]);
    expect(cronListPage([], {}, "main")).toMatchObject({ total: 0, limit: 1, jobs: [], nextOffset: null });
  });
});

describe("deliveryPreview", () => {
  it("words each delivery as OpenClaw's previews do", () => {
    const none = { label: "not requested", detail: "not requested" };
    expect(deliveryPreview(job("a"))).toEqual(none);
    expect(deliveryPreview(job("a", { delivery: { mode: "none" } }))).toEqual(none);
    expect(
      deliveryPreview(job("a", { delivery: { mode: "announce", channel: "telegram", to: "direct:1" } })),
    ).toEqual({
      label: "announce -> telegram:direct:1",
      detail: "explicit",
    });
    expect(deliveryPreview(job("a", { delivery: { mode: "announce" } })).label).toBe("announce -> last");
    expect(deliveryPreview(job("a", { sessionTarget: "current", sessionKey: "agent:main:main" })).label).toBe(
      "announce -> current session",
    );
  });
});
