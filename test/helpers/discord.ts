/** Shared setup for the Discord channel tests: the real library against the fake Discord. */

import { createDiscordChannel, type DiscordChannelOptions } from "../../src/channels/discord/index.js";
import type { ChannelAdapter, InboundMessage } from "../../src/channels/types.js";
import { onLogRecord } from "../../src/infra/logger.js";
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  type Injection,
  startFakeDiscord,
} from "../fakes/discord/index.js";

export const GUILD = {
  id: "1100000000000000001",
  name: "Friends of OpenClaw",
  botRoles: ["1100000000000000900"],
  channels: [
    { id: "1100000000000000010", name: "general", type: 0 },
    { id: "1100000000000000011", name: "help", type: 0 },
    { id: "1100000000000000012", name: "a thread", type: 11, parent_id: "1100000000000000010" },
  ],
};
export const GENERAL = GUILD.channels[0]!.id;
export const THREAD = GUILD.channels[2]!.id;
export const ALICE = { id: "1200000000000000001", username: "alice", global_name: "Alice" };
export const BOB = { id: "1200000000000000002", username: "bob" };

/** Inbound messages as a queue the test awaits. */
export class Inbox {
  private readonly queued: InboundMessage[] = [];
  private waiting?: (m: InboundMessage) => void;

  push = (m: InboundMessage): void => {
    if (this.waiting) {
      this.waiting(m);
      this.waiting = undefined;
    } else this.queued.push(m);
  };

  next(): Promise<InboundMessage> {
    const m = this.queued.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

export interface Harness {
  fake: FakeDiscord;
  channel: ChannelAdapter;
  inbox: Inbox;
  /** `[discord]` log records (level and message) since the harness started. */
  logs: { level: string; msg: string }[];
  close(): Promise<void>;
}

export async function startHarness(
  fakeOptions: FakeDiscordOptions & { failFirst?: Injection } = {},
  channelOptions: Partial<DiscordChannelOptions> = {},
): Promise<Harness> {
  const fake = await startFakeDiscord({ guilds: [GUILD], ...fakeOptions });
  if (fakeOptions.failFirst) fake.failNext(fakeOptions.failFirst);
  const logs: Harness["logs"] = [];
  const unsubscribe = onLogRecord((r) => {
    if (r.subsystem === "discord") logs.push({ level: r.level, msg: r.msg });
  });
  const inbox = new Inbox();
  const channel = createDiscordChannel({
    token: fake.token,
    apiBaseUrl: fake.apiBaseUrl,
    onMessage: inbox.push,
    retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 100 },
    ...channelOptions,
  });
  await channel.start();
  return {
    fake,
    channel,
    inbox,
    logs,
    async close() {
      unsubscribe();
      await channel.stop();
      await fake.close();
    },
  };
}
