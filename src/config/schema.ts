import { isIP } from "node:net";
import { z } from "zod";
import { LOG_THRESHOLDS } from "../infra/logger.js";
import { OPERATOR_SCOPES, type OperatorScope } from "../infra/rpc.js";
import { BIND_MODES, type BindMode } from "./paths.js";
import { agentsSchema, authSchema, bindingSchema, modelsSchema, toolsSchema } from "./schema/agents.js";
import { channelsSchema } from "./schema/channels.js";
import { commandsSchema } from "./schema/commands.js";
import {
  compatOnly,
  looseRecord,
  nonNegativeInt,
  port,
  positiveInt,
  SECRET_GENERATOR_HINT,
  stringList,
  weakSecretReason,
} from "./schema/common.js";
import { cronSchema, MAX_CRON_CONCURRENT_RUNS } from "./schema/cron.js";
import { lazySchema, lazyStrictObject } from "./schema/lazy.js";
import { mcpSchema } from "./schema/mcp.js";
import { skillsSchema } from "./schema/skills.js";
import { talkSchema } from "./schema/talk.js";

/**
 * The `openclaw.json` schema: the single source of truth for config types,
 * validation messages, the JSON Schema (`config schema`) and docs/configuration.md.
 * Objects we act on are strict (an unknown key is an error, usually a typo); sections
 * owned by plugins or modules not built yet are loose records they validate later.
 */

/** OpenClaw's levels: trace logs as debug, fatal as error, silent turns the output off. */
const logLevel = lazySchema("config.logLevel", () => z.enum(LOG_THRESHOLDS));

const bindMode = lazySchema("config.bindMode", () => z.enum(BIND_MODES));

/** Scopes are RPC vocabulary (infra/rpc.ts); the schema names them for `gateway.auth.scopes`. */
export { BIND_MODES, type BindMode, MAX_CRON_CONCURRENT_RUNS, OPERATOR_SCOPES, type OperatorScope };

const gatewayAuth = lazySchema("gateway.auth", () =>
  z.strictObject({
    mode: z.enum(["none", "token", "password"]).optional().describe("how clients authenticate"),
    token: z.string().min(1).optional().describe("shared token; OPENCLAW_GATEWAY_TOKEN wins (applied live)"),
    password: z.string().min(1).optional().describe("shared password; OPENCLAW_GATEWAY_PASSWORD wins"),
    allowTailscale: compatOnly(z.boolean().optional(), "accept Tailscale identity headers as auth"),
    scopes: z
      .array(z.enum(OPERATOR_SCOPES))
      .optional()
      .describe(
        "most a token/password client may get (default: all operator scopes); a client asking for more gets only these",
      ),
    rateLimit: z
      .strictObject({
        maxAttempts: z.number().int().min(1).optional(),
        windowMs: z.number().int().min(1000).optional(),
        lockoutMs: z.number().int().min(1000).optional(),
        exemptLoopback: z.boolean().optional(),
      })
      .optional(),
  }),
);

/**
 * A weak gateway secret is refused wherever the config itself says the gateway leaves
 * loopback (`auto` counts: it is lan in every container). The start check covers
 * `--bind`/env tokens the file cannot see.
 */
function refuseWeakSecretOffLoopback(
  value: { bind?: BindMode; auth?: { token?: string; password?: string } },
  ctx: z.RefinementCtx,
): void {
  if (!value.bind || value.bind === "loopback") return;
  for (const key of ["token", "password"] as const) {
    const secret = value.auth?.[key];
    const reason = secret === undefined ? undefined : weakSecretReason(secret);
    if (!reason) continue;
    ctx.addIssue({
      code: "custom",
      path: ["auth", key],
      message: `${reason} for gateway.bind=${value.bind} (${SECRET_GENERATOR_HINT})`,
    });
  }
}

function isIpOrCidr(value: string): boolean {
  const [ip, bits, extra] = value.split("/");
  if (extra !== undefined || !ip || !isIP(ip)) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(ip) === 4 ? 32 : 128);
}

