import { z } from "zod";
import {
  compatOnly,
  httpUrl,
  looseRecord,
  modelRef,
  modelSelection,
  nonNegativeInt,
  positiveInt,
  stringList,
} from "./common.js";
import { heartbeatSchema } from "./heartbeat.js";
import { lazySchema } from "./lazy.js";
import { mediaSchema, webSearchSchema } from "./media.js";
import { compactionSchema, memorySearchSchema } from "./skills.js";

export const TOOL_PROFILES = ["minimal", "coding", "messaging", "full"] as const;

/** Tool policy; the same shape at `tools` and at `agents.list[].tools`. */
export const toolPolicyFields = lazySchema("agents.toolPolicyFields", () => ({
  profile: z
    .enum(TOOL_PROFILES)
    .optional()
    .describe("base tool set: minimal, coding, messaging or full (all tools)"),
  allow: stringList.optional().describe('tools or groups (group:fs…) to allow; "*" matches any'),
  deny: stringList.optional().describe("tools or groups to deny; deny wins over allow"),
  alsoAllow: compatOnly(stringList.optional(), "tools allowed on top of the profile"),
  byProvider: compatOnly(z.record(z.string(), looseRecord).optional(), "tool policy per model provider"),
  elevated: compatOnly(looseRecord.optional(), "elevated (host) exec: { enabled, allowFrom }"),
}));

/** OpenClaw's thinking levels and their other spellings (providers/thinking.ts maps them). */
const THINKING_LEVEL_IDS = ["off", "minimal", "low", "medium", "high", "xhigh", "adaptive", "max"] as const;
const THINKING_ALIASES = [
  "x-high",
  "x_high",
  "extra-high",
  "extra high",
  "extra_high",
  "highest",
  "disabled",
  "none",
] as const;

const fastModeValue = z.union([z.boolean(), z.literal("auto")]);
const serviceTier = z.enum(["auto", "standard_only", "default", "flex", "priority"]);
const serviceTierHelp =
  "explicit service tier, sent as written; Fast mode then leaves the tier alone (anthropic: auto, standard_only; openai: auto, default, flex, priority)";

/** Per-model params: the Fast-mode, service-tier and thinking keys act; OpenClaw's other params load and are ignored. */
const modelParams = lazySchema("agents.modelParams", () =>
  z
    .looseObject({
      fastMode: fastModeValue
        .optional()
        .describe('Fast mode for this model unless a session chooses (/fast): true, false or "auto"'),
      fast_mode: fastModeValue.optional().describe("fastMode, OpenClaw's other spelling"),
      fastAutoOnSeconds: positiveInt
        .optional()
        .describe(
          'with "auto": model calls started this long after the turn began run without Fast mode (default 60)',
        ),
      serviceTier: serviceTier.optional().describe(serviceTierHelp),
      service_tier: serviceTier.optional().describe("serviceTier, OpenClaw's other spelling"),
      thinking: z
        .union([z.enum([...THINKING_LEVEL_IDS, ...THINKING_ALIASES]), z.literal(false)])
        .optional()
        .describe("thinking level for this model unless a session chooses (/think); false: off"),
    })
    .describe(
      "provider parameters: the Fast-mode, service-tier and thinking keys act; others (temperature, cacheRetention…) are accepted for OpenClaw compatibility, no effect yet",
    ),
);

const agentModelEntry = lazySchema("agents.agentModelEntry", () =>
  z.strictObject({
    alias: z.string().min(1).optional().describe("short name usable in /model and model refs"),
    params: modelParams().optional(),
  }),
);

