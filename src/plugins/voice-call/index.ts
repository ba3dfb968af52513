import path from "node:path";
import { z } from "zod";
import { defineTool, text } from "../../agents/tools/types.js";
import { resolveUserPath } from "../../config/paths.js";
import { readBody } from "../../infra/http.js";
import { registerSecret } from "../../infra/logger.js";
import { defineMethod, ErrorCodes, GatewayRequestError } from "../../infra/rpc.js";
import { definePlugin, type PluginApi, type PluginRoute, type PluginService } from "../types.js";
import { type VoiceCallConfig, voiceCallConfigSchema } from "./config.js";
import { CallManager, type CallRecord } from "./manager.js";
import type { VoiceProvider } from "./providers/types.js";

/** Webhook bodies are small forms or JSON events. */
const MAX_WEBHOOK_BYTES = 64 * 1024;
const DEFAULT_PATH = "/voice/webhook";

/**
 * voice-call: phone calls with an agent through Twilio or Telnyx. Inbound calls hit
 * the webhook on the gateway port (signature-checked), each call is an agent session,
 * the caller's words (the provider's speech recognition) go to the agent and its
 * answers are spoken back (the provider's text to speech) until hang-up. Outbound
 * calls through the `voicecall.*` RPCs and the `voice_call` agent tool. A tunnel
 * (ngrok, Tailscale Funnel) gives a private gateway a public webhook URL.
 */
export default definePlugin<VoiceCallConfig>({
  id: "voice-call",
  name: "Voice Call",
  description: "phone calls with an agent (Twilio, Telnyx)",
  configSchema: voiceCallConfigSchema(),
  register: async (api) => {
    const config = api.config;
    const provider = await createProvider(config, api.env);
    const endpoint: WebhookEndpoint = {
      path: config.serve?.path ?? DEFAULT_PATH,
      publicBase: config.publicUrl ? new URL(config.publicUrl).origin : undefined,
    };
    if (config.serve?.port !== undefined || config.serve?.bind !== undefined) {
      api.log.info(
        `serve.port/serve.bind are not used: the webhook is served on the gateway port at ${endpoint.path}`,
      );
    }
    if (config.skipSignatureVerification) {
      api.log.warn(
        "skipSignatureVerification is on: anyone who finds the webhook URL can drive calls (development only)",
      );
    }
    const manager = new CallManager({
      provider,
      config,
      webhookUrl: () =>
        config.publicUrl ? config.publicUrl : endpoint.publicBase && `${endpoint.publicBase}${endpoint.path}`,
      chat: (req) => api.chat(req),
      sessionKey: (callId) => api.sessionKey(`call-${callId}`, config.agentId),
      storeDir: config.store
        ? resolveUserPath(config.store, api.env)
        : path.join(api.stateDir, "voice-calls"),
      log: api.log,
    });
    api.registerHttpRoute(webhookRoute(manager, endpoint));
    registerMethods(api, manager);
    api.registerTool(voiceCallTool(manager));
    api.registerService(callService(api, manager, provider.name, endpoint));
  },
});

/** Where the provider reaches the webhook; the public origin is known from publicUrl or once a tunnel is up. */
interface WebhookEndpoint {
  path: string;
  publicBase: string | undefined;
}

/** The webhook on the gateway port; the provider's signature is the auth. */
function webhookRoute(manager: CallManager, endpoint: WebhookEndpoint): PluginRoute {
  return {
    path: endpoint.path,
    methods: ["POST"],
    auth: "plugin",
    async handle(req, res, url) {
      const rawBody = await readBody(req, MAX_WEBHOOK_BYTES);
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      // The URL the provider signed: the public one when known, else what this request came to.
      const base =
        endpoint.publicBase ??
        `${firstHeader(headers["x-forwarded-proto"]) ?? "http"}://${firstHeader(headers["x-forwarded-host"]) ?? headers.host ?? "localhost"}`;
      const answer = await manager.handleWebhook({
        url: `${base}${url.pathname}${url.search}`,
        headers,
        rawBody,
      });
      res.writeHead(answer.status, { "content-type": answer.contentType, "cache-control": "no-store" });
      res.end(answer.body);
    },
  };
}

