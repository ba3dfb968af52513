/**
 * The live Slack connection: @slack/web-api's WebClient for the Web API (retries, and
 * 429 `Retry-After` waits, via its retryConfig), and either @slack/socket-mode's client
 * (Socket Mode: hello, acks, `disconnect` refreshes and reconnects are the SDK's) or a
 * signed HTTP events route on the gateway port. Loaded only when the channel starts.
 */
import { LogLevel, type Logger as SlackLogger, WebClient, WebClientEvent } from "@slack/web-api";
import type { Logger } from "../../infra/logger.js";
import { createNodeHttpFetch } from "../../infra/node-http-fetch.js";
import { connectBackoffMs, createStartGate, type StartGate } from "../kit.js";
import type { ChannelConnection } from "../lazy-adapter.js";
import { slackEventsRoute } from "./events-http.js";
import { createInboundMapper, type SlackMessageEvent } from "./inbound.js";
import type { SlackSettings } from "./index.js";
import { FATAL_AUTH, type Live, ready, type SlackHooks, type TransportDeps } from "./live.js";
import { createSender, describeSlackError, slackErrorCode } from "./outbound.js";

export function connectSlack(settings: SlackSettings, hooks: SlackHooks): ChannelConnection {
  const { log } = hooks;
  const logger = sdkLogger(log);
  // A few small API calls must not cost the process Node's fetch (its WebAssembly HTTP
  // parser, once optimized, keeps ~8-13 MB): node:http's parser is loaded already.
  const fetch = createNodeHttpFetch();
  const web = new WebClient(settings.botToken, {
    slackApiUrl: settings.apiUrl,
    fetch,
    logger,
    // p-retry options: attempts in all = retries + 1; a 429 waits Retry-After before its retry.
    retryConfig: {
      retries: settings.retry.attempts - 1,
      factor: 2,
      minTimeout: settings.retry.minDelayMs,
      maxTimeout: settings.retry.maxDelayMs,
    },
  });
  web.on(WebClientEvent.RATE_LIMITED, (seconds: number, { url }: { url: string }) =>
    log.warn(`Slack rate limit on ${url.replace(settings.apiUrl, "")}: waiting ${seconds} s (Retry-After)`),
  );
  const live: Live = { stopped: false };
  const gate = createStartGate(hooks);
  const inbound = createInboundMapper({
    settings,
    bot: () => live.bot,
    userName: async (user) => {
      const info = await web.users.info({ user });
      return info.user?.profile?.display_name || info.user?.real_name || info.user?.name;
    },
  });
  const sender = createSender({ web, settings, log, ...inbound });
  const handleEvent = (event: SlackMessageEvent | undefined) => {
    if (!event) return;
    inbound
      .toInbound(event)
      .then((message) => (message ? hooks.onMessage(message) : undefined))
      .catch((err: Error) => log.error(`handling a Slack ${event.type} event failed: ${err.message}`));
  };
  const transport = startTransport(settings, hooks, { gate, live, handleEvent, logger, fetch });
  void (async () => {
    if (!(await authenticate(web, settings, hooks, gate, live))) return;
    await (await transport).start();
  })();
  return {
    started: gate.started,
    send: (out) => sender.send(out),
    // Slack has no typing indicator for bot messages outside assistant threads.
    sendTyping: async () => {},
    async stop() {
      live.stopped = true;
      gate.settle();
      await (await transport).stop();
    },
  };
}

/** auth.test until it answers: who the bot is; false when the token is refused or we stopped. */
async function authenticate(
  web: WebClient,
  settings: SlackSettings,
  hooks: SlackHooks,
  gate: StartGate,
  live: Live,
): Promise<boolean> {
  for (let attempt = 1; !live.stopped; attempt++) {
    try {
      const me = await web.auth.test();
      live.bot = { userId: me.user_id ?? "", botId: me.bot_id, name: me.user ?? "slack bot" };
      hooks.setStatus({ botId: live.bot.userId, botName: live.bot.name });
      return true;
    } catch (err) {
      const fatal = FATAL_AUTH[slackErrorCode(err) ?? ""];
      if (fatal) {
        gate.fail(fatal);
        return false;
      }
      const delay = connectBackoffMs(attempt);
      const reason = `cannot reach Slack at ${settings.apiUrl}: ${describeSlackError(err)}`;
      hooks.log.warn(`${reason}; retrying in ${Math.round(delay / 1000)} s`);
      hooks.setStatus({ state: "connecting", connected: false, lastError: reason });
      gate.settle();
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
  return false;
}

interface Transport {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** HTTP events, or Socket Mode (its SDK and WebSocket client loaded only in that mode). */
async function startTransport(
  settings: SlackSettings,
  hooks: SlackHooks,
  deps: TransportDeps,
): Promise<Transport> {
  const t = settings.transport;
  if (t.mode === "http") {
    let remove: (() => void) | undefined;
    return {
      async start() {
        remove = hooks.registerRoute!(
          slackEventsRoute({
            path: t.path,
            signingSecret: t.signingSecret,
            onEnvelope: (body) => {
              if (body.type === "event_callback") deps.handleEvent(body.event as SlackMessageEvent);
            },
          }),
        );
        ready(hooks, deps, `slack events served at ${t.path}`);
      },
      async stop() {
        remove?.();
      },
    };
  }
  const { startSocketTransport } = await import("./socket.js");
  return startSocketTransport(settings, t.appToken, hooks, deps);
}

/**
 * The SDK's log lines go to our debug level: the connection reports what matters itself.
 * INFO, not DEBUG, so the SDK skips serializing every frame for its debug lines.
 */
export function sdkLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const line = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : String(a))).join(" ");
  return {
    debug: (...args) => log.debug(line(args)),
    info: (...args) => log.debug(line(args)),
    warn: (...args) => log.debug(line(args)),
    error: (...args) => log.debug(line(args)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
