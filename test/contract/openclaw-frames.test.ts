/**
 * Contract tests against OpenClaw 2026.9.6's recorded frames: each request its own CLI or
 * Control UI sent (test/fixtures/openclaw-frames/, recorded through a logging proxy by
 * bench/peer/record-frames.mjs) is sent to our gateway, and our reply must have the
 * fields those clients read, with the types the real gateway gave them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeLogging, configureLogging } from "../../src/infra/logger.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { baseConfig } from "../helpers/config.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";
import { RawSocket } from "../helpers/ws.js";
import { EVENT_CONTRACTS, HELLO_PATHS, METHOD_CONTRACTS } from "./openclaw-contracts.js";
import { shapeMismatches } from "./shape.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/openclaw-frames");
const TOKEN = "contract-token-0123456789";
const REPLY = "ok from the fake model";

interface Exchange {
  method: string;
  params?: unknown;
  responses: { ok: boolean; payload?: unknown; error?: { code: string; message: string } }[];
}
interface Fixture {
  flow: string;
  exchanges: Exchange[];
  events: { event: string; payload: unknown }[];
  routes?: Record<string, { status: number; body: unknown }>;
}

const fixtures: Fixture[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8")) as Fixture);

/** The recorded exchange of `method` that succeeded: `gateway call <method>`'s first, else any flow's. */
function recorded(method: string): Exchange {
  const own = fixtures.find((f) => f.flow === `call-${method}`);
  const all = [own, ...fixtures].flatMap((f) => f?.exchanges ?? []);
  const found = all.find(
    (e) => e.method === method && e.responses.length > 0 && e.responses.every((r) => r.ok),
  );
  if (!found)
    throw new Error(
      `no recorded successful ${method} in ${FIXTURES}: re-record with bench/peer/record-frames.mjs`,
    );
  return found;
}

function recordedEvent(event: string): unknown {
  const found = fixtures.flatMap((f) => f.events ?? []).find((e) => e.event === event);
  if (!found) throw new Error(`no recorded ${event} event in ${FIXTURES}`);
  return found.payload;
}

let model: FakeServer;
let gateway: InProcessGateway;
let socket: RawSocket;
let hello: Record<string, unknown>;
const events: { event: string; payload: unknown }[] = [];
let nextId = 0;

async function call(method: string, params: unknown) {
  const id = `r${nextId++}`;
  socket.request(id, method, params);
  return socket.response(id);
}

beforeAll(async () => {
  model = await startFakeAnthropic();
  model.setDefault({ text: REPLY, usage: { input: 12, output: 5 } });
  const config = baseConfig(model.url, {
    models: { providers: { anthropic: { apiKey: "sk-ant-contract" } } },
  });
  gateway = await startInProcessGateway({ token: TOKEN, config });
  // A log file, so logs.tail has one to read (the CLI sets this up for a real gateway).
  configureLogging({ file: path.join(gateway.stateDir, "gateway.log"), fileLevel: "debug" });
  socket = await RawSocket.open(gateway.url.replace(/^http/, "ws"));
  socket.ws.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; event: string; payload: unknown };
    if (frame.type === "event") events.push({ event: frame.event, payload: frame.payload });
  });
  const res = await socket.connect({ token: TOKEN });
  expect(res.ok).toBe(true);
  hello = res.payload as Record<string, unknown>;
  // As OpenClaw's Control UI does on load: the session events come only to subscribers.
  expect((await call("sessions.subscribe", {})).ok).toBe(true);
  expect((await call("sessions.messages.subscribe", { key: "agent:main:main" })).ok).toBe(true);
});

afterAll(async () => {
  socket?.ws.close();
  await gateway?.close();
  await closeLogging();
  configureLogging({});
  await model?.close();
});