/** Starts the tunnel if one is configured (its URL becomes the public base); on stop, ends the calls and the tunnel. */
function callService(
  api: PluginApi<VoiceCallConfig>,
  manager: CallManager,
  providerName: string,
  endpoint: WebhookEndpoint,
): PluginService {
  const config = api.config;
  const tunnelProvider = resolveTunnelProvider(config);
  let stopTunnel: (() => Promise<void>) | undefined;
  return {
    id: "voice-call",
    start: async () => {
      if (tunnelProvider === "none") {
        if (!endpoint.publicBase) {
          api.log.info(
            `webhook at ${endpoint.path} on the gateway port; set publicUrl (or tunnel.provider) so outbound calls can tell ${providerName} where to call back`,
          );
        }
        return;
      }
      const { startTunnel } = await import("./tunnel.js");
      const tunnel = await startTunnel({
        provider: tunnelProvider,
        port: api.gatewayPort(),
        path: endpoint.path,
        ngrokAuthToken: config.tunnel?.ngrokAuthToken,
        ngrokDomain: config.tunnel?.ngrokDomain,
        env: api.env,
        log: api.log,
      });
      if (tunnel) {
        endpoint.publicBase ??= tunnel.publicUrl;
        api.log.info(`webhook URL for ${providerName}: ${tunnel.publicUrl}${endpoint.path}`);
        stopTunnel = () => tunnel.close();
      }
    },
    stop: async () => {
      await manager.stop();
      await stopTunnel?.();
    },
  };
}

function firstHeader(value: string | undefined): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

function resolveTunnelProvider(
  config: VoiceCallConfig,
): "none" | "ngrok" | "tailscale-serve" | "tailscale-funnel" {
  const provider = config.tunnel?.provider;
  if (provider === "tailscale") return "tailscale-funnel";
  if (provider && provider !== "none") return provider;
  if (config.tailscale?.mode === "funnel") return "tailscale-funnel";
  if (config.tailscale?.mode === "serve") return "tailscale-serve";
  return "none";
}

/** The provider client, with credentials from config or the environment. */
async function createProvider(config: VoiceCallConfig, env: NodeJS.ProcessEnv): Promise<VoiceProvider> {
  const { createVoiceProvider } = await import("./providers/index.js");
  if (config.provider === "twilio") {
    const accountSid = config.twilio?.accountSid ?? env.TWILIO_ACCOUNT_SID;
    const authToken = config.twilio?.authToken ?? env.TWILIO_AUTH_TOKEN;
    if (!accountSid || !authToken) {
      throw new Error(
        "Twilio needs an account SID and auth token: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN " +
          '(on Fly.io: fly secrets set …) or plugins.entries["voice-call"].config.twilio.accountSid/authToken',
      );
    }
    registerSecret(authToken);
    return createVoiceProvider(
      { provider: "twilio", twilio: { accountSid, authToken } },
      { apiBaseUrl: config.twilio?.apiBaseUrl },
    );
  }
  const telnyx = {
    apiKey: config.telnyx?.apiKey ?? env.TELNYX_API_KEY,
    connectionId: config.telnyx?.connectionId ?? env.TELNYX_CONNECTION_ID,
    publicKey: config.telnyx?.publicKey ?? env.TELNYX_PUBLIC_KEY,
  };
  const missing = [
    !telnyx.apiKey && "TELNYX_API_KEY (telnyx.apiKey)",
    !telnyx.connectionId && "TELNYX_CONNECTION_ID (telnyx.connectionId)",
    !telnyx.publicKey && "TELNYX_PUBLIC_KEY (telnyx.publicKey)",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `Telnyx needs ${missing.join(", ")}: set them in the environment or plugins.entries["voice-call"].config`,
    );
  }
  registerSecret(telnyx.apiKey);
  return createVoiceProvider({ provider: "telnyx", telnyx }, { apiBaseUrl: config.telnyx?.apiBaseUrl });
}