const agentDefaults = lazySchema("agents.agentDefaults", () =>
  z
    .strictObject({
      workspace: z
        .string()
        .min(1)
        .optional()
        .describe("agent workspace folder (default ~/.openclaw/workspace)"),
      model: modelSelection().optional(),
      models: z
        .record(modelRef(), agentModelEntry())
        .optional()
        .describe("model catalogue by ref; also the allowlist for /model when set"),
      imageModel: compatOnly(modelSelection().optional(), "model used for images"),
      pdfModel: compatOnly(modelSelection().optional(), "model used for PDFs"),
      maxConcurrent: positiveInt
        .optional()
        .describe("agent runs in parallel across sessions (each session runs one at a time)"),
      timeoutSeconds: positiveInt.optional().describe("longest an agent run may take"),
      contextTokens: positiveInt.optional().describe("context window budget in tokens"),
      mediaMaxMb: z
        .number()
        .positive()
        .optional()
        .describe(
          "largest file one chat message may attach, in MB (capped by the 5 MB a message carries; default that cap)",
        ),
      thinkingDefault: z
        .enum(THINKING_LEVEL_IDS)
        .optional()
        .describe(
          "thinking level of every model unless its params.thinking or a session (/think) chooses; fitted to what each model offers (default: the model's own)",
        ),
      verboseDefault: compatOnly(
        z.enum(["off", "on", "full"]).optional(),
        "default verbosity of tool output in chats",
      ),
      elevatedDefault: compatOnly(
        z.enum(["off", "on", "ask", "full"]).optional(),
        "default elevated (host) exec mode",
      ),
      skipBootstrap: compatOnly(z.boolean().optional(), "do not create AGENTS.md, SOUL.md… in the workspace"),
      bootstrapMaxChars: compatOnly(
        positiveInt.optional(),
        "longest workspace bootstrap file put in the prompt",
      ),
      bootstrapTotalMaxChars: compatOnly(
        positiveInt.optional(),
        "most characters of bootstrap files put in the prompt",
      ),
      userTimezone: compatOnly(z.string().optional(), "the user's time zone for the prompt"),
      timeFormat: compatOnly(z.enum(["auto", "12", "24"]).optional(), "12 or 24 hour clock in the prompt"),
      typingMode: compatOnly(
        z.enum(["never", "instant", "thinking", "message"]).optional(),
        "when the typing indicator is shown",
      ),
      blockStreamingDefault: compatOnly(
        z.enum(["off", "on"]).optional(),
        "send replies in blocks as they are written",
      ),
      heartbeat: heartbeatSchema().optional(),
      compaction: compactionSchema().optional(),
      contextPruning: compatOnly(looseRecord.optional(), "trim old tool results from the context"),
      sandbox: compatOnly(looseRecord.optional(), "run tools in a container"),
      subagents: compatOnly(looseRecord.optional(), "agents this agent may start"),
      cliBackends: compatOnly(looseRecord.optional(), "CLI coding agents used as models"),
      memorySearch: memorySearchSchema().optional(),
    })
    .describe("settings every agent inherits"),
);

const agentEntry = lazySchema("agents.agentEntry", () =>
  z.strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "must be letters, digits, - or _ (at most 64)")
      .describe("stable agent id used by bindings and session keys"),
    default: z.boolean().optional().describe("the agent for messages no binding matches (first wins)"),
    name: z.string().optional(),
    workspace: z.string().min(1).optional(),
    agentDir: compatOnly(z.string().min(1).optional(), "where this agent's auth profiles and models live"),
    model: modelSelection()
      .optional()
      .describe("string overrides the primary only; { primary, fallbacks } overrides both"),
    params: looseRecord.optional(),
    identity: z
      .strictObject({
        name: z.string().optional().describe("the name the Control UI shows on the agent's messages"),
        theme: compatOnly(z.string().optional(), "the agent's persona theme"),
        emoji: z.string().optional().describe("shown as the avatar when no avatar image is set"),
        avatar: z
          .string()
          .optional()
          .describe(
            "a data:image/(png|jpeg|gif|webp);base64 URI (at most 2 MB) or an emoji; workspace paths and URLs are not served",
          ),
      })
      .optional()
      .describe("how the agent appears in chats (else IDENTITY.md in its workspace)"),
    groupChat: z
      .strictObject({
        mentionPatterns: stringList.optional().describe("regexes that count as mentioning the agent"),
        historyLimit: compatOnly(nonNegativeInt.optional(), "group messages kept as context"),
      })
      .optional(),
    tools: z.strictObject(toolPolicyFields()).optional(),
    sandbox: compatOnly(looseRecord.optional(), "run this agent's tools in a container"),
    subagents: compatOnly(looseRecord.optional(), "agents this agent may start"),
    heartbeat: heartbeatSchema()
      .optional()
      .describe("this agent's heartbeat, over agents.defaults.heartbeat"),
    runtime: looseRecord.optional(),
    skills: compatOnly(stringList.optional(), "skills offered to this agent"),
  }),
);

export const agentsSchema = lazySchema("agents", () =>
  z
    .strictObject({
      defaults: agentDefaults().optional(),
      list: z
        .array(agentEntry())
        .optional()
        .describe("agents; without a list there is one agent, `main`")
        .refine(
          (list) => new Set(list?.map((a) => a.id)).size === (list?.length ?? 0),
          "agent ids must be unique",
        ),
    })
    .describe("agents: defaults and the list"),
);

const PEER_KINDS = ["direct", "group", "channel", "dm"] as const;

export const bindingSchema = lazySchema("bindings", () =>
  z.strictObject({
    type: z.enum(["route", "acp"]).optional(),
    agentId: z.string().min(1).describe("agent that handles matching messages"),
    comment: compatOnly(z.string().optional(), "a note for people reading the file"),
    match: z
      .strictObject({
        channel: z.string().min(1).describe("channel id: discord, telegram, whatsapp, signal…"),
        accountId: z.string().optional().describe('channel account ("*" any; omitted = default account)'),
        peer: z
          .strictObject({
            kind: z
              .enum(PEER_KINDS)
              .transform((kind) => (kind === "dm" ? "direct" : kind))
              .describe('direct, group or channel ("dm" is read as direct)'),
            id: z.union([z.string().min(1), z.number()]).describe("peer id"),
          })
          .optional(),
        guildId: z.string().optional().describe("Discord guild id"),
        teamId: z.string().optional().describe("Slack/Teams team id"),
        roles: stringList.optional(),
      })
      .describe("what a message must match; channel is required"),
  }),
);

