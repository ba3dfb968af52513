import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { QueueFullError } from "../agents/queue.js";
import type { TurnEvent } from "../agents/runner.js";
import type { AgentRuntime, ChatRequest, RunHandle } from "../agents/runtime.js";
import { HttpError, type HttpRoute, hasJsonBody, readBody, sendJson } from "../infra/http.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import { authorizeBearer, BEARER_NEEDS_AUTH_MESSAGE, type ResolvedAuth } from "../infra/shared-secret.js";
import {
  InvalidSessionKeyError,
  resolveDefaultAgentId,
  resolveKnownAgentId,
  UnknownAgentError,
} from "../routing/known-agents.js";
import { canonicalSessionKey } from "../routing/session-key.js";
import type { GatewayContext } from "./context.js";

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
      if (!authorized(req, res, deps)) return true;
      const parsed = await readRequest(req, res);
      if (!parsed) return true;
      const { agents } = gateway;
      const lastUser = [...parsed.messages].reverse().find((m) => m.role === "user");
      if (!lastUser) return error(res, 400, "invalid_request_error", "messages has no user message");

      // The agent and session come from the caller: unknown agents are refused (they
      // would otherwise run with the global tools, not the agent's own policy).
      let agentId: string;
      let sessionKey: string;
      try {
        ({ agentId, sessionKey } = target(gateway, req.headers, parsed));
      } catch (err) {
        return refuse(res, err);
      }
      const completion: Completion = {
        agents,
        res,
        sessionKey,
        text: textOf(lastUser.content),
        // The turn cap per client is per address (behind a proxy: shared by its clients).
        submitter: `http:${req.socket.remoteAddress ?? "unknown"}`,
        id: `chatcmpl-${randomUUID()}`,
        created: Math.floor(Date.now() / 1000),
        model: parsed.model ?? `openclaw:${agentId}`,
      };
      return parsed.stream ? streamCompletion(completion) : answerCompletion(completion);
    },
  };
}

/** Answers 429 / 403 / 401 and returns false unless the bearer token is right. */
function authorized(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { auth: () => ResolvedAuth; rateLimiter: AuthRateLimiter },
): boolean {
  const verdict = authorizeBearer(req, deps.auth(), deps.rateLimiter);
  if (verdict.ok) return true;
  if (verdict.status === 429) {
    error(res, 429, "rate_limited", "Too many failed authentication attempts. Please try again later.", {
      "retry-after": String(verdict.retryAfterSeconds),
    });
  } else if (verdict.status === 403) {
    error(res, 403, "forbidden", BEARER_NEEDS_AUTH_MESSAGE);
  } else {
    error(res, 401, "unauthorized", "missing or wrong bearer token (the gateway token or password)");
  }
  return false;
}

/** The parsed body, or undefined once a 415 / 413 / 400 has been answered. */
async function readRequest(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<z.infer<typeof body> | undefined> {
  if (!hasJsonBody(req)) {
    error(res, 415, "invalid_request_error", "send the body as JSON with content-type: application/json");
    return undefined;
  }
  let text: string;
  try {
    text = (await readBody(req, MAX_BODY_BYTES)).toString("utf8");
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    error(res, 413, "invalid_request_error", `body over ${MAX_BODY_BYTES} bytes`);
    return undefined;
  }
  try {
    const result = body.safeParse(JSON.parse(text));
    if (result.success) return result.data;
    error(res, 400, "invalid_request_error", result.error.issues[0]?.message ?? "invalid body");
  } catch {
    error(res, 400, "invalid_request_error", "body is not valid JSON");
  }
  return undefined;
}

/** One request's turn and the fields every answer to it repeats. */
interface Completion {
  agents: AgentRuntime;
  res: ServerResponse;
  sessionKey: string;
  submitter: string;
  text: string;
  id: string;
  created: number;
  model: string;
}

/** `stream: false`: one JSON answer once the turn is done. */
async function answerCompletion(c: Completion): Promise<unknown> {
  let usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const run = startRun(c.res, c.agents, {
    sessionKey: c.sessionKey,
    submitter: c.submitter,
    text: c.text,
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
  if (!run) return true;
  const outcome = await run.done;
  if (outcome.status !== "ok")
    return error(c.res, 502, "agent_error", outcome.text || "the agent could not answer");
  return sendJson(c.res, 200, {
    id: c.id,
    object: "chat.completion",
    created: c.created,
    model: c.model,
    choices: [{ index: 0, message: { role: "assistant", content: outcome.text }, finish_reason: "stop" }],
    usage,
  });
}

/** `stream: true`: server-sent chunks as the model writes, then `[DONE]`. */
async function streamCompletion(c: Completion): Promise<true> {
  const { res, id, created, model } = c;
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
    );
  // Events arrive asynchronously: the head and the role chunk below go out first.
  const run = startRun(res, c.agents, {
    sessionKey: c.sessionKey,
    submitter: c.submitter,
    text: c.text,
    onEvent: (e: TurnEvent) => {
      if (e.type === "delta") chunk({ content: e.text }, null);
    },
  });
  if (!run) return true;
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  chunk({ role: "assistant" }, null);
  // A client that goes away stops the run.
  res.on("close", () => {
    if (!res.writableEnded) c.agents.abort(c.sessionKey, run.runId);
  });
  const outcome = await run.done;
  chunk({}, outcome.status === "ok" ? "stop" : "error");
  res.end("data: [DONE]\n\n");
  return true;
}

/** The agent (header, then `model: "openclaw:<id>"`, then the default) and session key of a request. */
function target(
  gateway: GatewayContext,
  headers: IncomingHttpHeaders,
  parsed: z.infer<typeof body>,
): { agentId: string; sessionKey: string } {
  const list = gateway.config().config.agents?.list;
  const named =
    (headers["x-openclaw-agent-id"] as string | undefined) ??
    /^(?:openclaw|agent):(.+)$/.exec(parsed.model ?? "")?.[1];
  const agentId = named === undefined ? resolveDefaultAgentId(list) : resolveKnownAgentId(list, named);
  const explicit = headers["x-openclaw-session-key"] as string | undefined;
  if (explicit !== undefined) {
    const sessionKey = canonicalSessionKey(list, explicit);
    return { agentId: sessionKey.split(":")[1]!, sessionKey };
  }
  return {
    agentId,
    sessionKey: parsed.user
      ? `agent:${agentId}:openai-user:${parsed.user}`
      : `agent:${agentId}:openai:${randomUUID()}`,
  };
}

/** Starts the turn, or answers the refusal (unknown agent 400, full queue 429) and returns false. */
function startRun(res: ServerResponse, agents: AgentRuntime, request: ChatRequest): RunHandle | false {
  try {
    return agents.send(request);
  } catch (err) {
    refuse(res, err);
    return false;
  }
}

function refuse(res: ServerResponse, err: unknown): true {
  if (err instanceof UnknownAgentError || err instanceof InvalidSessionKeyError) {
    error(res, 400, "invalid_request_error", err.message);
    return true;
  }
  if (err instanceof QueueFullError) {
    error(res, 429, "rate_limited", err.message);
    return true;
  }
  throw err;
}
