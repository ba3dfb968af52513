/** Shared setup for the Telegram channel tests: grammY against the fake Bot API. */

import { createTelegramChannel, type TelegramChannelOptions } from "../../src/channels/telegram/index.js";
import type { ChannelAdapter } from "../../src/channels/types.js";
import type { HttpRoute } from "../../src/infra/http.js";
import { onLogRecord } from "../../src/infra/logger.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram/index.js";
import { Inbox } from "./discord.js";

export { Inbox };

export interface TelegramHarness {
  fake: FakeTelegram;
  channel: ChannelAdapter;
  inbox: Inbox;
  /** Routes the channel registered on the (absent) gateway HTTP server. */
  routes: Set<HttpRoute>;
  /** `[telegram]` log records since the harness started. */
  logs: { level: string; msg: string }[];
  /** The next `[telegram]` log record (after now) whose message matches. */
  nextLog(pattern: RegExp): Promise<{ level: string; msg: string }>;
  close(): Promise<void>;
}

export async function startTelegramHarness(
  channelOptions: Partial<TelegramChannelOptions> = {},
  fake?: FakeTelegram,
): Promise<TelegramHarness> {
  const f = fake ?? (await startFakeTelegram());
  const logs: TelegramHarness["logs"] = [];
  const logWaiters = new Set<{ pattern: RegExp; resolve(r: { level: string; msg: string }): void }>();
  const unsubscribe = onLogRecord((r) => {
    if (r.subsystem !== "telegram") return;
    const record = { level: r.level, msg: r.msg };
    logs.push(record);
    for (const w of logWaiters) {
      if (w.pattern.test(r.msg)) {
        logWaiters.delete(w);
        w.resolve(record);
      }
    }
  });
  const inbox = new Inbox();
  const routes = new Set<HttpRoute>();
  const channel = createTelegramChannel({
    token: f.token,
    apiRoot: f.apiRoot,
    onMessage: inbox.push,
    retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 100 },
    pollTimeoutSeconds: 5,
    registerRoute: (route) => {
      routes.add(route);
      return () => routes.delete(route);
    },
    ...channelOptions,
  });
  await channel.start();
  return {
    fake: f,
    channel,
    inbox,
    routes,
    logs,
    nextLog: (pattern) => new Promise((resolve) => logWaiters.add({ pattern, resolve })),
    async close() {
      unsubscribe();
      await channel.stop();
      await f.close();
    },
  };
}