const callId = z.string().min(1);
const message = z.string().min(1);
const mode = z.enum(["notify", "conversation"]);

function registerMethods(api: PluginApi<VoiceCallConfig>, manager: CallManager): void {
  const failing = async (work: () => Promise<unknown>): Promise<unknown> => {
    try {
      return (await work()) ?? { ok: true };
    } catch (err) {
      throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, (err as Error).message);
    }
  };
  const status = (id: string): CallRecord => {
    const call = manager.get(id);
    if (!call) throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `no call ${id}`);
    return call;
  };
  api.registerGatewayMethod(
    "voicecall.initiate",
    defineMethod({
      scope: "operator.admin",
      params: z.object({ to: z.string().optional(), message, mode: mode.optional() }),
      handle: (p) => failing(async () => ({ call: await manager.initiate(p) })),
    }),
  );
  // OpenClaw has both names; either says the message on the live call and listens again.
  for (const name of ["voicecall.continue", "voicecall.speak"]) {
    api.registerGatewayMethod(
      name,
      defineMethod({
        scope: "operator.admin",
        params: z.object({ callId, message }),
        handle: (p) => failing(() => manager.speak(p.callId, p.message, "listen")),
      }),
    );
  }
  api.registerGatewayMethod(
    "voicecall.end",
    defineMethod({
      scope: "operator.admin",
      params: z.object({ callId }),
      handle: (p) => failing(() => manager.hangup(p.callId)),
    }),
  );
  api.registerGatewayMethod(
    "voicecall.status",
    defineMethod({
      scope: "operator.read",
      params: z.object({ callId: callId.optional() }).optional(),
      handle: (p) => (p?.callId ? { call: status(p.callId) } : { calls: manager.list() }),
    }),
  );
}

/** The agent's `voice_call` tool, with OpenClaw's actions. */
function voiceCallTool(manager: CallManager) {
  const params = z.object({
    action: z.enum(["initiate_call", "continue_call", "speak_to_user", "end_call", "get_status"]),
    to: z.string().optional().describe("E.164 number to call (initiate_call; default: config toNumber)"),
    message: z.string().optional().describe("what to say"),
    mode: mode.optional().describe("notify: say it and hang up; conversation: keep talking"),
    callId: z.string().optional(),
  });
  return defineTool({
    name: "voice_call",
    group: "plugins",
    description:
      "Place and control phone calls. initiate_call(message, to?, mode?) calls a number and says the message; " +
      "continue_call/speak_to_user(callId, message) say something on a live call; end_call(callId) hangs up; " +
      "get_status(callId?) reports calls and what was said.",
    params,
    execute: async (p) => {
      const need = (value: string | undefined, name: string) => {
        if (!value) throw new Error(`${p.action} needs ${name}`);
        return value;
      };
      try {
        switch (p.action) {
          case "initiate_call": {
            const call = await manager.initiate({
              to: p.to,
              message: need(p.message, "message"),
              mode: p.mode,
            });
            return text(`calling ${call.to}: call ${call.callId} (${call.mode})`);
          }
          case "continue_call":
          case "speak_to_user":
            await manager.speak(need(p.callId, "callId"), need(p.message, "message"));
            return text("said it");
          case "end_call":
            await manager.hangup(need(p.callId, "callId"));
            return text("hung up");
          case "get_status": {
            const calls = p.callId ? [manager.get(p.callId)].filter(Boolean) : manager.list();
            return text(calls.length ? JSON.stringify(calls, null, 1) : "no calls");
          }
        }
      } catch (err) {
        return text((err as Error).message, true);
      }
    },
  });
}