const authProfile = lazySchema("agents.authProfile", () =>
  z.strictObject({
    provider: z.string().min(1).describe("provider id, e.g. anthropic"),
    mode: z.enum(["api_key", "token", "oauth"]).describe("how this profile authenticates"),
    email: compatOnly(z.string().optional(), "the account's e-mail, for display"),
  }),
);

export const authSchema = lazySchema("auth", () =>
  z
    .strictObject({
      profiles: z
        .record(z.string(), authProfile())
        .optional()
        .describe("auth profile metadata by id (provider:name); secrets live in auth-profiles.json"),
      order: z.record(z.string(), stringList).optional().describe("profile rotation order per provider"),
      cooldowns: z
        .strictObject({
          billingBackoffHours: compatOnly(
            z.number().positive().optional(),
            "pause after a billing error, in hours",
          ),
          billingBackoffHoursByProvider: compatOnly(
            z.record(z.string(), z.number().positive()).optional(),
            "billingBackoffHours per provider",
          ),
          billingMaxHours: compatOnly(z.number().positive().optional(), "longest billing pause, in hours"),
          failureWindowHours: compatOnly(
            z.number().positive().optional(),
            "window in which failures count toward a cooldown, in hours",
          ),
        })
        .optional(),
    })
    .describe("model provider authentication profiles"),
);

export const MODEL_APIS = [
  "openai-completions",
  "openai-responses",
  "anthropic-messages",
  "google-generative-ai",
] as const;

const providerModel = lazySchema("agents.providerModel", () =>
  z.strictObject({
    id: z.string().min(1),
    name: z.string().optional(),
    api: z.enum(MODEL_APIS).optional(),
    reasoning: z.boolean().optional(),
    input: z.array(z.enum(["text", "image", "audio", "video", "document"])).optional(),
    cost: compatOnly(
      z
        .strictObject({
          input: z.number().min(0).optional(),
          output: z.number().min(0).optional(),
          cacheRead: z.number().min(0).optional(),
          cacheWrite: z.number().min(0).optional(),
        })
        .optional(),
      "USD per million tokens, for usage reports",
    ),
    contextWindow: positiveInt.optional(),
    maxTokens: positiveInt.optional(),
    headers: z.record(z.string(), z.string()).optional(),
    compat: compatOnly(looseRecord.optional(), "per-model API quirks"),
  }),
);

const provider = lazySchema("agents.provider", () =>
  z.strictObject({
    baseUrl: httpUrl().optional().describe("API base URL"),
    apiKey: z.string().optional().describe("API key; the provider's env var (e.g. OPENAI_API_KEY) wins"),
    api: z.enum(MODEL_APIS).optional().describe("wire API the endpoint speaks"),
    auth: z.enum(["api-key", "oauth", "token", "none"]).optional(),
    authHeader: compatOnly(z.boolean().optional(), "send the key as an Authorization header"),
    headers: z.record(z.string(), z.string()).optional().describe("extra HTTP headers"),
    models: z.array(providerModel()).optional().describe("models this provider serves"),
  }),
);

export const modelsSchema = lazySchema("models", () =>
  z
    .strictObject({
      mode: z
        .enum(["merge", "replace"])
        .optional()
        .describe("merge with the built-in catalogue (default) or replace it"),
      providers: z.record(z.string(), provider()).optional().describe("custom or overridden providers by id"),
    })
    .describe("model providers and catalogue"),
);

export const toolsSchema = lazySchema("tools", () =>
  z
    .strictObject({
      ...toolPolicyFields(),
      exec: z
        .looseObject({
          timeoutSec: positiveInt.optional().describe("longest a command may run (default 1800)"),
          backgroundMs: compatOnly(
            nonNegativeInt.optional(),
            "run exec commands in the background after this many ms",
          ),
        })
        .optional(),
      web: z
        .strictObject({
          search: webSearchSchema().optional(),
          fetch: z
            .looseObject({
              enabled: compatOnly(z.boolean().optional(), "offer the web_fetch tool"),
              maxChars: compatOnly(positiveInt.optional(), "longest page text web_fetch returns"),
              timeoutSeconds: compatOnly(positiveInt.optional(), "how long web_fetch waits for a page"),
              allowPrivateNetwork: z
                .boolean()
                .optional()
                .describe(
                  "let web_fetch reach loopback, LAN, link-local and cloud-metadata addresses (default false: public addresses only)",
                ),
            })
            .optional(),
        })
        .optional(),
      media: mediaSchema().optional(),
      agentToAgent: compatOnly(looseRecord.optional(), "let agents message each other"),
      sessions: compatOnly(looseRecord.optional(), "which sessions the session tools may see"),
      loopDetection: compatOnly(looseRecord.optional(), "stop tool-call loops"),
      links: compatOnly(looseRecord.optional(), "link understanding"),
    })
    .describe("which tools agents may use"),
);
