import { z } from "zod";
import { looseRecord, port, positiveInt } from "../../config/schema/common.js";

/**
 * `plugins.entries["voice-call"].config`, with OpenClaw's keys. Kept free of anything
 * but zod so config validation can check it without loading the plugin itself, and built
 * on first use (`voiceCallConfigSchema()`): its ~250 zod objects are not kept by a gateway
 * whose config does not mention the plugin.
 *
 * Differences, on purpose: webhooks are served on the gateway's own port (Fly exposes
 * only that one), so `serve.port`/`serve.bind` are accepted and ignored; the answer comes
 * from an agent session (the default agent, or `agentId`), so `responseModel` is accepted
 * and ignored rather than used for a separate model call; `plivo` and `mock` are
 * not offered, and `streaming` (media streams) is not built yet.
 */
export const TUNNEL_PROVIDERS = [
  "none",
  "ngrok",
  "tailscale-serve",
  "tailscale-funnel",
  "tailscale",
] as const;

function buildSchema() {
  const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, "expected an E.164 phone number such as +15550001234");
  const secret = z.string().min(1);
  return z.strictObject({
    enabled: z.boolean().optional().describe("OpenClaw's inner switch; false turns the plugin off"),
    provider: z.enum(["twilio", "telnyx"]).describe("telephony provider"),
    fromNumber: e164.optional().describe("caller id for outbound calls (E.164)"),
    toNumber: e164.optional().describe("default number for outbound calls (E.164)"),
    twilio: z
      .strictObject({
        accountSid: secret.optional().describe("defaults to TWILIO_ACCOUNT_SID"),
        authToken: secret.optional().describe("defaults to TWILIO_AUTH_TOKEN"),
        apiBaseUrl: z.url().optional().describe("Twilio REST API base (default https://api.twilio.com)"),
      })
      .optional(),
    telnyx: z
      .strictObject({
        apiKey: secret.optional().describe("defaults to TELNYX_API_KEY"),
        connectionId: secret
          .optional()
          .describe("Call Control application id; defaults to TELNYX_CONNECTION_ID"),
        publicKey: secret.optional().describe("webhook signing key (base64); defaults to TELNYX_PUBLIC_KEY"),
        apiBaseUrl: z.url().optional().describe("Telnyx API base (default https://api.telnyx.com)"),
      })
      .optional(),
    inboundPolicy: z
      .enum(["disabled", "allowlist", "open"])
      .optional()
      .describe("who may call in: disabled (default), allowlist (allowFrom) or open"),
    allowFrom: z.array(e164).optional().describe("callers allowed when inboundPolicy is allowlist"),
    inboundGreeting: z.string().optional().describe("first thing said to a caller"),
    agentId: z.string().min(1).optional().describe("agent that answers calls (default: the default agent)"),
    outbound: z
      .strictObject({
        defaultMode: z.enum(["notify", "conversation"]).optional(),
        notifyHangupDelaySec: z.number().int().min(0).max(60).optional(),
      })
      .optional(),
    maxDurationSeconds: positiveInt.optional().describe("calls are hung up after this (default 300)"),
    maxConcurrentCalls: positiveInt.optional().describe("more calls than this are refused (default 1)"),
    silenceTimeoutMs: positiveInt.optional(),
    transcriptTimeoutMs: positiveInt.optional(),
    ringTimeoutMs: positiveInt.optional(),
    staleCallReaperSeconds: z.number().int().min(0).optional(),
    responseModel: z
      .string()
      .min(1)
      .optional()
      .describe("ignored: the agent's own models answer (see agentId)"),
    responseSystemPrompt: z.string().optional().describe("extra instructions for spoken answers"),
    responseTimeoutMs: positiveInt.optional().describe("longest wait for an answer (default 30000)"),
    serve: z
      .strictObject({
        port: port.optional().describe("ignored: webhooks use the gateway port"),
        bind: z.string().optional().describe("ignored: webhooks use the gateway's bind"),
        path: z.string().startsWith("/").optional().describe("webhook path (default /voice/webhook)"),
      })
      .optional(),
    publicUrl: z.url().optional().describe("public URL of the webhook, as the provider calls it"),
    tunnel: z
      .strictObject({
        provider: z.enum(TUNNEL_PROVIDERS).optional(),
        ngrokAuthToken: secret.optional().describe("defaults to NGROK_AUTHTOKEN"),
        ngrokDomain: z.string().min(1).optional().describe("defaults to NGROK_DOMAIN"),
        allowNgrokFreeTierLoopbackBypass: z.boolean().optional(),
      })
      .optional(),
    tailscale: z
      .strictObject({
        mode: z.enum(["off", "serve", "funnel"]).optional(),
        path: z.string().optional(),
      })
      .optional()
      .describe("legacy form of tunnel.provider tailscale-*"),
    webhookSecurity: z
      .strictObject({
        allowedHosts: z.array(z.string()).optional(),
        trustForwardingHeaders: z.boolean().optional(),
        trustedProxyIPs: z.array(z.string()).optional(),
      })
      .optional(),
    skipSignatureVerification: z.boolean().optional().describe("development only: accept unsigned webhooks"),
    streaming: looseRecord.optional(),
    stt: looseRecord.optional(),
    tts: looseRecord.optional(),
    store: z
      .string()
      .optional()
      .describe("folder for the call log and the replay keys (default <state>/voice-calls)"),
  });
}

let schema: ReturnType<typeof buildSchema> | undefined;

/** The schema, built on the first call (the same object on every call). */
export function voiceCallConfigSchema(): ReturnType<typeof buildSchema> {
  schema ??= buildSchema();
  return schema;
}

export type VoiceCallConfig = z.infer<ReturnType<typeof buildSchema>>;
