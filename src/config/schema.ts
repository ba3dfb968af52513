import { isIP } from "node:net";
import { z } from "zod";

/**
 * The `openclaw.json` schema: the single source of truth for config types and
 * validation messages. Sections the gateway does not act on yet are accepted as
 * objects and validated in depth by the modules that own them as they land.
 */

const port = z.number().int().min(1).max(65535);
const section = z.record(z.string(), z.unknown());
const logLevel = z.enum(["debug", "info", "warn", "error"]);

export const BIND_MODES = ["loopback", "lan", "tailnet", "auto", "custom"] as const;
export const bindMode = z.enum(BIND_MODES);
export type BindMode = z.infer<typeof bindMode>;

const gatewayAuth = z.strictObject({
  mode: z.enum(["none", "token", "password"]).optional(),
  token: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  allowTailscale: z.boolean().optional(),
  rateLimit: z
    .strictObject({
      maxAttempts: z.number().int().min(1).optional(),
      windowMs: z.number().int().min(1000).optional(),
      lockoutMs: z.number().int().min(1000).optional(),
      exemptLoopback: z.boolean().optional(),
    })
    .optional(),
});

const gateway = z.strictObject({
  mode: z.enum(["local", "remote"]).optional(),
  port: port.optional(),
  bind: bindMode.optional(),
  customBindHost: z
    .string()
    .refine((v) => isIP(v) === 4, "must be an IPv4 address")
    .optional(),
  auth: gatewayAuth.optional(),
  controlUi: z
    .strictObject({
      enabled: z.boolean().optional(),
      basePath: z
        .string()
        .regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a URL path starting with /")
        .optional(),
      allowedOrigins: z.array(z.string()).optional(),
      allowInsecureAuth: z.boolean().optional(),
    })
    .optional(),
  trustedProxies: z.array(z.string()).optional(),
  remote: z
    .strictObject({
      url: z.string().optional(),
      token: z.string().optional(),
      password: z.string().optional(),
      transport: z.enum(["ssh", "direct"]).optional(),
    })
    .optional(),
  reload: z.strictObject({ mode: z.enum(["hybrid", "hot", "restart", "off"]).optional() }).optional(),
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
  channelHealthCheckMinutes: z.number().int().min(0).optional(),
});

const logging = z.strictObject({
  level: logLevel.optional(),
  consoleLevel: logLevel.optional(),
  file: z.string().min(1).optional(),
  consoleStyle: z.enum(["pretty", "compact", "json"]).optional(),
  redactSensitive: z.enum(["off", "tools"]).optional(),
});

const meta = z.strictObject({
  lastTouchedVersion: z.string().optional(),
  lastTouchedAt: z.string().optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  meta: meta.optional(),
  env: section.optional(),
  wizard: section.optional(),
  auth: section.optional(),
  models: section.optional(),
  agents: section.optional(),
  bindings: z.array(z.unknown()).optional(),
  channels: section.optional(),
  commands: section.optional(),
  session: section.optional(),
  messages: section.optional(),
  tools: section.optional(),
  skills: section.optional(),
  plugins: section.optional(),
  hooks: section.optional(),
  cron: section.optional(),
  gateway: gateway.optional(),
  logging: logging.optional(),
  ui: section.optional(),
  secrets: section.optional(),
  talk: section.optional(),
  browser: section.optional(),
  web: section.optional(),
  update: section.optional(),
  diagnostics: section.optional(),
  memory: section.optional(),
  audio: section.optional(),
  approvals: section.optional(),
  broadcast: section.optional(),
  discovery: section.optional(),
  canvasHost: section.optional(),
  acp: section.optional(),
});

export type OpenClawConfig = z.infer<typeof configSchema>;
export type GatewayConfig = NonNullable<OpenClawConfig["gateway"]>;
