import type { ChannelAdapter, ChannelStatus, OutboundMessage, SendTyping } from "./types.js";

/** What a channel's connection module returns once its library is loaded. */
export interface ChannelConnection {
  /** Settles as the adapter contract's `start()` does (connected, given up, or first failure). */
  started: Promise<void>;
  stop(): Promise<void>;
  send(out: OutboundMessage): Promise<{ messageIds: string[] }>;
  sendTyping: SendTyping;
}

/**
 * The lifecycle every channel shares: `start()` imports the channel's connection
 * module only then (so a disabled channel never loads its library) and connects once;
 * `stop()` waits for a start in progress; status is kept here and patched by the
 * connection; sending before `start()` is a clear error.
 */
export function createLazyAdapter(
  id: string,
  connect: (setStatus: (patch: Partial<ChannelStatus>) => void) => Promise<ChannelConnection>,
): ChannelAdapter {
  const status: ChannelStatus = { state: "stopped", connected: false };
  let connection: ChannelConnection | undefined;
  let starting: Promise<void> | undefined;
  const connected = () => {
    if (!connection) throw new Error(`${id} channel is not started: call start() before sending`);
    return connection;
  };
  return {
    id,
    start() {
      starting ??= (async () => {
        Object.assign(status, { state: "connecting", connected: false, lastError: undefined });
        connection = await connect((patch) => Object.assign(status, patch));
        await connection.started;
      })();
      return starting;
    },
    async stop() {
      await starting?.catch(() => {});
      const closing = connection;
      connection = undefined;
      starting = undefined;
      await closing?.stop();
      Object.assign(status, { state: "stopped", connected: false });
    },
    status: () => ({ ...status }),
    send: (out) => connected().send(out),
    sendTyping: (target, threadId) => connected().sendTyping(target, threadId),
  };
}
