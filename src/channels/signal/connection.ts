/**
 * The live Signal connection: a signal-cli daemon (given by `httpUrl`, or started and
 * supervised here), its event stream read with reconnects (resuming by Last-Event-ID),
 * and the sender. Loaded only when the channel starts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type ConnectionHooks, createStartGate, type StartGate } from "../kit.js";
import type { ChannelStatus, OutboundMessage } from "../types.js";
import { type ManagedDaemon, startManagedDaemon } from "./daemon.js";
import { type SignalEnvelope, toInbound } from "./inbound.js";
import type { SignalSettings } from "./index.js";
import { createSender } from "./outbound.js";
import { createSignalRpc, readEvents, type SignalRpc } from "./rpc.js";

export interface SignalConnection {
  /** Settles once the stream is open, failed for good, or after a first failed attempt. */
  started: Promise<void>;
  send(out: OutboundMessage): Promise<{ messageIds: string[] }>;
  sendTyping: ReturnType<typeof createSender>["sendTyping"];
  stop(): Promise<void>;
}

export function connectSignal(settings: SignalSettings, hooks: ConnectionHooks): SignalConnection {
  const { log } = hooks;
  const abort = new AbortController();
  const gate = createStartGate(hooks);
  const setStatus = gatedStatus(hooks, gate);
  const endpoint = openEndpoint(settings, log, setStatus);
  const sender = endpoint.then(({ url }) => createSender({ rpc: createSignalRpc(url), settings, log }));
  const ctx: ReadContext = { settings, hooks, gate, setStatus, signal: abort.signal };

  void readLoop(ctx, endpoint).catch((err: Error) => void gate.fail(`signal channel failed: ${err.message}`));

  return {
    started: gate.started,
    send: async (out) => (await sender).send(out),
    sendTyping: async (target) => (await sender).sendTyping(target),
    async stop() {
      abort.abort();
      gate.settle();
      const opened = await endpoint.catch(() => undefined);
      await opened?.daemon?.stop();
    },
  };
}

type StatusPatch = Partial<ChannelStatus>;

/** Status reports, through the start gate: an "error" gives up for good, a lastError lets start() return. */
function gatedStatus(hooks: ConnectionHooks, gate: StartGate): (patch: StatusPatch) => void {
  // The managed daemon reports its own failures (already logged) through this.
  return (patch) => {
    if (gate.failed) return;
    if (patch.state === "error") return void gate.fail(patch.lastError ?? "signal-cli failed", "error");
    hooks.setStatus(patch);
    // start() returns after the first failure; connecting goes on in the background.
    if (patch.lastError) gate.settle();
  };
}

/** The daemon's base URL: the configured one, or that of a daemon started here. */
async function openEndpoint(
  settings: SignalSettings,
  log: ConnectionHooks["log"],
  setStatus: (patch: StatusPatch) => void,
): Promise<{ url: string; daemon?: ManagedDaemon }> {
  if (settings.httpUrl) return { url: settings.httpUrl };
  const daemon = await startManagedDaemon({
    cliPath: settings.cliPath,
    account: settings.account,
    log,
    setStatus,
    ...(settings.daemonBackoff ? { backoff: settings.daemonBackoff } : {}),
  });
  return { url: daemon.url, daemon };
}

interface ReadContext {
  settings: SignalSettings;
  hooks: ConnectionHooks;
  gate: StartGate;
  setStatus(patch: StatusPatch): void;
  signal: AbortSignal;
}

/** Reads the event stream until stopped, reconnecting with backoff and resuming by Last-Event-ID. */
async function readLoop(ctx: ReadContext, endpoint: Promise<{ url: string; daemon?: ManagedDaemon }>) {
  const { settings, gate, setStatus, signal } = ctx;
  const { log } = ctx.hooks;
  const { url, daemon } = await endpoint;
  const rpc = createSignalRpc(url);
  if (daemon) {
    const up = await daemon.ready;
    if (!up.ok) return;
  }
  const eventsUrl = `${url}/api/v1/events?account=${encodeURIComponent(settings.account)}`;
  let lastEventId: string | undefined;
  let delay = settings.reconnect.minMs;
  while (!signal.aborted && !gate.failed) {
    try {
      await readEvents(eventsUrl, {
        signal,
        lastEventId,
        onOpen: () => {
          delay = settings.reconnect.minMs;
          log.info(`connected to signal-cli as ${settings.account}`);
          setStatus({ state: "ready", connected: true, botName: settings.account, lastError: undefined });
          gate.settle();
        },
        onEvent: (event) => {
          if (event.id) lastEventId = event.id;
          if (event.event !== "receive" && event.event !== "message") return;
          handleReceive(ctx, rpc, event.data).catch((err: Error) =>
            log.error(`handling a receive event failed: ${err.message}`),
          );
        },
      });
      if (signal.aborted) return;
      log.warn("signal-cli closed the event stream; reconnecting");
    } catch (err) {
      if (signal.aborted) return;
      const reason = `cannot read signal-cli events at ${url}: ${describe(err)}`;
      log.warn(`${reason}; retrying in ${Math.round(delay / 100) / 10} s`);
      setStatus({ state: "connecting", connected: false, lastError: reason });
    }
    await sleep(delay, undefined, { signal }).catch(() => undefined);
    delay = Math.min(settings.reconnect.maxMs, delay * 2);
  }
}

async function handleReceive(ctx: ReadContext, rpc: SignalRpc, data: string): Promise<void> {
  const parsed = JSON.parse(data) as {
    envelope?: SignalEnvelope;
    params?: { envelope?: SignalEnvelope; result?: { envelope?: SignalEnvelope } };
  };
  // The HTTP daemon sends `{ envelope, account }`; a JSON-RPC notification wraps it in params.
  const envelope = parsed.envelope ?? parsed.params?.envelope ?? parsed.params?.result?.envelope;
  if (!envelope) return;
  const message = toInbound(envelope, { ...ctx.settings, rpc });
  if (message) await ctx.hooks.onMessage(message);
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err as Error).message;
}
