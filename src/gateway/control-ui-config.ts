import { type HttpRoute, sendJson } from "../infra/http.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import { authorizeBearer, type ResolvedAuth } from "../infra/shared-secret.js";
import type { GatewayContext } from "./context.js";

/**
 * The HTTP side OpenClaw's Control UI expects: `/startupz` (startup finished, the probe
 * Render and Fly-style platforms use) and `<basePath>/control-ui-config.json`, the UI's
 * runtime settings, behind the gateway token as in OpenClaw. The settings turn off what
 * this gateway has no backend for (terminal, CLI agents, community links, embeds from
 * other sites), so that UI does not offer them.
 */

export function startupRoute(gateway: GatewayContext): HttpRoute {
  return {
    path: "/startupz",
    methods: ["GET", "HEAD"],
    handle: (_req, res) => {
      // The gateway listens before its parts (agents, channels, jobs) are built: until then
      // its readiness names `gateway: starting`, and start-up has not finished.
      const starting = gateway.readiness().failing.some((f) => f.startsWith("gateway:"));
      sendJson(res, starting ? 503 : 200, {
        ok: !starting,
        status: starting ? "starting" : "started",
        version: gateway.version,
        uptimeMs: Date.now() - gateway.startedAt,
      });
    },
  };
}

export function controlUiConfigRoute(opts: {
  basePath: string;
  gateway: GatewayContext;
  auth: () => ResolvedAuth;
  rateLimiter: AuthRateLimiter;
}): HttpRoute {
  const base = opts.basePath.replace(/\/+$/, "");
  return {
    path: `${base}/control-ui-config.json`,
    methods: ["GET", "HEAD"],
    handle: (req, res) => {
      const auth = opts.auth();
      if (auth.mode !== "none") {
        const verdict = authorizeBearer(req, auth, opts.rateLimiter);
        if (!verdict.ok) {
          const message = "send the gateway token (or password) as Authorization: Bearer <token>";
          sendJson(res, verdict.status, { error: { type: "unauthorized", message } });
          return;
        }
      }
      const { gateway } = opts;
      const agentId = gateway.agents.defaultAgentId();
      const name = gateway.config().config.agents?.list?.find((a) => a.id === agentId)?.name ?? "Assistant";
      sendJson(res, 200, {
        basePath: base,
        assistantName: name,
        assistantAvatar: name.slice(0, 1).toUpperCase(),
        assistantAgentId: agentId,
        serverVersion: gateway.version,
        embedSandbox: "strict",
        allowExternalEmbedUrls: false,
        automaticallyFetchFavicons: false,
        communityInvite: false,
        terminalEnabled: false,
        cliAgentsEnabled: false,
        pluginAssetsRequireAuth: true,
        pluginFrameGrants: [],
      });
    },
  };
}
