/**
 * The live Telegram connection on grammY: getMe, then long polling (grammY's built-in
 * `bot.start`) or, with a webhook URL, setWebhook plus a route on the gateway port.
 * Loaded only when the channel starts. grammY's web build runs on Node's own fetch,
 * so no node-fetch or abort-controller polyfills are loaded.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Update, UserFromGetMe } from "grammy/types";
import { Bot, GrammyError, InputFile } from "grammy/web";
import type { HttpRoute } from "../../infra/http.js";
import {
  type ConnectionHooks as BaseHooks,
  connectBackoffMs,
  createStartGate,
  type StartGate,
} from "../kit.js";
import type { ChannelStatus, OutboundMessage, SendTyping } from "../types.js";
import { createInboundMapper } from "./inbound.js";
import type { TelegramSettings } from "./index.js";
import { createSender } from "./outbound.js";
import { webhookRoute } from "./webhook.js";

const BAD_TOKEN =
  "Telegram rejected the bot token: ask @BotFather for the token of your bot (/token), set it as TELEGRAM_BOT_TOKEN (or channels.telegram.botToken), then restart the gateway.";
const CONFLICT =
  "Telegram refused long polling because another process is polling with this bot token (or a webhook is set by another tool): stop the other instance, or revoke the token with @BotFather.";
/** bot.stop() confirms the update offset with one last getUpdates; it must not hold up shutdown. */
const STOP_DEADLINE_MS = 2000;

export interface ConnectionHooks extends BaseHooks {
  registerRoute?: (route: HttpRoute) => () => void;
}

export interface TelegramConnection {
  /** Settles once ready, failed for good, or after a first failed attempt (never rejects). */
  started: Promise<void>;
  send(out: OutboundMessage): Promise<{ messageIds: string[] }>;
  sendTyping: SendTyping;
  stop(): Promise<void>;
}

export function connectTelegram(settings: TelegramSettings, hooks: ConnectionHooks): TelegramConnection {
  const bot = new Bot(settings.token, { client: { apiRoot: settings.apiRoot } });
  const aborted = new AbortController();
  const ctx: TelegramContext = {
    settings,
    hooks,
    bot,
    gate: createStartGate(hooks),
    aborted,
    // grammY types signals with its polyfill's AbortSignal; Node's own is what it uses at runtime.
    signal: aborted.signal as Parameters<typeof bot.api.getMe>[0],
    live: {},
  };
  const inbound = createInboundMapper({
    accountId: settings.accountId,
    bot: () => ctx.live.me,
    fileUrl: async (fileId) => {
      const file = await bot.api.getFile(fileId);
      return `${settings.apiRoot}/file/bot${settings.token}/${file.file_path}`;
    },
  });
  const sender = createSender({
    api: bot.api,
    settings,
    log: hooks.log,
    inputFile: (data, name) => new InputFile(data, name),
  });

  bot.on("message", async (update) => {
    const message = await inbound.toInbound(update.message);
    if (message) await hooks.onMessage(message);
  });
  bot.catch((err) =>
    hooks.log.error(`handling update ${err.ctx.update.update_id} failed: ${String(err.error)}`),
  );
  watchPolling(ctx);
  void connect(ctx);

  return {
    started: ctx.gate.started,
    send: (out) => sender.send(out),
    sendTyping: (target, threadId) => sender.sendTyping(target, threadId),
    stop: () => stopConnection(ctx),
  };
}

interface TelegramContext {
  settings: TelegramSettings;
  hooks: ConnectionHooks;
  bot: Bot;
  gate: StartGate;
  aborted: AbortController;
  signal: Parameters<Bot["api"]["getMe"]>[0];
  /** Learnt while connecting: who we are, and how to take the webhook route down. */
  live: { me?: UserFromGetMe; unregisterRoute?: () => void };
}

const isStopped = (ctx: TelegramContext) => ctx.aborted.signal.aborted;

const readyStatus = (me: UserFromGetMe | undefined): Partial<ChannelStatus> => ({
  state: "ready",
  connected: true,
  botId: String(me?.id),
  botName: me?.username,
  lastError: undefined,
});

/**
 * Long polling health: a failing getUpdates means "connecting" (grammY retries it
 * every 3 s); logged once when it starts failing and once when it recovers.
 */
