import { describe, expect, it } from "vitest";
import { type ChannelPolicyConfig, evaluatePolicy, type PolicyInput } from "./policy.js";

const dm: PolicyInput = {
  channel: "discord",
  chatType: "direct",
  senderId: "111",
  senderIsBot: false,
  text: "hi",
  mentionsBot: false,
};
const guildMsg: PolicyInput = {
  channel: "discord",
  chatType: "channel",
  senderId: "111",
  senderIsBot: false,
  groupId: "G1",
  channelId: "C1",
  channelName: "general",
  text: "hello there",
  mentionsBot: false,
};
const guide: ChannelPolicyConfig = {
  groupPolicy: "allowlist",
  guilds: { G1: { channels: { general: { allow: true } }, requireMention: false } },
};

describe("evaluatePolicy: DMs", () => {
  it.each([
    ["pairing (default) asks a stranger to pair", {}, {}, { action: "pair" }],
    ["pairing lets an allowFrom sender through", { allowFrom: ["discord:111"] }, {}, { action: "process" }],
    ["pairing lets a paired sender through", {}, { pairedSenders: new Set(["111"]) }, { action: "process" }],
    [
      "allowlist ignores a stranger",
      { dmPolicy: "allowlist", allowFrom: ["222"] },
      {},
      { action: "ignore", reason: "sender not in allowFrom" },
    ],
    [
      "allowlist accepts user:<id>",
      { dmPolicy: "allowlist", allowFrom: ["user:111"] },
      {},
      { action: "process" },
    ],
    ["open accepts anyone", { dmPolicy: "open", allowFrom: ["*"] }, {}, { action: "process" }],
    ["disabled ignores", { dmPolicy: "disabled" }, {}, { action: "ignore", reason: "dmPolicy is disabled" }],
    [
      "dm.enabled false ignores",
      { dm: { enabled: false } },
      {},
      { action: "ignore", reason: "DMs are disabled (dm.enabled: false)" },
    ],
  ] as const)("%s", (_name, cfg, extra, decision) => {
    expect(evaluatePolicy(cfg as ChannelPolicyConfig, { ...dm, ...extra })).toEqual(decision);
  });
});

