import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { TurnEvent } from "../agents/runner.js";
import {
  type AuthRateLimiter,
  authorizeBearer,
  BEARER_NEEDS_AUTH_MESSAGE,
  type ResolvedAuth,
} from "./auth.js";
import type { GatewayContext } from "./context.js";
import { HttpError, type HttpRoute, hasJsonBody, readBody, sendJson } from "./http.js";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const contentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();
const body = z.object({
  model: z.string().optional(),
  messages: z
    .array(
      z
        .object({ role: z.string(), content: z.union([z.string(), z.array(contentPart), z.null()]) })
        .passthrough(),
    )
    .min(1),
  stream: z.boolean().optional(),
  user: z.string().max(256).optional(),
});

function error(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { error: { message, type } }, headers);
}

const textOf = (content: z.infer<typeof body>["messages"][number]["content"]) =>
  typeof content === "string" ? content : (content ?? []).map((p) => p.text ?? "").join("");

/**
 * OpenAI-compatible `POST /v1/chat/completions` (OpenClaw's, off unless
 * `gateway.http.endpoints.chatCompletions.enabled`): the last user message runs as
 * an ordinary agent turn. `model: "openclaw:<agentId>"` (or `agent:<id>`, or the
 * `x-openclaw-agent-id` header) picks the agent; `x-openclaw-session-key` or the
 * `user` field gives a lasting session, else each request gets a fresh one.
 */
export function chatCompletionsRoute(deps: {
  gateway: GatewayContext;
  auth: () => ResolvedAuth;
  rateLimiter: AuthRateLimiter;
}): HttpRoute {
  return {
    path: "/v1/chat/completions",
    methods: ["POST"],
    async handle(req, res) {
      const { gateway } = deps;
      if (!gateway.config().config.gateway?.http?.endpoints?.chatCompletions?.enabled) return false;
      const verdict = authorizeBearer(req, deps.auth(), deps.rateLimiter);
      if (!verdict.ok && verdict.status === 429) {
        return error(
          res,
          429,
          "rate_limited",
          "Too many failed authentication attempts. Please try again later.",
          {
            "retry-after": String(verdict.retryAfterSeconds),
          },
        );
      }
      if (!verdict.ok && verdict.status === 403) {
        return error(res, 403, "forbidden", BEARER_NEEDS_AUTH_MESSAGE);
      }
      if (!verdict.ok) {
        return error(
          res,
          401,
          "unauthorized",
          "missing or wrong bearer token (the gateway token or password)",
        );
      }
      if (!hasJsonBody(req)) {
        return error(
          res,
          415,
          "invalid_request_error",
          "send the body as JSON with content-type: application/json",
        );
      }
      let text: string;
      try {
        text = (await readBody(req, MAX_BODY_BYTES)).toString("utf8");
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        return error(res, 413, "invalid_request_error", `body over ${MAX_BODY_BYTES} bytes`);
      }
      let parsed: z.infer<typeof body>;
      try {
        const result = body.safeParse(JSON.parse(text));
        if (!result.success)
          return error(res, 400, "invalid_request_error", result.error.issues[0]?.message ?? "invalid body");
        parsed = result.data;
      } catch {
        return error(res, 400, "invalid_request_error", "body is not valid JSON");
      }
      const agents = gateway.agents;
      if (!agents) return error(res, 503, "unavailable", "agents are not available");
      const lastUser = [...parsed.messages].reverse().find((m) => m.role === "user");
      if (!lastUser) return error(res, 400, "invalid_request_error", "messages has no user message");

      const agentId =
        (req.headers["x-openclaw-agent-id"] as string | undefined) ??
        /^(?:openclaw|agent):(.+)$/.exec(parsed.model ?? "")?.[1] ??
        agents.defaultAgentId();
      const explicit = req.headers["x-openclaw-session-key"] as string | undefined;
      const sessionKey =
        explicit ??
        (parsed.user
          ? `agent:${agentId}:openai-user:${parsed.user}`
          : `agent:${agentId}:openai:${randomUUID()}`);
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const model = parsed.model ?? `openclaw:${agentId}`;

      if (!parsed.stream) {
        let usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
        const run = agents.send({
          sessionKey,
          text: textOf(lastUser.content),
          onEvent: (e: TurnEvent) => {
            if (e.type === "final") {
              usage = {
                prompt_tokens: e.usage.input,
                completion_tokens: e.usage.output,
                total_tokens: e.usage.input + e.usage.output,
              };
            }
          },
        });
        const outcome = await run.done;
        if (outcome.status !== "ok")
          return error(res, 502, "agent_error", outcome.text || "the agent could not answer");
        return sendJson(res, 200, {
          id,
          object: "chat.completion",
          created,
          model,
          choices: [
            { index: 0, message: { role: "assistant", content: outcome.text }, finish_reason: "stop" },
          ],
          usage,
        });
      }

      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        res.write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
        );
      chunk({ role: "assistant" }, null);
      const run = agents.send({
        sessionKey,
        text: textOf(lastUser.content),
        onEvent: (e: TurnEvent) => {
          if (e.type === "delta") chunk({ content: e.text }, null);
        },
      });
      // A client that goes away stops the run.
      res.on("close", () => {
        if (!res.writableEnded) agents.abort(sessionKey, run.runId);
      });
      const outcome = await run.done;
      chunk({}, outcome.status === "ok" ? "stop" : "error");
      res.end("data: [DONE]\n\n");
      return true;
    },
  };
}
