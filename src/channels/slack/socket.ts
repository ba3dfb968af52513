/**
 * Socket Mode: the SDK's client opens the WebSocket (`apps.connections.open` with the
 * App-Level Token), answers pings, acks envelopes and reacts to `disconnect` refreshes.
 * Restarts are ours, as in OpenClaw: a dropped or refused session is started again
 * after a pause (from reconnectMinMs, doubling up to 30 s); a refused token stops for good.
 */
import { SocketModeClient } from "@slack/socket-mode";
import type { SlackMessageEvent } from "./inbound.js";
import type { SlackSettings } from "./index.js";
import { FATAL_AUTH, ready, type SlackHooks, type TransportDeps } from "./live.js";
import { describeSlackError, slackErrorCode } from "./outbound.js";

/** OpenClaw's cap on the pause between Socket Mode restarts. */
const MAX_RECONNECT_MS = 30_000;

interface SocketEnvelope {
  ack: () => Promise<void>;
  type: string;
  body?: { event?: SlackMessageEvent };
}

export function startSocketTransport(
  settings: SlackSettings,
  appToken: string,
  hooks: SlackHooks,
  deps: TransportDeps,
) {
  const { log, setStatus } = hooks;
  const socket = new SocketModeClient({
    appToken,
    logger: deps.logger,
    clientPingTimeout: settings.pingTimeoutMs,
    autoReconnectEnabled: false,
    // One try per start: the restart loop below paces the retries.
    clientOptions: { slackApiUrl: settings.apiUrl, fetch: deps.fetch, retryConfig: { retries: 0 } },
  });
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const done = () => deps.live.stopped || deps.gate.failed;

  const scheduleRestart = (why: string) => {
    if (done() || timer) return;
    const delay = Math.min(MAX_RECONNECT_MS, settings.reconnectMinMs * 2 ** failures++);
    log.info(`slack socket ${why}; reconnecting in ${delay} ms`);
    setStatus({ state: "connecting", connected: false });
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, delay);
    timer.unref();
  };

  async function run(): Promise<void> {
    if (done()) return;
    try {
      await socket.start();
      failures = 0;
    } catch (err) {
      if (done()) return;
      const fatal = FATAL_AUTH[slackErrorCode(err) ?? ""];
      if (fatal) return void deps.gate.fail(fatal);
      const reason = `Slack Socket Mode could not start: ${describeSlackError(err)}`;
      setStatus({ lastError: reason });
      // The first attempt failing still lets start() return: the gateway serves meanwhile.
      deps.gate.settle();
      scheduleRestart("could not start");
    }
  }

  socket.on("slack_event", async ({ ack, type, body }: SocketEnvelope) => {
    // Ack first: Slack redelivers an event not acknowledged within 3 s.
    await ack().catch(() => undefined);
    if (type === "events_api") deps.handleEvent(body?.event);
  });
  socket.on("connected", () => ready(hooks, deps, `connected to slack as ${deps.live.bot?.name}`));
  socket.on("disconnected", () => scheduleRestart("closed"));

  return {
    start: run,
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await socket.disconnect();
    },
  };
}