describe("evaluatePolicy: guild channels (the Fly.io guide's config)", () => {
  it.each([
    ["allowed channel, no mention needed", {}, { action: "process" }],
    ["channel matched by id too", { channelName: "renamed", channelId: "general" }, { action: "process" }],
    [
      "a channel not listed is ignored",
      { channelId: "C2", channelName: "random" },
      { action: "ignore", reason: "channel random is not allowed" },
    ],
    [
      "another guild is ignored",
      { groupId: "G9" },
      { action: "ignore", reason: "group G9 is not in the allowlist" },
    ],
    [
      "bots are ignored by default",
      { senderIsBot: true },
      { action: "ignore", reason: "sender is a bot (allowBots is off)" },
    ],
  ] as const)("%s", (_name, extra, decision) => {
    expect(evaluatePolicy(guide, { ...guildMsg, ...extra })).toEqual(decision);
  });

  it("requireMention: channel setting over guild setting, default on; mention patterns count", () => {
    const cfg: ChannelPolicyConfig = {
      guilds: {
        G1: {
          requireMention: false,
          channels: { general: { allow: true, requireMention: true }, chat: { allow: true } },
        },
      },
    };
    expect(evaluatePolicy(cfg, guildMsg)).toEqual({ action: "ignore", reason: "not mentioned" });
    expect(evaluatePolicy(cfg, { ...guildMsg, mentionsBot: true })).toEqual({ action: "process" });
    expect(
      evaluatePolicy(cfg, { ...guildMsg, text: "hey Claw, help", mentionPatterns: ["\\bclaw\\b"] }),
    ).toEqual({ action: "process" });
    expect(evaluatePolicy(cfg, { ...guildMsg, channelName: "chat", channelId: "C3" })).toEqual({
      action: "process",
    });
    expect(evaluatePolicy({ guilds: { G1: {} } }, guildMsg)).toEqual({
      action: "ignore",
      reason: "not mentioned",
    });
  });

  it("users lists restrict who may talk; open and disabled group policies", () => {
    const cfg: ChannelPolicyConfig = { guilds: { G1: { requireMention: false, users: ["222"] } } };
    expect(evaluatePolicy(cfg, guildMsg)).toEqual({
      action: "ignore",
      reason: "sender not in the users list",
    });
    expect(evaluatePolicy(cfg, { ...guildMsg, senderId: "222" })).toEqual({ action: "process" });
    expect(evaluatePolicy({ groupPolicy: "open" }, { ...guildMsg, mentionsBot: true })).toEqual({
      action: "process",
    });
    expect(evaluatePolicy({ groupPolicy: "open" }, guildMsg)).toEqual({
      action: "ignore",
      reason: "not mentioned",
    });
    expect(evaluatePolicy({ groupPolicy: "disabled" }, guildMsg)).toEqual({
      action: "ignore",
      reason: "groupPolicy is disabled",
    });
  });

  it("Telegram groups: keyed by the (negative) chat id or *, with allowFrom restricting senders", () => {
    const group: PolicyInput = {
      channel: "telegram",
      chatType: "group",
      senderId: "111",
      senderIsBot: false,
      groupId: "-1001234567890",
      text: "hi",
      mentionsBot: false,
    };
    const cfg: ChannelPolicyConfig = {
      groups: { "-1001234567890": { requireMention: false, allowFrom: ["tg:222"] }, "*": {} },
    };
    expect(evaluatePolicy(cfg, group)).toEqual({ action: "ignore", reason: "sender not in the users list" });
    expect(evaluatePolicy(cfg, { ...group, senderId: "222" })).toEqual({ action: "process" });
    // Any other group falls to "*", which requires a mention by default.
    const other = { ...group, groupId: "-1009" };
    expect(evaluatePolicy(cfg, other)).toEqual({ action: "ignore", reason: "not mentioned" });
    expect(evaluatePolicy(cfg, { ...other, mentionsBot: true })).toEqual({ action: "process" });
    expect(evaluatePolicy({ groups: { "-1001234567890": {} } }, other)).toEqual({
      action: "ignore",
      reason: "group -1009 is not in the allowlist",
    });
  });

  it("allowBots: mentions lets bots through only when they mention us", () => {
    const cfg = { ...guide, allowBots: "mentions" as const };
    expect(evaluatePolicy(cfg, { ...guildMsg, senderIsBot: true }).action).toBe("ignore");
    expect(evaluatePolicy(cfg, { ...guildMsg, senderIsBot: true, mentionsBot: true })).toEqual({
      action: "process",
    });
  });

  it("Slack channels: keyed by channel id (no guild), enabled: false and users honoured, names never match", () => {
    const slack = (extra: Partial<PolicyInput>): PolicyInput => ({
      ...guildMsg,
      channel: "slack",
      groupId: undefined,
      channelId: "C0GENERAL",
      channelName: undefined,
      ...extra,
    });
    const cfg: ChannelPolicyConfig = {
      channels: {
        C0GENERAL: { requireMention: true },
        C0QUIET: { enabled: false },
        C0TEAM: { users: ["U1"] },
      },
    };
    expect(evaluatePolicy(cfg, slack({}))).toEqual({ action: "ignore", reason: "not mentioned" });
    expect(evaluatePolicy(cfg, slack({ mentionsBot: true }))).toEqual({ action: "process" });
    expect(evaluatePolicy(cfg, slack({ channelId: "C0QUIET", mentionsBot: true })).action).toBe("ignore");
    expect(evaluatePolicy(cfg, slack({ channelId: "C0OTHER", mentionsBot: true }))).toEqual({
      action: "ignore",
      reason: "group C0OTHER is not in the allowlist",
    });
    expect(evaluatePolicy(cfg, slack({ channelId: "C0TEAM", mentionsBot: true })).action).toBe("ignore");
    expect(
      evaluatePolicy(cfg, slack({ channelId: "C0TEAM", senderId: "u1", mentionsBot: true })).action,
    ).toBe("process");
    // A channel named like an allowed key is still another channel.
    expect(
      evaluatePolicy(cfg, slack({ channelId: "C9", channelName: "C0GENERAL", mentionsBot: true })).action,
    ).toBe("ignore");
  });
});
