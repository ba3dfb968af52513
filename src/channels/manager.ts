import path from "node:path";
import type { OutboundPort, OutboundTarget } from "../agents/outbound.js";
import type { AgentRuntime } from "../agents/runtime.js";
import { configErrorMap, formatIssues } from "../config/issues.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { HttpRoute } from "../infra/http.js";
import { createLogger } from "../infra/logger.js";
import { PairingStore } from "../routing/pairing.js";
import type { ChannelPolicyConfig } from "../routing/policy.js";
import { BUILTIN_CHANNELS, type ChannelDefinition } from "./registry.js";
import { createChannelRouter, type RouterConfig } from "./router.js";
import type { ChannelAdapter, ChannelFactory, ChannelStatus } from "./types.js";

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
  private readonly builtins = new Map<string, ChannelDefinition>();
  /**
   * Why a wanted channel is not running (its factory or start threw), with the section it
   * failed with: tried again only when that section changes, not on every unrelated reload.
   */
  private readonly failures = new Map<string, { sentence: string; fingerprint: string }>();
  /** Channels an operator stopped (`channels.stop`): config syncs leave them stopped until `start`. */
  private readonly held = new Set<string>();

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
      /**
       * Replaces built-in channels' factories (tests run adapters on fake transports); the
       * section is still parsed by the channel's schema first.
       */
      factories?: Readonly<Record<string, ChannelFactory<never>>>;
    },
  ) {
    for (const def of BUILTIN_CHANNELS) {
      const create = opts.factories?.[def.name] as ChannelDefinition["create"] | undefined;
      this.builtins.set(def.name, create ? { ...def, create } : def);
    }
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
    if (this.builtins.has(channel) || this.pluginFactories.has(channel)) {
      throw new Error(`channel ${channel} already exists`);
    }
    this.pluginFactories.set(channel, factory);
    return async () => {
      if (this.pluginFactories.get(channel) !== factory) return;
      this.pluginFactories.delete(channel);
      await this.stopChannel(channel);
    };
  }

  /** Every channel this gateway can run: the built-in ones, then the plugins' (for RPC checks). */
  channelNames(): string[] {
    return [...this.builtins.keys(), ...this.pluginFactories.keys()];
  }

  /**
   * Starts, stops or restarts channels to match the current config. Never rejects because
   * of one channel: a channel that cannot start is logged and reported failed in status(),
   * and the others (and whatever waits for sync, such as the journal replay) carry on.
   */
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
    for (const [channel, failure] of this.failures) {
      if (wanted.get(channel) !== failure.fingerprint) this.failures.delete(channel);
    }
    await Promise.all(
      [...wanted]
        .filter(([c]) => !this.running.has(c) && !this.failures.has(c) && !this.held.has(c))
        .map(([channel, fp]) => this.startChannel(channel, fp)),
    );
  }

  /**
   * Starts a configured channel an operator stopped, or retries one that failed to start.
   * Resolves with its state afterwards; a channel that is not configured (or is disabled)
   * is refused with the key to set.
   */
  async start(channel: string): Promise<{ outcome: "started" | "already-running" | "failed" }> {
    const section = this.section(channel);
    if ((!section && !this.pluginFactories.has(channel)) || section?.enabled === false) {
      throw new Error(
        `${channel} is not configured or is disabled: set channels.${channel}.enabled to true first`,
      );
    }
    this.held.delete(channel);
    if (this.running.has(channel)) return { outcome: "already-running" };
    this.failures.delete(channel);
    await this.startChannel(channel, JSON.stringify(section ?? {}));
    return { outcome: this.running.has(channel) ? "started" : "failed" };
  }

  /** Stops a channel and keeps it stopped across config changes until `start` (or a restart). */
  async stop(channel: string): Promise<boolean> {
    this.held.add(channel);
    if (!this.running.has(channel)) return false;
    await this.stopChannel(channel);
    return true;
  }

  /** Every channel this gateway knows, configured or not, with its state. */
  status(): ChannelReport[] {
    return this.channelNames().map((channel) => {
      const section = this.section(channel);
      const running = this.running.get(channel);
      const failure = this.failures.get(channel);
      const status: ChannelStatus =
        running?.adapter.status() ??
        (failure !== undefined
          ? { state: "error", connected: false, lastError: failure.sentence }
          : { state: "stopped", connected: false });
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

  /**
   * The built-in factory bound to its section as the channel's schema parses it: the
   * loaded config was parsed already, so this only fails for a section that reached us
   * some other way; it fails as the config loader would, naming the key.
   */
  private parsedFactory(channel: string, def: ChannelDefinition, raw: unknown): ChannelFactory {
    const schema = def.section();
    const parsed = schema.safeParse(raw, { error: configErrorMap });
    if (!parsed.success) {
      throw new Error(
        `invalid config: ${formatIssues(parsed.error.issues, raw, schema, [], ["channels", channel]).join("; ")}`,
      );
    }
    return (ctx) => def.create({ ...ctx, section: parsed.data as never });
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
    let adapter: ChannelAdapter | undefined;
    try {
      adapter = await this.createAdapter(channel);
      if (!adapter) return;
      this.running.set(channel, { adapter, fingerprint });
      this.opts.onPending?.(channel, "connecting");
      await adapter.start();
    } catch (err) {
      this.recordFailure(channel, fingerprint, err);
      if (adapter && this.running.get(channel)?.adapter === adapter) {
        this.running.delete(channel);
        await adapter.stop().catch(() => undefined);
      }
      this.opts.onSettled?.(channel);
      return;
    }
    // Still connecting keeps the gateway unready; ready, failed, or idle by design (a
    // WhatsApp account not linked yet) does not.
    const status = adapter.status();
    if (status.state !== "connecting") this.opts.onSettled?.(channel);
    else this.opts.onPending?.(channel, status.lastError ?? "connecting");
  }

  /** One line on the console (the stack only at debug level, i.e. in a debug log file). */
  private recordFailure(channel: string, fingerprint: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const sentence = message.startsWith(channel) ? message : `${channel}: ${message}`;
    this.failures.set(channel, { sentence, fingerprint });
    log.error(`${channel} failed to start: ${message}`);
    if (err instanceof Error && err.stack) log.debug(`${channel} start failure stack: ${err.stack}`);
  }

  private async stopChannel(channel: string): Promise<void> {
    const running = this.running.get(channel);
    this.running.delete(channel);
    this.opts.onSettled?.(channel);
    await running?.adapter.stop().catch((err: Error) => log.warn(`${channel} stop: ${err.message}`));
  }

  private async createAdapter(channel: string): Promise<ChannelAdapter | undefined> {
    const raw = this.section(channel) ?? {};
    const builtin = this.builtins.get(channel);
    const factory = builtin ? this.parsedFactory(channel, builtin, raw) : this.pluginFactories.get(channel);
    if (!factory) return undefined;
    return factory({
      config: this.opts.config(),
      section: raw,
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
