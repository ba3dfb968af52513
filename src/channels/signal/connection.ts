/**
 * The live Signal connection: a signal-cli daemon (given by `httpUrl`, or started and
 * supervised here), its event stream read with reconnects (resuming by Last-Event-ID),
 * and the sender. Loaded only when the channel starts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type ConnectionHooks, createStartGate } from "../kit.js";
import type { ChannelStatus, OutboundMessage } from "../types.js";
import { type ManagedDaemon, startManagedDaemon } from "./daemon.js";
import { type SignalEnvelope, toInbound } from "./inbound.js";
import type { SignalSettings } from "./index.js";
import { createSender } from "./outbound.js";
import { createSignalRpc, readEvents } from "./rpc.js";

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
  const { started, settle } = gate;
  // The managed daemon reports its own failures (already logged) through this.
  const setStatus = (patch: Partial<ChannelStatus>) => {
    if (gate.failed) return;
    if (patch.state === "error") return void gate.fail(patch.lastError ?? "signal-cli failed", "error");
    hooks.setStatus(patch);
    // start() returns after the first failure; connecting goes on in the background.
    if (patch.lastError) settle();
  };
  let daemon: ManagedDaemon | undefined;
  const baseUrl = (async () => {
    if (settings.httpUrl) return settings.httpUrl;
    daemon = await startManagedDaemon({
      cliPath: settings.cliPath,
      account: settings.account,
      log,
      setStatus,
      ...(settings.daemonBackoff ? { backoff: settings.daemonBackoff } : {}),
    });
    return daemon.url;
  })();
  const sender = baseUrl.then((url) => createSender({ rpc: createSignalRpc(url), settings, log }));

  async function handle(data: string): Promise<void> {
    const parsed = JSON.parse(data) as {
      envelope?: SignalEnvelope;
      params?: { envelope?: SignalEnvelope; result?: { envelope?: SignalEnvelope } };
    };
    // The HTTP daemon sends `{ envelope, account }`; a JSON-RPC notification wraps it in params.
    const envelope = parsed.envelope ?? parsed.params?.envelope ?? parsed.params?.result?.envelope;
    if (!envelope) return;
    const message = toInbound(envelope, settings);
    if (message) await hooks.onMessage(message);
  }

  async function readLoop(): Promise<void> {
    const url = await baseUrl;
    if (daemon) {
      const up = await daemon.ready;
      if (!up.ok) return;
    }
    const eventsUrl = `${url}/api/v1/events?account=${encodeURIComponent(settings.account)}`;
    let lastEventId: string | undefined;
    let delay = settings.reconnect.minMs;
    while (!abort.signal.aborted && !gate.failed) {
      try {
        await readEvents(eventsUrl, {
          signal: abort.signal,
          lastEventId,
          onOpen: () => {
            delay = settings.reconnect.minMs;
            log.info(`connected to signal-cli as ${settings.account}`);
            setStatus({ state: "ready", connected: true, botName: settings.account, lastError: undefined });
            settle();
          },
          onEvent: (event) => {
            if (event.id) lastEventId = event.id;
            if (event.event !== "receive" && event.event !== "message") return;
            handle(event.data).catch((err: Error) =>
              log.error(`handling a receive event failed: ${err.message}`),
            );
          },
        });
        if (abort.signal.aborted) return;
        log.warn("signal-cli closed the event stream; reconnecting");
      } catch (err) {
        if (abort.signal.aborted) return;
        const reason = `cannot read signal-cli events at ${url}: ${describe(err)}`;
        log.warn(`${reason}; retrying in ${Math.round(delay / 100) / 10} s`);
        setStatus({ state: "connecting", connected: false, lastError: reason });
      }
      await sleep(delay, undefined, { signal: abort.signal }).catch(() => undefined);
      delay = Math.min(settings.reconnect.maxMs, delay * 2);
    }
  }

  void readLoop().catch((err: Error) => void gate.fail(`signal channel failed: ${err.message}`));

  return {
    started,
    send: async (out) => (await sender).send(out),
    sendTyping: async (target) => (await sender).sendTyping(target),
    async stop() {
      abort.abort();
      settle();
      await baseUrl.catch(() => undefined);
      await daemon?.stop();
    },
  };
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err as Error).message;
}