describe("OpenClaw's clients against our gateway (recorded OpenClaw 2026.9.6 frames)", () => {
  it("hello-ok has the fields its clients read, and lists the catalog capability its `models list` requires", () => {
    const real = recorded("connect").responses[0]!.payload;
    expect(shapeMismatches(real, hello, HELLO_PATHS)).toEqual([]);
    expect((hello.features as { capabilities: string[] }).capabilities).toContain("published-model-catalog");
  });

  it("agent: accepted first, then the reply as result.payloads (what `openclaw agent` prints)", async () => {
    const real = recorded("agent");
    const contract = METHOD_CONTRACTS.find((c) => c.method === "agent")!;
    const id = "agent-run";
    socket.request(id, "agent", real.params);
    const accepted = await socket.response(id);
    const final = await socket.response(id);
    expect(shapeMismatches(real.responses[0]!.payload, accepted.payload, contract.acceptedPaths!)).toEqual(
      [],
    );
    expect(shapeMismatches(real.responses[1]!.payload, final.payload, contract.paths)).toEqual([]);
    expect((final.payload as { result: { payloads: { text: string }[] } }).result.payloads[0]!.text).toBe(
      REPLY,
    );
  });

  // After the agent run above, so the session, its transcript and its events exist (as when recorded).
  for (const contract of METHOD_CONTRACTS.filter((c) => c.method !== "agent")) {
    it(`${contract.method} answers the recorded request with the recorded reply's shape`, async () => {
      const real = recorded(contract.method);
      const ours = await call(contract.method, real.params);
      expect(ours.error).toBeUndefined();
      expect(shapeMismatches(real.responses.at(-1)!.payload, ours.payload, contract.paths)).toEqual([]);
    });
  }

  it("logs.tail lines carry `message`, the text OpenClaw's log viewer shows", async () => {
    const res = await call("logs.tail", { limit: 50 });
    const lines = (res.payload as { lines: string[] }).lines.map(
      (l) => JSON.parse(l) as Record<string, unknown>,
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.message).toBe(line.msg);
  });

  for (const contract of EVENT_CONTRACTS) {
    it(`the ${contract.event} event has the recorded shape`, () => {
      const ours = events.find((e) => e.event === contract.event);
      expect(ours, `no ${contract.event} event during the agent run`).toBeDefined();
      expect(shapeMismatches(recordedEvent(contract.event), ours!.payload, contract.paths)).toEqual([]);
    });
  }

  it("cron.list pages in OpenClaw's shape (what `openclaw cron list` checks) and cron.get of an unknown id is 'not found'", async () => {
    const added = await call("cron.add", {
      name: "contract job",
      schedule: { kind: "every", everyMs: 3_600_000 },
      sessionTarget: "isolated",
      payload: { kind: "agentTurn", message: "ping" },
      delivery: { mode: "none" },
    });
    expect(added.error).toBeUndefined();
    const real = recorded("cron.list");
    const ours = await call("cron.list", real.params);
    const paths = ["jobs[].id", "jobs[].name", "jobs[].enabled", "jobs[].schedule.kind", "jobs[].state"];
    const page = [
      "snapshotRevision",
      "total",
      "offset",
      "limit",
      "hasMore",
      "nextOffset",
      "deliveryPreviews",
    ];
    const extra = ["jobs[].sessionTarget", "jobs[].payload.kind", "jobs[].effectiveAgentId"];
    expect(shapeMismatches(real.responses[0]!.payload, ours.payload, [...paths, ...page, ...extra])).toEqual(
      [],
    );
    const body = ours.payload as { jobs: { id: string }[]; deliveryPreviews: Record<string, unknown> };
    expect(body.deliveryPreviews[body.jobs[0]!.id]).toEqual({
      label: "not requested",
      detail: "not requested",
    });
    // The CLI probes with a random id and accepts only OpenClaw's "not found" wording.
    const probe = await call("cron.get", { id: "3dff0d80-8a33-4ef8-8a21-cd03fdaab2de" });
    expect(probe.error?.code).toBe("INVALID_REQUEST");
    expect(probe.error?.message).toContain("cron job not found: 3dff0d80-8a33-4ef8-8a21-cd03fdaab2de");
  });

  it("sessions.observer.visibility answers as OpenClaw does without a session observer", async () => {
    const res = await call("sessions.observer.visibility", { visible: true });
    expect(res.error).toEqual({ code: "UNAVAILABLE", message: "Session observer is unavailable." });
  });

  it("a method it calls that we lack gets OpenClaw's unknown-method error, and is not advertised", async () => {
    const features = hello.features as { methods: string[] };
    const uiCalls = new Set(
      fixtures.filter((f) => f.flow === "control-ui").flatMap((f) => f.exchanges.map((e) => e.method)),
    );
    const lacking = [...uiCalls].filter((m) => m !== "connect" && !features.methods.includes(m));
    expect(lacking.length).toBeGreaterThan(0);
    for (const method of lacking.slice(0, 5)) {
      const res = await call(method, {});
      expect(res.error).toEqual({ code: "INVALID_REQUEST", message: `unknown method: ${method}` });
    }
  });

  it("every advertised method is served (none answers unknown method)", async () => {
    for (const method of (hello.features as { methods: string[] }).methods) {
      const res = await call(method, undefined);
      expect(res.error?.message ?? "", method).not.toMatch(/^unknown method/);
    }
  });

  it("serves /control-ui-config.json behind the token and /startupz, with the recorded keys", async () => {
    const routes = fixtures.find((f) => f.flow === "http-routes")!.routes!;
    const base = gateway.url.replace(/\/$/, "");
    const config = await fetch(`${base}/control-ui-config.json`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(config.status).toBe(200);
    const keys = [
      "basePath",
      "assistantName",
      "assistantAvatar",
      "assistantAgentId",
      "serverVersion",
      "terminalEnabled",
      "cliAgentsEnabled",
    ];
    expect(shapeMismatches(routes["/control-ui-config.json"]!.body, await config.json(), keys)).toEqual([]);
    expect((await fetch(`${base}/control-ui-config.json`)).status).toBe(401);
    const startup = await fetch(`${base}/startupz`);
    expect(startup.status).toBe(200);
    expect(
      shapeMismatches(routes["/startupz"]!.body, await startup.json(), [
        "ok",
        "status",
        "version",
        "uptimeMs",
      ]),
    ).toEqual([]);
  });
});
