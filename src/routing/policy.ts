/**
 * Who may talk to the assistant, shared by every channel: the DM policy
 * (pairing | allowlist | open | disabled) and the group policy (allowlist | open |
 * disabled with per-guild/per-channel allow lists, user lists and mention gating).
 * Pure: the caller supplies what the pairing store already approved.
 */

export type DmPolicy = "pairing" | "allowlist" | "open" | "disabled";
export type GroupPolicy = "allowlist" | "open" | "disabled";

export interface GroupChannelRule {
  allow?: boolean;
  /** Slack's (and Telegram's) name for the inverse of "ignore this room": false = not allowed. */
  enabled?: boolean;
  requireMention?: boolean;
  users?: readonly string[];
}

export interface GroupRule extends GroupChannelRule {
  slug?: string;
  /** Telegram's and WhatsApp's name for `users`: senders who may trigger the bot in this group. */
  allowFrom?: readonly (string | number)[];
  channels?: Record<string, GroupChannelRule>;
}

export interface ChannelPolicyConfig {
  dmPolicy?: DmPolicy;
  allowFrom?: readonly (string | number)[];
  groupPolicy?: GroupPolicy;
  /** Discord guilds, Telegram/WhatsApp groups: keyed by id (or slug), `*` for any. */
  guilds?: Record<string, GroupRule>;
  groups?: Record<string, GroupRule>;
  /** Slack: rooms keyed by channel id (or `*`) with no guild above them. */
  channels?: Record<string, GroupRule>;
  allowBots?: boolean | "mentions";
  dm?: { enabled?: boolean };
}

export interface PolicyInput {
  channel: string;
  chatType: "direct" | "group" | "channel";
  senderId: string;
  senderIsBot: boolean;
  /** Guild (Discord) or group id the conversation belongs to; for Telegram/WhatsApp the group itself. */
  groupId?: string;
  groupName?: string;
  /** The channel inside a guild (Discord), by id and name. */
  channelId?: string;
  channelName?: string;
  text: string;
  mentionsBot: boolean;
  /** `groupChat.mentionPatterns` of the routed agent (regex sources, case-insensitive). */
  mentionPatterns?: readonly string[];
  /** Senders approved through pairing (`<channel>-<account>-allowFrom.json`). */
  pairedSenders?: ReadonlySet<string>;
}

export type PolicyDecision =
  | { action: "process" }
  | { action: "pair" }
  | { action: "ignore"; reason: string };

/** Lower-case, spaces to dashes, no leading `#`: how OpenClaw keys guild channels by name. */
export function slugify(name: string): string {
  return name.trim().replace(/^#/, "").toLowerCase().replace(/\s+/g, "-");
}

/** `discord:123`, `user:123`, `tg:123` and `123` all name sender 123. */
export function normalizeSenderId(entry: string | number, channel: string): string {
  let id = String(entry).trim();
  for (const prefix of [`${channel}:`, "user:", "tg:", "telegram:"]) {
    if (id.toLowerCase().startsWith(prefix)) id = id.slice(prefix.length);
  }
  return id.toLowerCase();
}

function listed(list: readonly (string | number)[] | undefined, senderId: string, channel: string): boolean {
  const wanted = normalizeSenderId(senderId, channel);
  return (list ?? []).some((entry) => entry === "*" || normalizeSenderId(entry, channel) === wanted);
}

export function evaluatePolicy(cfg: ChannelPolicyConfig, input: PolicyInput): PolicyDecision {
  if (input.senderIsBot) {
    if (!cfg.allowBots) return { action: "ignore", reason: "sender is a bot (allowBots is off)" };
    if (cfg.allowBots === "mentions" && !mentioned(input)) {
      return { action: "ignore", reason: "bot message without a mention (allowBots: mentions)" };
    }
  }
  return input.chatType === "direct" ? evaluateDm(cfg, input) : evaluateGroup(cfg, input);
}

function evaluateDm(cfg: ChannelPolicyConfig, input: PolicyInput): PolicyDecision {
  if (cfg.dm?.enabled === false) return { action: "ignore", reason: "DMs are disabled (dm.enabled: false)" };
  const policy = cfg.dmPolicy ?? "pairing";
  if (policy === "disabled") return { action: "ignore", reason: "dmPolicy is disabled" };
  if (policy === "open") return { action: "process" };
  const allowed =
    listed(cfg.allowFrom, input.senderId, input.channel) ||
    input.pairedSenders?.has(normalizeSenderId(input.senderId, input.channel)) === true;
  if (allowed) return { action: "process" };
  return policy === "pairing" ? { action: "pair" } : { action: "ignore", reason: "sender not in allowFrom" };
}

function evaluateGroup(cfg: ChannelPolicyConfig, input: PolicyInput): PolicyDecision {
  const policy = cfg.groupPolicy ?? "allowlist";
  if (policy === "disabled") return { action: "ignore", reason: "groupPolicy is disabled" };
  // Slack keys its rooms by channel id directly (no guild above them).
  const flat = !cfg.guilds && !cfg.groups && cfg.channels !== undefined;
  const rules = cfg.guilds ?? cfg.groups ?? cfg.channels ?? {};
  const group = flat
    ? findRule(rules, input.channelId ?? input.groupId, undefined)
    : findRule(rules, input.groupId, input.groupName);
  if (!group && policy === "allowlist") {
    return {
      action: "ignore",
      reason: `group ${input.groupId ?? input.channelId ?? "?"} is not in the allowlist`,
    };
  }
  const channelRule = group?.channels
    ? findRule(group.channels, input.channelId, input.channelName)
    : undefined;
  if (policy === "allowlist" && group?.channels && input.channelId) {
    if (!channelRule || channelRule.allow === false) {
      return { action: "ignore", reason: `channel ${input.channelName ?? input.channelId} is not allowed` };
    }
  }
  if (group?.allow === false || group?.enabled === false) {
    return { action: "ignore", reason: `group ${input.groupId ?? input.channelId} is not allowed` };
  }
  const users = channelRule?.users ?? group?.users ?? group?.allowFrom;
  if (users && users.length > 0 && !listed(users, input.senderId, input.channel)) {
    return { action: "ignore", reason: "sender not in the users list" };
  }
  // Groups answer only when addressed unless requireMention is false (channel over group).
  const requireMention = channelRule?.requireMention ?? group?.requireMention ?? true;
  if (requireMention && !mentioned(input)) return { action: "ignore", reason: "not mentioned" };
  return { action: "process" };
}

function findRule<T>(
  rules: Record<string, T>,
  id: string | undefined,
  name: string | undefined,
): T | undefined {
  if (id !== undefined && rules[id]) return rules[id];
  if (name !== undefined) {
    const slug = slugify(name);
    for (const [key, rule] of Object.entries(rules)) {
      if (slugify(key) === slug || slugify(String((rule as { slug?: string }).slug ?? "")) === slug)
        return rule;
    }
  }
  return rules["*"];
}

function mentioned(input: PolicyInput): boolean {
  if (input.mentionsBot) return true;
  return (input.mentionPatterns ?? []).some((source) => {
    try {
      return new RegExp(source, "i").test(input.text);
    } catch {
      return false;
    }
  });
}