const gateway = lazySchema("gateway.object", () =>
  z.strictObject({
    mode: z
      .enum(["local", "remote"])
      .optional()
      .describe("local runs the gateway here; it refuses to start unless local (or --allow-unconfigured)"),
    port: port.optional().describe("WebSocket + HTTP port (default 18789; restart to apply)"),
    bind: bindMode()
      .optional()
      .describe(
        "loopback (default), lan (0.0.0.0), tailnet, auto (lan in containers) or custom; restart to apply",
      ),
    customBindHost: z
      .string()
      .refine((v) => isIP(v) === 4, "must be an IPv4 address")
      .optional(),
    auth: gatewayAuth().optional(),
    controlUi: z
      .strictObject({
        enabled: z.boolean().optional(),
        basePath: z
          .string()
          .regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a URL path starting with /")
          .optional(),
        allowedOrigins: z.array(z.string()).optional(),
        allowInsecureAuth: compatOnly(
          z.boolean().optional(),
          "allow token auth over plain HTTP from non-local hosts",
        ),
      })
      .optional(),
    trustedProxies: z
      .array(
        z
          .string()
          .refine((v) => isIpOrCidr(v), "must be an IP address or a CIDR such as 10.0.0.0/8 or fd00::/8"),
      )
      .optional()
      .describe(
        "proxies whose X-Forwarded-For is believed (IPs or CIDRs); from any other peer the header is ignored (applied live)",
      ),
    remote: z
      .strictObject({
        url: z.string().optional(),
        token: z.string().optional(),
        password: z.string().optional(),
        transport: z.enum(["ssh", "direct"]).optional(),
      })
      .optional(),
    reload: z
      .strictObject({
        mode: z
          .enum(["hybrid", "hot", "restart", "off"])
          .optional()
          .describe("hybrid (default) watches openclaw.json and applies changes; off disables watching"),
      })
      .optional(),
    http: z
      .strictObject({
        endpoints: z
          .strictObject({
            chatCompletions: z.strictObject({ enabled: z.boolean().optional() }).optional(),
            responses: z.strictObject({ enabled: z.boolean().optional() }).optional(),
          })
          .optional(),
      })
      .optional(),
    tailscale: z.strictObject({ mode: z.enum(["off", "serve", "funnel"]).optional() }).optional(),
    tools: z
      .strictObject({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() })
      .optional(),
    channelHealthCheckMinutes: compatOnly(
      z.number().int().min(0).optional(),
      "restart channels that stopped answering, every N minutes",
    ),
  }),
);

const logging = lazySchema("logging.object", () =>
  z
    .strictObject({
      level: logLevel().optional().describe("file log level"),
      consoleLevel: logLevel().optional().describe("console log level"),
      file: z.string().min(1).optional().describe("log file (default: daily files under <state dir>/logs)"),
      consoleStyle: compatOnly(z.enum(["pretty", "compact", "json"]).optional(), "console log format"),
      redactSensitive: compatOnly(z.enum(["off", "tools"]).optional(), "hide secrets in tool output"),
    })
    .describe("where and how much the gateway logs (applied live)"),
);

const meta = lazySchema("meta.object", () =>
  z
    .strictObject({
      lastTouchedVersion: z
        .string()
        .optional()
        .describe("version that last wrote this file (stamped on write)"),
      lastTouchedAt: z.string().optional().describe("when this file was last written (stamped on write)"),
    })
    .describe("written by the gateway and CLI on every config write"),
);

const resetPolicy = lazySchema("config.resetPolicy", () =>
  z.strictObject({
    mode: z
      .enum(["manual", "none", "daily", "idle"])
      .optional()
      .describe(
        'when a session starts afresh: manual (or OpenClaw\'s "none": only /new, /reset), daily, idle',
      ),
    atHour: z.number().int().min(0).max(23).optional().describe("daily reset hour (local time)"),
    idleMinutes: positiveInt.optional().describe("reset after this many idle minutes"),
  }),
);

const session = lazySchema("session.object", () =>
  z
    .strictObject({
      scope: z.enum(["per-sender", "global"]).optional(),
      dmScope: z
        .enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"])
        .optional()
        .describe(
          "how DMs map to sessions: main (all share one), per-peer, per-channel-peer, per-account-channel-peer",
        ),
      identityLinks: z
        .record(z.string(), stringList)
        .optional()
        .describe('one person across channels: name → ["telegram:123", "discord:987"]'),
      reset: resetPolicy().optional(),
      resetByType: z
        .strictObject({
          direct: resetPolicy().optional(),
          group: resetPolicy().optional(),
          thread: resetPolicy().optional(),
        })
        .optional(),
      resetByChannel: z.record(z.string(), resetPolicy()).optional(),
      resetTriggers: stringList
        .optional()
        .describe("messages that start a new session (default /new, /reset)"),
      store: z.string().optional(),
      mainKey: z.string().optional(),
      maintenance: compatOnly(looseRecord.optional(), "session store pruning"),
      agentToAgent: compatOnly(looseRecord.optional(), "limits on agents messaging each other"),
      sendPolicy: compatOnly(looseRecord.optional(), "which sessions may send"),
      typingIntervalSeconds: compatOnly(
        positiveInt.optional(),
        "how often the typing indicator is refreshed",
      ),
    })
    .describe("how conversations map to sessions and when they reset"),
);

const messages = lazySchema("messages.object", () =>
  z
    .looseObject({
      responsePrefix: compatOnly(z.string().optional(), "text put before every reply"),
      ackReaction: compatOnly(z.string().optional(), "emoji reacted on a message when work starts"),
      ackReactionScope: compatOnly(
        z.enum(["group-mentions", "group-all", "direct", "all", "off", "none"]).optional(),
        "which messages get the ack reaction",
      ),
      removeAckAfterReply: compatOnly(z.boolean().optional(), "remove the ack reaction once answered"),
      queue: looseRecord.optional(),
      inbound: looseRecord.optional(),
      groupChat: z
        .looseObject({
          historyLimit: compatOnly(nonNegativeInt.optional(), "group messages kept as context"),
          mentionPatterns: stringList.optional(),
        })
        .optional(),
      tts: looseRecord.optional(),
    })
    .describe("message handling: prefixes, reactions, queueing"),
);

