import { describe, expect, it } from "vitest";
import { resolveAgentRoute } from "./bindings.js";
import {
  InvalidSessionKeyError,
  knownAgentIds,
  resolveKnownAgentId,
  UnknownAgentError,
} from "./known-agents.js";
import { canonicalSessionKey, requestedSessionKey } from "./session-key.js";

const LIST = [{ id: "main" }, { id: "Work", default: true }];

describe("known agents", () => {
  it("are agents.list's ids, or only main without a list", () => {
    expect(knownAgentIds(LIST)).toEqual(["main", "work"]);
    expect(knownAgentIds(undefined)).toEqual(["main"]);
    expect(knownAgentIds([])).toEqual(["main"]);
  });

  it("an unknown id is refused with the known ones named", () => {
    expect(resolveKnownAgentId(LIST, " WORK ")).toBe("work");
    expect(() => resolveKnownAgentId(LIST, "ghost")).toThrow('unknown agent "ghost" (known: main, work)');
    expect(() => resolveKnownAgentId(undefined, "work")).toThrow(UnknownAgentError);
  });
});

describe("requestedSessionKey (CLI --agent/--session, the agent method)", () => {
  it.each<[{ agentId?: string; sessionKey?: string }, string]>([
    [{}, "main"],
    [{ sessionKey: "main" }, "main"],
    [{ agentId: "work" }, "agent:work:main"],
    [{ agentId: "work", sessionKey: "main" }, "agent:work:main"],
    [{ agentId: "work", sessionKey: "agent:main:notes" }, "agent:main:notes"],
    [{ sessionKey: "notes" }, "notes"],
  ])("%j → %s", (req, key) => {
    expect(requestedSessionKey(req)).toBe(key);
  });

  it("its result goes through the one agent check", () => {
    expect(() => canonicalSessionKey(LIST, requestedSessionKey({ agentId: "ghost" }))).toThrow(
      UnknownAgentError,
    );
    expect(canonicalSessionKey(LIST, requestedSessionKey({ agentId: "WORK" }))).toBe("agent:work:main");
  });
});

describe("canonicalSessionKey", () => {
  it.each([
    ["main", "agent:work:main"],
    ["", "agent:work:main"],
    ["Chat-1", "agent:work:chat-1"],
    ["agent:MAIN:discord:channel:42", "agent:main:discord:channel:42"],
    ["agent:work:main", "agent:work:main"],
  ])("%j → %s", (raw, key) => {
    expect(canonicalSessionKey(LIST, raw)).toBe(key);
  });

  it("refuses unknown agents and malformed agent keys", () => {
    expect(() => canonicalSessionKey(LIST, "agent:ghost:x")).toThrow(UnknownAgentError);
    expect(() => canonicalSessionKey(undefined, "agent:work:x")).toThrow("(known: main)");
    expect(() => canonicalSessionKey(LIST, "agent::x")).toThrow(InvalidSessionKeyError);
    expect(() => canonicalSessionKey(LIST, "agent:work")).toThrow(InvalidSessionKeyError);
  });
});

describe("bindings and known agents agree", () => {
  const route = (agents: { id: string }[] | undefined) =>
    resolveAgentRoute({
      agents,
      bindings: [{ agentId: "work", match: { channel: "discord" } }],
      channel: "discord",
      peer: { kind: "channel", id: "42" },
    });

  it("a binding to a listed agent routes there, and its key is accepted as is", () => {
    const r = route([{ id: "main" }, { id: "work" }]);
    expect(r.agentId).toBe("work");
    expect(canonicalSessionKey([{ id: "main" }, { id: "work" }], r.sessionKey)).toBe(r.sessionKey);
  });

  it("without agents.list a binding to another agent falls back to main, which exists", () => {
    const r = route(undefined);
    expect(r.agentId).toBe("main");
    expect(canonicalSessionKey(undefined, r.sessionKey)).toBe(r.sessionKey);
  });
});