function watchPolling(ctx: TelegramContext): void {
  const { log, setStatus } = ctx.hooks;
  let pollingFailing = false;
  const pollOutcome = (error: string | undefined) => {
    if (isStopped(ctx) || ctx.gate.failed) return;
    if (error === undefined) {
      if (pollingFailing) log.info("long polling works again");
      pollingFailing = false;
      return setStatus(readyStatus(ctx.live.me));
    }
    if (!pollingFailing) log.warn(`long polling failed: ${error}; retrying`);
    pollingFailing = true;
    setStatus({ state: "connecting", connected: false, lastError: error });
  };
  ctx.bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const res = await prev(method, payload, signal);
      pollOutcome(res.ok ? undefined : res.description);
      return res;
    } catch (err) {
      pollOutcome((err as Error).message);
      throw err;
    }
  });
}

/** Runs `call` until it succeeds, backing off on transient failures; undefined when given up. */
async function untilDone<T>(
  ctx: TelegramContext,
  what: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  const { gate, settings } = ctx;
  const { log, setStatus } = ctx.hooks;
  for (let attempt = 1; !isStopped(ctx) && !gate.failed; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (isStopped(ctx)) return undefined;
      if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
        gate.fail(BAD_TOKEN);
        return undefined;
      }
      if (err instanceof GrammyError && err.error_code < 500 && err.error_code !== 429) {
        gate.fail(`Telegram refused to ${what}: ${err.description}`);
        return undefined;
      }
      const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
      const delay = retryAfter ? retryAfter * 1000 : connectBackoffMs(attempt);
      const reason = `cannot ${what} at ${settings.apiRoot}: ${(err as Error).message}`;
      log.warn(`${reason}; retrying in ${Math.round(delay / 1000)} s`);
      setStatus({ state: "connecting", connected: false, lastError: reason });
      gate.settle(); // start() returns; connecting goes on in the background.
      await sleep(delay, undefined, { signal: ctx.aborted.signal }).catch(() => undefined);
    }
  }
  return undefined;
}

async function connect(ctx: TelegramContext): Promise<void> {
  const { bot, settings } = ctx;
  const me = await untilDone(ctx, "log in (getMe)", () => bot.api.getMe(ctx.signal));
  ctx.live.me = me;
  if (!me) return;
  bot.botInfo = me;
  ctx.hooks.log.info(`logged in to telegram as ${me.username}`);
  if (settings.webhook) return startWebhook(ctx, settings.webhook);
  startPolling(ctx);
}

function startPolling(ctx: TelegramContext): void {
  ctx.bot
    .start({
      allowed_updates: ["message"],
      timeout: ctx.settings.pollTimeoutSeconds,
      onStart: () => {
        ctx.hooks.setStatus(readyStatus(ctx.live.me));
        ctx.gate.settle();
      },
    })
    .catch((err: unknown) => {
      if (isStopped(ctx)) return;
      const code = err instanceof GrammyError ? err.error_code : 0;
      ctx.gate.fail(
        code === 401
          ? BAD_TOKEN
          : code === 409
            ? CONFLICT
            : `long polling stopped: ${(err as Error).message}`,
      );
    });
}

async function startWebhook(
  ctx: TelegramContext,
  webhook: NonNullable<TelegramSettings["webhook"]>,
): Promise<void> {
  const { bot, hooks } = ctx;
  try {
    ctx.live.unregisterRoute = hooks.registerRoute!(
      webhookRoute({
        path: webhook.path,
        secret: webhook.secret,
        onUpdate: (update) => {
          bot
            .handleUpdate(update as Update)
            .catch((err: Error) => hooks.log.error(`handling an update failed: ${err.message}`));
        },
      }),
    );
  } catch (err) {
    return void ctx.gate.fail(`cannot serve the webhook at ${webhook.path}: ${(err as Error).message}`);
  }
  const done = await untilDone(ctx, "set the webhook (setWebhook)", () =>
    bot.api.setWebhook(
      webhook.url,
      { secret_token: webhook.secret, allowed_updates: ["message"] },
      ctx.signal,
    ),
  );
  if (!done) return;
  hooks.log.info(`webhook set: Telegram posts updates to ${webhook.url} (served at ${webhook.path})`);
  hooks.setStatus(readyStatus(ctx.live.me));
  ctx.gate.settle();
}

async function stopConnection(ctx: TelegramContext): Promise<void> {
  ctx.aborted.abort();
  ctx.gate.settle();
  ctx.live.unregisterRoute?.();
  if (!ctx.bot.isRunning()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ctx.bot.stop().catch((err: Error) => ctx.hooks.log.debug(`stopping long polling: ${err.message}`)),
    new Promise((resolve) => (timer = setTimeout(resolve, STOP_DEADLINE_MS))),
  ]);
  clearTimeout(timer);
}