const pluginEntry = lazySchema("config.pluginEntry", () =>
  z.strictObject({
    enabled: z.boolean().optional(),
    config: looseRecord.optional().describe("plugin settings; the plugin validates them"),
    env: z.record(z.string(), z.string()).optional(),
    apiKey: z.string().optional(),
    hooks: looseRecord.optional(),
  }),
);

const plugins = lazySchema("plugins.object", () =>
  z
    .strictObject({
      enabled: z.boolean().optional().describe("set false to load no plugins"),
      allow: stringList.optional().describe("only these plugin ids may load"),
      deny: stringList.optional().describe("these plugin ids never load"),
      load: z.strictObject({ paths: stringList.optional().describe("extra plugin folders") }).optional(),
      entries: z.record(z.string(), pluginEntry()).optional().describe("per plugin id: { enabled, config }"),
      slots: compatOnly(looseRecord.optional(), "which plugin fills each slot (memory…)"),
      installs: compatOnly(looseRecord.optional(), "how each plugin was installed"),
    })
    .describe("plugins (voice-call and others)"),
);

const env = lazySchema("env.object", () =>
  z
    .object({
      vars: z
        .record(z.string(), z.string())
        .optional()
        .describe("variables set when not already in the environment"),
      shellEnv: compatOnly(
        z.strictObject({ enabled: z.boolean().optional(), timeoutMs: positiveInt.optional() }).optional(),
        "import variables from the login shell",
      ),
    })
    .catchall(z.string())
    .describe("environment variables (only applied when not already set)"),
);

/** Sections the gateway does not act on yet: accepted as objects, validated by their owners later. */
const loose = (key: string, what: string) =>
  lazySchema(`config.${key}`, () => compatOnly(looseRecord.optional(), what));

/** A top-level key's schema as it sits in the root object, built the first time a config has it. */
const section = <T extends z.ZodType>(key: string, build: () => T) => lazySchema(`config.${key}`, build);

/**
 * The root: validated key by key (schema/lazy.ts), so a section's schema is built only when
 * a config that has it is validated; `configSchema.full()` is the whole zod object.
 */
export const configSchema = lazyStrictObject("config", {
  $schema: section("$schema", () => z.string().optional()),
  meta: section("meta", () => meta().optional()),
  env: section("env", () => env().optional()),
  wizard: loose("wizard", "written by onboarding and doctor"),
  auth: section("auth", () => authSchema().optional()),
  models: section("models", () => modelsSchema().optional()),
  agents: section("agents", () => agentsSchema().optional()),
  bindings: section("bindings", () =>
    z.array(bindingSchema()).optional().describe("route messages to agents; most specific match wins"),
  ),
  channels: channelsSchema,
  commands: section("commands", () => commandsSchema().optional()),
  session: section("session", () => session().optional()),
  messages: section("messages", () => messages().optional()),
  tools: section("tools", () => toolsSchema().optional()),
  attachments: section("attachments", () =>
    z
      .strictObject({
        ttlHours: z
          .number()
          .int()
          .min(1)
          .max(168)
          .optional()
          .describe(
            "hours a file sent in chat and kept for tools (workspace media/inbound/) lives, by its last change; swept at start and hourly (default 168)",
          ),
      })
      .optional()
      .describe("retention of media the gateway stores for tools"),
  ),
  skills: section("skills", () => skillsSchema().optional()),
  mcp: section("mcp", () => mcpSchema().optional()),
  plugins: section("plugins", () => plugins().optional()),
  hooks: loose("hooks", "inbound webhooks: { enabled, token, path, mappings }"),
  cron: section("cron", () => cronSchema().optional()),
  gateway: section("gateway", () => gateway().superRefine(refuseWeakSecretOffLoopback).optional()),
  logging: section("logging", () => logging().optional()),
  ui: loose("ui", "Control UI appearance"),
  secrets: loose("secrets", "secret providers for SecretRefs"),
  talk: section("talk", () => talkSchema().optional()),
  browser: loose("browser", "browser tool"),
  web: loose("web", "WhatsApp Web transport settings"),
  update: loose("update", "self-update channel"),
  diagnostics: loose("diagnostics", "diagnostics"),
  memory: loose("memory", "memory search"),
  audio: loose("audio", "audio transcription"),
  approvals: loose("approvals", "exec approvals"),
  broadcast: loose("broadcast", "broadcast groups"),
  discovery: loose("discovery", "LAN discovery (mDNS)"),
  canvasHost: loose("canvasHost", "canvas host"),
  acp: loose("acp", "agent client protocol"),
});

export type OpenClawConfig = z.infer<ReturnType<typeof configSchema.full>>;
export type GatewayConfig = NonNullable<OpenClawConfig["gateway"]>;
