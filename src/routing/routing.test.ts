import { describe, expect, it } from "vitest";
import { type Binding, resolveAgentRoute, resolveDefaultAgentId } from "./bindings.js";
import { normalizeAgentId, resolveSessionKey } from "./session-key.js";

describe("resolveSessionKey", () => {
  const dm = {
    agentId: "main",
    channel: "discord",
    accountId: "default",
    peer: { kind: "direct" as const, id: "123" },
  };
  it.each([
    ["main", "agent:main:main"],
    ["per-peer", "agent:main:direct:123"],
    ["per-channel-peer", "agent:main:discord:direct:123"],
    ["per-account-channel-peer", "agent:main:discord:default:direct:123"],
  ] as const)("DM with dmScope %s → %s", (dmScope, key) => {
    expect(resolveSessionKey({ ...dm, dmScope })).toBe(key);
  });

  it("guild channels, groups and threads", () => {
    expect(
      resolveSessionKey({ agentId: "main", channel: "discord", peer: { kind: "channel", id: "456" } }),
    ).toBe("agent:main:discord:channel:456");
    expect(
      resolveSessionKey({
        agentId: "Work",
        channel: "Telegram",
        peer: { kind: "group", id: "-100123" },
        threadId: "99",
      }),
    ).toBe("agent:work:telegram:group:-100123:topic:99"); // OpenClaw's word for Telegram forum topics
    expect(
      resolveSessionKey({
        agentId: "main",
        channel: "discord",
        peer: { kind: "channel", id: "789" },
        threadId: "790",
      }),
    ).toBe("agent:main:discord:channel:789:thread:790");
  });

  it("identity links collapse one person across channels", () => {
    const identityLinks = { alice: ["telegram:111", "discord:222"] };
    const a = resolveSessionKey({
      agentId: "main",
      channel: "telegram",
      peer: { kind: "direct", id: "111" },
      dmScope: "per-peer",
      identityLinks,
    });
    const b = resolveSessionKey({
      agentId: "main",
      channel: "discord",
      peer: { kind: "direct", id: "222" },
      dmScope: "per-peer",
      identityLinks,
    });
    expect(a).toBe("agent:main:direct:alice");
    expect(b).toBe(a);
  });

  it.each([
    ["Main", "main"],
    ["my agent!", "my-agent-"],
    ["", "main"],
    ["--x", "x"],
  ])("normalizeAgentId(%j) = %j", (raw, id) => {
    expect(normalizeAgentId(raw)).toBe(id);
  });
});

describe("resolveAgentRoute", () => {
  const agents = [{ id: "main" }, { id: "home", default: true }, { id: "work" }, { id: "ops" }];
  const bindings: Binding[] = [
    { agentId: "ops", match: { channel: "discord", accountId: "*" } },
    { agentId: "work", match: { channel: "discord", guildId: "G1" } },
    { agentId: "main", match: { channel: "discord", peer: { kind: "channel", id: "C9" } } },
    { agentId: "work", match: { channel: "telegram" } },
    { agentId: "ghost", match: { channel: "signal" } },
  ];
  const base = { bindings, agents };

  it.each([
    [
      "peer beats guild",
      { channel: "discord", peer: { kind: "channel", id: "C9" }, guildId: "G1" },
      "main",
      "binding.peer",
    ],
    [
      "thread inherits parent peer",
      {
        channel: "discord",
        peer: { kind: "channel", id: "T1" },
        parentPeer: { kind: "channel", id: "C9" },
        guildId: "G1",
      },
      "main",
      "binding.peer.parent",
    ],
    [
      "guild beats channel-wide",
      { channel: "discord", peer: { kind: "channel", id: "C1" }, guildId: "G1" },
      "work",
      "binding.guild",
    ],
    [
      "channel-wide for any account",
      { channel: "discord", accountId: "alt", peer: { kind: "direct", id: "u" } },
      "ops",
      "binding.channel",
    ],
    [
      "omitted accountId = default account only",
      { channel: "telegram", accountId: "alerts", peer: { kind: "direct", id: "u" } },
      "home",
      "default",
    ],
    [
      "account binding on the default account",
      { channel: "telegram", peer: { kind: "direct", id: "u" } },
      "work",
      "binding.account",
    ],
    [
      "unknown agent falls back to the default",
      { channel: "signal", peer: { kind: "direct", id: "+1" } },
      "home",
      "binding.account",
    ],
    [
      "no binding: default agent",
      { channel: "whatsapp", peer: { kind: "direct", id: "+1" } },
      "home",
      "default",
    ],
  ] as const)("%s", (_name, input, agentId, matchedBy) => {
    const route = resolveAgentRoute({ ...base, ...input });
    expect(route).toMatchObject({ agentId, matchedBy });
  });

  it("the session key follows the chosen agent and dmScope", () => {
    const route = resolveAgentRoute({
      ...base,
      channel: "discord",
      peer: { kind: "channel", id: "C1" },
      guildId: "G1",
    });
    expect(route.sessionKey).toBe("agent:work:discord:channel:c1");
    const dm = resolveAgentRoute({
      channel: "discord",
      peer: { kind: "direct", id: "42" },
      dmScope: "per-channel-peer",
    });
    expect(dm).toEqual({ agentId: "main", matchedBy: "default", sessionKey: "agent:main:discord:direct:42" });
  });

  it("default agent: flagged, else first, else main", () => {
    expect(resolveDefaultAgentId([{ id: "a" }, { id: "b", default: true }])).toBe("b");
    expect(resolveDefaultAgentId([{ id: "a" }])).toBe("a");
    expect(resolveDefaultAgentId(undefined)).toBe("main");
  });
});
