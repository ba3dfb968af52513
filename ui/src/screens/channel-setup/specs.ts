import type { SetupKey } from "../../i18n/setup/en.js";

/**
 * What guided setup knows of each built-in channel: the steps at the provider, the
 * values to type (each a `channels.<id>` key, or `local` when only the page uses it),
 * and how to tell a mistyped value before anything is saved. The gateway's schema
 * still validates the saved section; these checks only catch the common slips early.
 */

export type SetupChannel = "discord" | "telegram" | "slack" | "signal" | "whatsapp";

export interface SetupField {
  /** The key under `channels.<id>`, or a page-only name when `local`. */
  key: string;
  label: SetupKey;
  /** Typed into a password field, never shown back, never read from the config. */
  secret?: boolean;
  optional?: boolean;
  /** Under "Advanced" (proxies, local API servers). */
  advanced?: boolean;
  /** Only the page uses it (the Discord invite link): not written to the config. */
  local?: boolean;
  placeholder?: string;
  /** The error (one sentence) for a value that cannot be right, else undefined. */
  check?: (value: string) => SetupKey | undefined;
}

export interface SetupStep {
  text: SetupKey;
  /** Where to click at the provider. */
  link?: string;
}

export interface SetupSpec {
  /** The provider's own name (not translated). */
  title: string;
  steps: SetupStep[];
  fields: SetupField[];
  /** Keys always written (the mode a flow sets up). */
  fixed?: Record<string, unknown>;
  /** OpenClaw's page for the channel (the keys are the same). */
  docs: string;
}

const DOCS = "https://docs.openclaw.ai/channels/";

