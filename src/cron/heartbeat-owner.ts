import type { OutboundTarget } from "../agents/outbound.js";

/** The parts of the config that name the operator (OpenClaw's keys). */
export interface OwnerConfigView {
  commands?: { ownerAllowFrom?: readonly (string | number)[] };
  channels?: Record<string, unknown>;
}

/** Short channel prefixes OpenClaw accepts in `commands.ownerAllowFrom` besides the channel's id. */
const CHANNEL_ALIASES: Readonly<Record<string, string>> = { tg: "telegram" };

/** Entries that name a chat, not a person: the owner route never resolves to a group (OpenClaw's rule). */
const NOT_A_PERSON = /^(?:group|channel|guild|room|chat):/i;

/**
 * The operator's DM for heartbeat target `owner`, as OpenClaw resolves it: the first
 * concrete `commands.ownerAllowFrom` entry (`telegram:123456789`), else the first concrete
 * sender in a channel's `allowFrom` (then its accounts' `allowFrom`, with that account).
 * Wildcards and group ids never name an owner. Undefined: nobody is configured.
 */
export function resolveOwnerTarget(config: OwnerConfigView): OutboundTarget | undefined {
  for (const entry of config.commands?.ownerAllowFrom ?? []) {
    const text = String(entry).trim();
    const colon = text.indexOf(":");
    if (colon <= 0) continue; // no channel named: cannot tell where to send
    const prefix = text.slice(0, colon).toLowerCase();
    const channel = CHANNEL_ALIASES[prefix] ?? prefix;
    const id = senderId(text.slice(colon + 1), channel);
    if (id) return { channel, to: `direct:${id}` };
  }
  for (const [channel, section] of Object.entries(config.channels ?? {})) {
    if (!isRecord(section)) continue;
    const id = firstSender(section.allowFrom, channel);
    if (id) return { channel, to: `direct:${id}` };
    const accounts = isRecord(section.accounts) ? section.accounts : {};
    for (const [accountId, account] of Object.entries(accounts)) {
      const accountSender = isRecord(account) ? firstSender(account.allowFrom, channel) : undefined;
      if (accountSender) return { channel, accountId, to: `direct:${accountSender}` };
    }
  }
  return undefined;
}

/**
 * The owner's target, with the account and thread of the session's last route when that
 * route is a direct chat with the same person (OpenClaw reuses them only then).
 */
export function ownerRoute(owner: OutboundTarget, last: OutboundTarget | undefined): OutboundTarget {
  if (!last || last.channel !== owner.channel || last.to !== owner.to) return owner;
  return {
    ...owner,
    ...(last.accountId && !owner.accountId ? { accountId: last.accountId } : {}),
    ...(last.threadId ? { threadId: last.threadId } : {}),
  };
}

function firstSender(list: unknown, channel: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const entry of list) {
    if (typeof entry !== "string" && typeof entry !== "number") continue;
    const id = senderId(String(entry), channel);
    if (id) return id;
  }
  return undefined;
}

/** A sender id without `<channel>:` / `user:` prefixes (case kept: some chat apps' ids are case-sensitive). */
function senderId(entry: string, channel: string): string | undefined {
  let id = entry.trim();
  if (NOT_A_PERSON.test(id)) return undefined;
  for (const prefix of [`${channel}:`, "user:", "direct:"]) {
    if (id.toLowerCase().startsWith(prefix)) id = id.slice(prefix.length).trim();
  }
  return id && id !== "*" && !NOT_A_PERSON.test(id) ? id : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
