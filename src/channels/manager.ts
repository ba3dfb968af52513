import path from "node:path";
import type { OutboundPort, OutboundTarget } from "../agents/outbound.js";
import type { AgentRuntime } from "../agents/runtime.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { HttpRoute } from "../infra/http.js";
import { createLogger } from "../infra/logger.js";
import { PairingStore } from "../routing/pairing.js";
import type { ChannelPolicyConfig } from "../routing/policy.js";
import { CHANNEL_FACTORIES, type ChannelFactory } from "./registry.js";
import { createChannelRouter, type RouterConfig } from "./router.js";
import type { ChannelAdapter, ChannelStatus } from "./types.js";

const log = createLogger("channels");

export interface ChannelReport extends ChannelStatus {
  channel: string;
  accountId: string;
  /** Whether `channels.<name>` exists in the config. */
  configured: boolean;
  enabled: boolean;
}

interface Running {
  adapter: ChannelAdapter;
  /** The config section it was started with, to see whether a reload changed it. */
  fingerprint: string;
}

/**
 * Starts the chat channels the config enables (a section that exists and is not
 * `enabled: false`), each library loaded only then, routes their messages to the
 * agents, and restarts a channel whose section changed on reload.
 */
export class ChannelManager implements OutboundPort {
  private readonly running = new Map<string, Running>();
  private readonly pairingStores = new Map<string, PairingStore>();
  private readonly seen = new RecentIds(5000);
  private readonly route: ReturnType<typeof createChannelRouter>;
  /** Channels plugins added; they start without a `channels.<name>` section. */
  private readonly pluginFactories = new Map<string, ChannelFactory>();
  private readonly factories: Readonly<Record<string, ChannelFactory>>;

  constructor(
    private readonly opts: {
      config: () => OpenClawConfig;
      runtime: AgentRuntime;
      stateDir: string;
      env?: NodeJS.ProcessEnv;
      /** Readiness hooks: a channel is pending until started (or given up). */
      onPending?: (channel: string, reason: string) => void;
      onSettled?: (channel: string) => void;
      /** Adds a route to the gateway's HTTP server (webhook channels); returns its remover. */
      registerRoute?: (route: HttpRoute) => () => void;
      /** Every channel's factory (default: the built-in ones); tests swap in adapters on fake transports. */
      factories?: Readonly<Record<string, ChannelFactory>>;
    },
  ) {
    this.factories = opts.factories ?? CHANNEL_FACTORIES;
    this.route = createChannelRouter({
      runtime: opts.runtime,
      config: () => opts.config() as RouterConfig,
      // A plugin's channel may have no `channels.<name>` section: the defaults apply.
      channelConfig: (channel) => (this.section(channel) ?? {}) as ChannelPolicyConfig,
      pairing: (channel) => this.pairing(channel),
      log,
    });
  }

  pairing(channel: string): PairingStore {
    let store = this.pairingStores.get(channel);
    if (!store) {
      store = new PairingStore(path.join(this.opts.stateDir, "credentials"), channel);
      this.pairingStores.set(channel, store);
    }
    return store;
  }

  /** A channel from a plugin; returns the function that stops and removes it again. */
  addFactory(channel: string, factory: ChannelFactory): () => Promise<void> {
    if (this.factories[channel] || this.pluginFactories.has(channel)) {
      throw new Error(`channel ${channel} already exists`);
    }
    this.pluginFactories.set(channel, factory);
    return async () => {
      if (this.pluginFactories.get(channel) !== factory) return;
      this.pluginFactories.delete(channel);
      await this.stopChannel(channel);
    };
  }

  private factory(channel: string): ChannelFactory | undefined {
    return this.factories[channel] ?? this.pluginFactories.get(channel);
  }

  private channelNames(): string[] {
    return [...Object.keys(this.factories), ...this.pluginFactories.keys()];
  }