const isHttpUrl = (v: string) => {
  try {
    return ["http:", "https:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};
const urlCheck = (v: string): SetupKey | undefined => (isHttpUrl(v) ? undefined : "setup.err.url");

// Token shapes as the providers issue them; a value that does not fit was copied wrong.
const TELEGRAM_TOKEN = /^\d{5,}:[A-Za-z0-9_-]{30,}$/;
const DISCORD_TOKEN = /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;
const DISCORD_ID = /^\d{17,20}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Bot permissions the invite link asks for, Discord's bit values: what the Discord
 * channel does in a text channel (read, answer, answer in threads, attach, react).
 */
const DISCORD_PERMISSIONS = {
  addReactions: 1n << 6n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  embedLinks: 1n << 14n,
  attachFiles: 1n << 15n,
  readMessageHistory: 1n << 16n,
  sendMessagesInThreads: 1n << 38n,
};

/** The OAuth2 link that adds the bot to a server with the permissions above. */
export function discordInviteUrl(applicationId: string): string {
  const permissions = Object.values(DISCORD_PERMISSIONS).reduce((a, b) => a | b, 0n);
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: "bot",
    permissions: String(permissions),
  });
  return `https://discord.com/oauth2/authorize?${query}`;
}

export const discordIdOk = (v: string) => DISCORD_ID.test(v);

/**
 * Bot scopes for the Web API calls our Slack channel makes (test/ui/channel-setup-specs
 * checks the list against src/channels/slack) and the history scopes its message events need.
 */
export const SLACK_SCOPES = {
  "chat.postMessage": "chat:write",
  "conversations.open": "im:write",
  "users.info": "users:read",
} as const;
export const SLACK_EVENTS = {
  app_mention: "app_mentions:read",
  "message.channels": "channels:history",
  "message.groups": "groups:history",
  "message.im": "im:history",
  "message.mpim": "mpim:history",
} as const;

/** A Socket Mode app manifest (Slack: Create New App → From a manifest). */
export function slackManifest(name: string): string {
  const manifest = {
    display_information: { name },
    features: {
      bot_user: { display_name: name, always_online: true },
      // The Messages tab is where people DM the bot.
      app_home: { messages_tab_enabled: true, messages_tab_read_only_enabled: false },
    },
    oauth_config: {
      scopes: { bot: [...new Set([...Object.values(SLACK_SCOPES), ...Object.values(SLACK_EVENTS)])].sort() },
    },
    settings: {
      socket_mode_enabled: true,
      event_subscriptions: { bot_events: Object.keys(SLACK_EVENTS) },
    },
  };
  return JSON.stringify(manifest, null, 2);
}

export const SPECS: Record<SetupChannel, SetupSpec> = {
  telegram: {
    title: "Telegram",
    steps: [{ text: "setup.telegram.s1", link: "https://t.me/BotFather" }, { text: "setup.telegram.s2" }],
    fields: [
      {
        key: "botToken",
        label: "setup.telegram.token",
        secret: true,
        placeholder: "123456789:AA…",
        check: (v) => (TELEGRAM_TOKEN.test(v) ? undefined : "setup.err.telegramToken"),
      },
      { key: "apiRoot", label: "setup.telegram.apiRoot", optional: true, advanced: true, check: urlCheck },
    ],
    docs: `${DOCS}telegram`,
  },
  discord: {
    title: "Discord",
    steps: [
      { text: "setup.discord.s1", link: "https://discord.com/developers/applications" },
      { text: "setup.discord.s2" },
      { text: "setup.discord.s3" },
    ],
    fields: [
      {
        key: "token",
        label: "setup.discord.token",
        secret: true,
        check: (v) => (DISCORD_TOKEN.test(v) ? undefined : "setup.err.discordToken"),
      },
      {
        key: "applicationId",
        label: "setup.discord.appId",
        local: true,
        optional: true,
        placeholder: "123456789012345678",
        check: (v) => (DISCORD_ID.test(v) ? undefined : "setup.err.discordId"),
      },
      {
        key: "apiBaseUrl",
        label: "setup.discord.apiBaseUrl",
        optional: true,
        advanced: true,
        check: urlCheck,
      },
    ],
    docs: `${DOCS}discord`,
  },
  slack: {
    title: "Slack",
    steps: [
      { text: "setup.slack.s1", link: "https://api.slack.com/apps?new_app=1" },
      { text: "setup.slack.s2" },
      { text: "setup.slack.s3" },
      { text: "setup.slack.s4" },
    ],
    fields: [
      {
        key: "botToken",
        label: "setup.slack.botToken",
        secret: true,
        placeholder: "xoxb-…",
        check: (v) => (/^xoxb-[\w-]{10,}$/.test(v) ? undefined : "setup.err.slackBot"),
      },
      {
        key: "appToken",
        label: "setup.slack.appToken",
        secret: true,
        placeholder: "xapp-…",
        check: (v) => (/^xapp-[\w-]{10,}$/.test(v) ? undefined : "setup.err.slackApp"),
      },
      { key: "apiUrl", label: "setup.slack.apiUrl", optional: true, advanced: true, check: urlCheck },
    ],
    fixed: { mode: "socket" },
    docs: `${DOCS}slack`,
  },
  signal: {
    title: "Signal",
    steps: [
      { text: "setup.signal.s1", link: "https://github.com/AsamK/signal-cli#installation" },
      { text: "setup.signal.s2" },
      { text: "setup.signal.s3" },
    ],
    fields: [
      {
        key: "account",
        label: "setup.signal.account",
        placeholder: "+15551234567",
        check: (v) => (E164.test(v) ? undefined : "setup.err.phone"),
      },
      {
        key: "httpUrl",
        label: "setup.signal.httpUrl",
        optional: true,
        placeholder: "http://127.0.0.1:8080",
        check: urlCheck,
      },
    ],
    docs: `${DOCS}signal`,
  },
  whatsapp: {
    title: "WhatsApp",
    steps: [{ text: "setup.whatsapp.s1" }, { text: "setup.whatsapp.s2" }],
    fields: [],
    docs: `${DOCS}whatsapp`,
  },
};

export const isSetupChannel = (name: string): name is SetupChannel => name in SPECS;

export const DM_POLICIES = ["pairing", "allowlist", "open"] as const;
export const GROUP_POLICIES = ["allowlist", "open", "disabled"] as const;
export type DmChoice = (typeof DM_POLICIES)[number];
export type GroupChoice = (typeof GROUP_POLICIES)[number];

/**
 * The `channels.<id>` section to write: the typed values (trimmed; empty optional ones
 * left out), the flow's fixed keys and the policies. "open" DMs need `allowFrom: ["*"]`
 * (the schema refuses an open bot by accident), an allowlist the ids typed.
 */
export function buildSection(
  spec: SetupSpec,
  values: Record<string, string>,
  policy: { dm: DmChoice; group: GroupChoice; allowFrom: string },
): Record<string, unknown> {
  const section: Record<string, unknown> = { enabled: true, ...spec.fixed };
  for (const f of spec.fields) {
    const v = values[f.key]?.trim() ?? "";
    if (!f.local && v !== "") section[f.key] = v;
  }
  section.dmPolicy = policy.dm;
  section.groupPolicy = policy.group;
  if (policy.dm === "open") section.allowFrom = ["*"];
  if (policy.dm === "allowlist") section.allowFrom = splitIds(policy.allowFrom);
  return section;
}

export const splitIds = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The first problem with the values typed (field key and message), or undefined. */
export function validate(
  spec: SetupSpec,
  values: Record<string, string>,
  policy: { dm: DmChoice; allowFrom: string },
): { key: string; error: SetupKey } | undefined {
  for (const f of spec.fields) {
    const v = values[f.key]?.trim() ?? "";
    if (v === "") {
      if (!f.optional) return { key: f.key, error: "setup.err.required" };
      continue;
    }
    const error = f.check?.(v);
    if (error) return { key: f.key, error };
  }
  if (policy.dm === "allowlist" && splitIds(policy.allowFrom).length === 0) {
    return { key: "allowFrom", error: "setup.err.allowFrom" };
  }
  return undefined;
}
