import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfigText } from "./load.js";

const FLY_GUIDE = readFileSync(new URL("../../test/fixtures/fly-guide.json5", import.meta.url), "utf8");

function problemsOf(config: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText("openclaw.json", JSON.stringify(config), env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("config validation", () => {
  it("accepts the Fly.io guide example", () => {
    const config = parseConfigText("openclaw.json", FLY_GUIDE, {});
    expect(config.channels?.discord?.guilds?.["123456789012345678"]?.channels?.general?.allow).toBe(true);
    expect(config.agents?.defaults?.model).toEqual({
      primary: "anthropic/claude-opus-4-6",
      fallbacks: ["openai/gpt-5.2"],
    });
  });

  it("reads peer kind dm as direct", () => {
    const config = parseConfigText(
      "openclaw.json",
      JSON.stringify({
        bindings: [{ agentId: "a", match: { channel: "discord", peer: { kind: "dm", id: "1" } } }],
      }),
      {},
    );
    expect(config.bindings?.[0]?.match.peer?.kind).toBe("direct");
  });

  // Each row: a bad config and exactly what the user is told.
  it.each<[string, unknown, string[]]>([
    ["misspelt top-level key", { agnets: {} }, ["agnets: unknown key (did you mean `agents`?)"]],
    ["misspelt gateway key", { gateway: { prot: 1 } }, ["gateway.prot: unknown key (did you mean `port`?)"]],
    ["unknown key far from any", { gateway: { zzzzzzzz: 1 } }, ["gateway.zzzzzzzz: unknown key"]],
    ["port as string", { gateway: { port: "80" } }, ['gateway.port: expected a number (got "80")']],
    ["port too big", { gateway: { port: 70000 } }, ["gateway.port: must be ≤ 65535 (got 70000)"]],
    ["port zero", { gateway: { port: 0 } }, ["gateway.port: must be ≥ 1 (got 0)"]],
    ["port fractional", { gateway: { port: 80.5 } }, ["gateway.port: expected an integer (got 80.5)"]],
    [
      "bind host alias",
      { gateway: { bind: "0.0.0.0" } },
      ['gateway.bind: must be one of "loopback", "lan", "tailnet", "auto", "custom" (got "0.0.0.0")'],
    ],
    [
      "gateway mode",
      { gateway: { mode: "cloud" } },
      ['gateway.mode: must be one of "local", "remote" (got "cloud")'],
    ],
    ["empty token", { gateway: { auth: { token: "" } } }, ['gateway.auth.token: must not be empty (got "")']],
    [
      "custom bind host not IPv4",
      { gateway: { customBindHost: "::1" } },
      ['gateway.customBindHost: must be an IPv4 address (got "::1")'],
    ],
    [
      "reload mode",
      { gateway: { reload: { mode: "sometimes" } } },
      ['gateway.reload.mode: must be one of "hybrid", "hot", "restart", "off" (got "sometimes")'],
    ],
    [
      "logging level",
      { logging: { level: "verbose" } },
      [
        'logging.level: must be one of "silent", "fatal", "error", "warn", "info", "debug", "trace" (got "verbose")',
      ],
    ],
    ["gateway not an object", { gateway: "local" }, ['gateway: expected an object (got "local")']],
    ["bindings not a list", { bindings: {} }, ["bindings: expected a list (got {})"]],
    [
      "binding without agentId",
      { bindings: [{ match: { channel: "discord" } }] },
      ["bindings[0].agentId: is required"],
    ],
    [
      "binding without channel",
      { bindings: [{ agentId: "main", match: {} }] },
      ["bindings[0].match.channel: is required"],
    ],
    [
      "binding peer kind",
      { bindings: [{ agentId: "a", match: { channel: "discord", peer: { kind: "user", id: "1" } } }] },
      ['bindings[0].match.peer.kind: must be one of "direct", "group", "channel", "dm" (got "user")'],
    ],
    [
      "binding accountID legacy spelling",
      { bindings: [{ agentId: "a", match: { channel: "discord", accountID: "x" } }] },
      ["bindings[0].match.accountID: unknown key (did you mean `accountId`?)"],
    ],
    [
      "model as number",
      { agents: { defaults: { model: 5 } } },
      ["agents.defaults.model: expected a model reference string or { primary, fallbacks } (got 5)"],
    ],
    [
      "fallbacks not a list",
      { agents: { defaults: { model: { primary: "a/b", fallbacks: "c/d" } } } },
      ['agents.defaults.model.fallbacks: expected a list (got "c/d")'],
    ],
    [
      "model object typo",
      { agents: { defaults: { model: { primery: "a/b" } } } },
      ["agents.defaults.model.primery: unknown key (did you mean `primary`?)"],
    ],
    [
      "maxConcurrent zero",
      { agents: { defaults: { maxConcurrent: 0 } } },
      ["agents.defaults.maxConcurrent: must be ≥ 1 (got 0)"],
    ],
    [
      "timeoutSeconds string",
      { agents: { defaults: { timeoutSeconds: "600" } } },
      ['agents.defaults.timeoutSeconds: expected a number (got "600")'],
    ],
    ["agent without id", { agents: { list: [{ default: true }] } }, ["agents.list[0].id: is required"]],
    [
      "agent id with spaces",
      { agents: { list: [{ id: "my agent" }] } },
      ['agents.list[0].id: must be letters, digits, - or _ (at most 64) (got "my agent")'],
    ],
    [
      "duplicate agent ids",
      { agents: { list: [{ id: "a" }, { id: "a" }] } },
      ['agents.list: agent ids must be unique (got [{"id":"a"},{"id":"a"}])'],
    ],
    [
      "mentionPatterns not a list",
      { agents: { list: [{ id: "a", groupChat: { mentionPatterns: "@bot" } }] } },
      ['agents.list[0].groupChat.mentionPatterns: expected a list (got "@bot")'],
    ],
    [
      "tool profile",
      { tools: { profile: "everything" } },
      ['tools.profile: must be one of "minimal", "coding", "messaging", "full" (got "everything")'],
    ],
    [
      "exec timeout",
      { tools: { exec: { timeoutSec: -1 } } },
      ["tools.exec.timeoutSec: must be ≥ 1 (got -1)"],
    ],
    [
      "auth profile mode",
      { auth: { profiles: { "anthropic:default": { provider: "anthropic", mode: "key" } } } },
      ['auth.profiles["anthropic:default"].mode: must be one of "api_key", "token", "oauth" (got "key")'],
    ],
    [
      "auth order not list",
      { auth: { order: { anthropic: "anthropic:default" } } },
      ['auth.order.anthropic: expected a list (got "anthropic:default")'],
    ],
    [
      "provider api",
      { models: { providers: { local: { api: "ollama" } } } },
      [
        'models.providers.local.api: must be one of "openai-completions", "openai-responses", "anthropic-messages", "google-generative-ai" (got "ollama")',
      ],
    ],
    [
      "provider baseUrl",
      { models: { providers: { local: { baseUrl: "localhost:4000" } } } },
      ['models.providers.local.baseUrl: must be a URL (http://… or https://…) (got "localhost:4000")'],
    ],
    [
      "provider model without id",
      { models: { providers: { p: { models: [{ name: "x" }] } } } },
      ["models.providers.p.models[0].id: is required"],
    ],
    [
      "models mode",
      { models: { mode: "append" } },
      ['models.mode: must be one of "merge", "replace" (got "append")'],
    ],
    [
      "dmPolicy typo",
      { channels: { discord: { dmPolicy: "paring" } } },
      ['channels.discord.dmPolicy: must be one of "pairing", "allowlist", "open", "disabled" (got "paring")'],
    ],
    [
      "open DMs without wildcard",
      { channels: { telegram: { dmPolicy: "open", allowFrom: ["123"] } } },
      [
        'channels.telegram.allowFrom: dmPolicy "open" requires allowFrom to include "*" (or use dmPolicy "allowlist") (got ["123"])',
      ],
    ],
    [
      "open DMs without allowFrom, next to another problem",
      { channels: { whatsapp: { dmPolicy: "open", textChunkLimit: 0 } } },
      [
        "channels.whatsapp.textChunkLimit: must be ≥ 20 (got 0)",
        'channels.whatsapp.allowFrom: dmPolicy "open" requires allowFrom to include "*" (or use dmPolicy "allowlist")',
      ],
    ],
    [
      "open DMs on an account",
      { channels: { discord: { accounts: { work: { dmPolicy: "open" } } } } },
      [
        'channels.discord.accounts.work.allowFrom: dmPolicy "open" requires allowFrom to include "*" (or use dmPolicy "allowlist")',
      ],
    ],
    [
      "groupPolicy",
      { channels: { discord: { groupPolicy: "closed" } } },
      ['channels.discord.groupPolicy: must be one of "allowlist", "open", "disabled" (got "closed")'],
    ],
    [
      "guild channel allow as string",
      { channels: { discord: { guilds: { "123": { channels: { general: { allow: "yes" } } } } } } },
      ['channels.discord.guilds["123"].channels.general.allow: expected true or false (got "yes")'],
    ],
    [
      "guild key typo",
      { channels: { discord: { guilds: { "123": { requireMentions: false } } } } },
      ['channels.discord.guilds["123"].requireMentions: unknown key (did you mean `requireMention`?)'],
    ],
    [
      "discord token typo",
      { channels: { discord: { tokn: "x" } } },
      ["channels.discord.tokn: unknown key (did you mean `token`?)"],
    ],
    [
      "misspelt channel",
      { channels: { dicsord: {} } },
      ["channels.dicsord: unknown key (did you mean `discord`?)"],
    ],
    [
      "replyToMode",
      { channels: { telegram: { replyToMode: "always" } } },
      ['channels.telegram.replyToMode: must be one of "off", "first", "all" (got "always")'],
    ],
    [
      "telegram webhookUrl",
      { channels: { telegram: { webhookUrl: "example.com/hook", webhookSecret: "a".repeat(32) } } },
      ['channels.telegram.webhookUrl: must be a URL (http://… or https://…) (got "example.com/hook")'],
    ],
    [
      "telegram webhookUrl without a secret",
      { channels: { telegram: { webhookUrl: "https://example.com/hook" } } },
      [
        "channels.telegram.webhookSecret: is required with webhookUrl (generate one with `openssl rand -hex 32`)",
      ],
    ],
    [
      "telegram webhookPath without a slash",
      { channels: { telegram: { webhookPath: "hook" } } },
      ['channels.telegram.webhookPath: must start with /, e.g. /telegram-webhook (got "hook")'],
    ],
    // The ranges the adapters need live in the schema: no second check at start.
    [
      "discord textChunkLimit above Discord's limit",
      { channels: { discord: { textChunkLimit: 3000 } } },
      ["channels.discord.textChunkLimit: must be ≤ 2000 (got 3000)"],
    ],
    [
      "telegram textChunkLimit above Telegram's limit",
      { channels: { telegram: { textChunkLimit: 5000 } } },
      ["channels.telegram.textChunkLimit: must be ≤ 4096 (got 5000)"],
    ],
    [
      "signal textChunkLimit too small to split into",
      { channels: { signal: { textChunkLimit: 5 } } },
      ["channels.signal.textChunkLimit: must be ≥ 20 (got 5)"],
    ],
    [
      "retry attempts",
      { channels: { discord: { retry: { attempts: 0, backoff: 1 } } } },
      ["channels.discord.retry.attempts: must be ≥ 1 (got 0)", "channels.discord.retry.backoff: unknown key"],
    ],
    [
      "signal account not E.164",
      { channels: { signal: { account: "5551234567" } } },
      ['channels.signal.account: must be a phone number in E.164 form, e.g. +15551234567 (got "5551234567")'],
    ],
    [
      "session dmScope",
      { session: { dmScope: "per-user" } },
      [
        'session.dmScope: must be one of "main", "per-peer", "per-channel-peer", "per-account-channel-peer" (got "per-user")',
      ],
    ],
    ["reset atHour", { session: { reset: { atHour: 24 } } }, ["session.reset.atHour: must be ≤ 23 (got 24)"]],
    [
      "plugin entry typo",
      { plugins: { entries: { "voice-call": { enable: true } } } },
      ['plugins.entries["voice-call"].enable: unknown key (did you mean `enabled`?)'],
    ],
    [
      "plugins allow",
      { plugins: { allow: "voice-call" } },
      ['plugins.allow: expected a list (got "voice-call")'],
    ],
    ["env value not a string", { env: { FOO: 1 } }, ["env.FOO: expected a string (got 1)"]],
    [
      "missing env var",
      { gateway: { auth: { token: "${MY_TOKEN}" } } },
      ["gateway.auth.token: environment variable MY_TOKEN is not set (referenced as ${MY_TOKEN})"],
    ],
    [
      "lower-case env var",
      { models: { providers: { p: { apiKey: "${my_key}" } } } },
      ["models.providers.p.apiKey: ${my_key} is not a valid variable name (use upper case, digits and _)"],
    ],
    [
      "meta version",
      { meta: { lastTouchedVersion: 2026 } },
      ["meta.lastTouchedVersion: expected a string (got 2026)"],
    ],
    [
      "short token off loopback",
      { gateway: { bind: "auto", auth: { token: "abc", password: "   " } } },
      [
        "gateway.auth.token: is 3 characters long; at least 16 are needed for gateway.bind=auto (generate one with `openssl rand -hex 32`) (got 3 characters, not shown)",
        "gateway.auth.password: is empty or only whitespace for gateway.bind=auto (generate one with `openssl rand -hex 32`) (got 3 characters, not shown)",
      ],
    ],
    [
      "trusted proxy that is no address",
      { gateway: { trustedProxies: ["10.0.0.0/8", "fly-proxy", "10.0.0.0/33"] } },
      [
        'gateway.trustedProxies[1]: must be an IP address or a CIDR such as 10.0.0.0/8 or fd00::/8 (got "fly-proxy")',
        'gateway.trustedProxies[2]: must be an IP address or a CIDR such as 10.0.0.0/8 or fd00::/8 (got "10.0.0.0/33")',
      ],
    ],
    [
      "scope that does not exist",
      { gateway: { auth: { scopes: ["operator.root"] } } },
      [
        'gateway.auth.scopes[0]: must be one of "operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.pairing" (got "operator.root")',
      ],
    ],
    [
      "several problems at once",
      { gateway: { port: "x", bnd: "lan" }, agents: { defaults: { maxConcurrent: 0 } } },
      [
        "agents.defaults.maxConcurrent: must be ≥ 1 (got 0)",
        'gateway.port: expected a number (got "x")',
        "gateway.bnd: unknown key (did you mean `bind`?)",
      ],
    ],
  ])("%s", (_name, config, expected) => {
    expect(problemsOf(config)).toEqual(expected);
  });

  it("reports a JSON5 syntax error", () => {
    expect(() => parseConfigText("openclaw.json", "{ gateway: { port: 1 }", {})).toThrow(/not valid JSON5/);
  });
});