  /** Starts, stops or restarts channels to match the current config. */
  async sync(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const channel of this.channelNames()) {
      const section = this.section(channel);
      const fromPlugin = this.pluginFactories.has(channel);
      if ((section || fromPlugin) && section?.enabled !== false)
        wanted.set(channel, JSON.stringify(section ?? {}));
    }
    for (const [channel, running] of this.running) {
      if (wanted.get(channel) !== running.fingerprint) await this.stopChannel(channel);
    }
    await Promise.all(
      [...wanted]
        .filter(([channel]) => !this.running.has(channel))
        .map(([channel, fp]) => this.startChannel(channel, fp)),
    );
  }

  /** Every channel this gateway knows, configured or not, with its state. */
  status(): ChannelReport[] {
    return this.channelNames().map((channel) => {
      const section = this.section(channel);
      const running = this.running.get(channel);
      const status = running?.adapter.status() ?? { state: "stopped" as const, connected: false };
      return {
        channel,
        accountId: "default",
        configured: section !== undefined || this.pluginFactories.has(channel),
        enabled: (section !== undefined || this.pluginFactories.has(channel)) && section?.enabled !== false,
        ...status,
      };
    });
  }

  /** The running adapter of a channel (for channel-specific RPCs such as a WhatsApp login). */
  adapter(channel: string): ChannelAdapter | undefined {
    return this.running.get(channel)?.adapter;
  }

  /**
   * The agents' outbound port: sends to a chat (`direct:<id>`, `group:<id>`,
   * `channel:<id>`) of a running channel, in the thread and as a reply to the message the
   * target names. One account runs per channel, so `accountId` needs no choosing here.
   */
  async send(target: OutboundTarget, message: { text: string }): Promise<{ messageIds: string[] }> {
    const [kind, id] = target.to.split(/:(.*)/s);
    if (!id || (kind !== "direct" && kind !== "group" && kind !== "channel")) {
      throw new Error(
        `cannot send to "${target.to}": use direct:<id> (or user:<id>), group:<id> or channel:<id>`,
      );
    }
    const adapter = this.running.get(target.channel)?.adapter;
    if (!adapter)
      throw new Error(`channel ${target.channel} is not running: enable channels.${target.channel}`);
    return adapter.send({
      target: { kind, id },
      text: message.text,
      ...(target.threadId ? { threadId: target.threadId } : {}),
      ...(target.replyToId ? { replyToMessageId: target.replyToId } : {}),
    });
  }

  /** Disconnects a channel until the next restart or config change. */
  async logout(channel: string): Promise<boolean> {
    if (!this.running.has(channel)) return false;
    await this.stopChannel(channel);
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((c) => this.stopChannel(c)));
  }

  private section(channel: string): (Record<string, unknown> & { enabled?: boolean }) | undefined {
    return (this.opts.config().channels as Record<string, Record<string, unknown>> | undefined)?.[channel];
  }

  private async startChannel(channel: string, fingerprint: string): Promise<void> {
    const adapter = await this.createAdapter(channel);
    if (!adapter) return;
    this.running.set(channel, { adapter, fingerprint });
    this.opts.onPending?.(channel, "connecting");
    try {
      await adapter.start();
    } catch (err) {
      log.error(`${channel} failed to start: ${(err as Error).message}`);
    }
    // Still connecting keeps the gateway unready; ready, failed, or idle by design (a
    // WhatsApp account not linked yet) does not.
    const status = adapter.status();
    if (status.state !== "connecting") this.opts.onSettled?.(channel);
    else this.opts.onPending?.(channel, status.lastError ?? "connecting");
  }

  private async stopChannel(channel: string): Promise<void> {
    const running = this.running.get(channel);
    this.running.delete(channel);
    this.opts.onSettled?.(channel);
    await running?.adapter.stop().catch((err: Error) => log.warn(`${channel} stop: ${err.message}`));
  }

  private async createAdapter(channel: string): Promise<ChannelAdapter | undefined> {
    const factory = this.factory(channel);
    if (!factory) return undefined;
    return factory({
      config: this.opts.config(),
      section: this.section(channel) ?? {},
      env: this.opts.env ?? process.env,
      stateDir: this.opts.stateDir,
      log: createLogger(channel),
      registerRoute: (route) => {
        if (!this.opts.registerRoute) throw new Error("this gateway serves no HTTP routes for channels");
        return this.opts.registerRoute(route);
      },
      onMessage: (adapter, msg) => {
        // Chat apps may deliver an event twice (a resumed connection replaying): answer once.
        if (this.seen.has(`${channel}:${msg.accountId}:${msg.messageId}`)) {
          log.debug(`${channel} message ${msg.messageId} delivered twice; ignored`);
          return;
        }
        this.seen.add(`${channel}:${msg.accountId}:${msg.messageId}`);
        // Each message is handled on its own; one failure never stops the channel.
        void this.route(adapter, msg).catch((err: Error) =>
          log.error(`${channel} message ${msg.messageId}: ${err.stack ?? err.message}`),
        );
      },
    });
  }
}

/** A bounded set of recently seen ids (oldest dropped first). */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }
}
