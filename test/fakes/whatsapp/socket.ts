/**
 * A fake Baileys socket: what `makeWASocket` returns, reduced to the parts the adapter
 * uses. Tests emit Baileys' own events on it (`connection.update`, `creds.update`,
 * `messages.upsert`) and read what the adapter sent. Nothing here touches the network.
 */
import type { MakeSocket, WaSocketLike } from "../../../src/channels/whatsapp/connection.js";

export interface SentWaMessage {
  jid: string;
  content: Record<string, unknown>;
  id: string;
}

let nextId = 1;

export class FakeWaSocket implements WaSocketLike {
  readonly sent: SentWaMessage[] = [];
  readonly presence: { type: string; jid?: string }[] = [];
  ended = false;
  /** How many of the next sends fail (as Baileys does while the socket reconnects). */
  failSends = 0;
  private readonly listeners = new Map<string, ((arg: never) => void)[]>();
  private readonly sendWaiters: { jid: string; resolve(m: SentWaMessage): void }[] = [];
  readonly ev = {
    on: (event: string, listener: (arg: never) => void) => {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    },
  };

  constructor(readonly config: Record<string, unknown> & { auth: unknown }) {}

  emit(event: string, arg: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(arg as never);
  }

  /** What WhatsApp does after a scan: our identity in `creds.update`, then the socket opens. */
  link(phone: string, lid = "99887766@lid"): void {
    this.emit("creds.update", { me: { id: `${phone.replace("+", "")}:7@s.whatsapp.net`, lid, name: "Me" } });
    this.emit("connection.update", { connection: "open" });
  }

  close(statusCode: number): void {
    const error = Object.assign(new Error(`Connection closed (${statusCode})`), { output: { statusCode } });
    this.emit("connection.update", { connection: "close", lastDisconnect: { error, date: new Date() } });
  }

  async sendMessage(jid: string, content: Record<string, unknown>) {
    if (this.failSends > 0) {
      this.failSends--;
      throw new Error("Connection Closed");
    }
    const id = `BOTMSG${nextId++}`;
    const sent = { jid, content, id };
    this.sent.push(sent);
    const waiter = this.sendWaiters.findIndex((w) => w.jid === jid);
    if (waiter >= 0) this.sendWaiters.splice(waiter, 1)[0]!.resolve(sent);
    return { key: { id, remoteJid: jid, fromMe: true } };
  }

  /** The next message the adapter sends to `jid` (after now). */
  nextSent(jid: string): Promise<SentWaMessage> {
    return new Promise((resolve) => this.sendWaiters.push({ jid, resolve }));
  }

  async sendPresenceUpdate(type: "composing" | "paused" | "available", jid?: string) {
    this.presence.push({ type, ...(jid ? { jid } : {}) });
  }

  end(): void {
    this.ended = true;
  }
}

/** A `makeWASocket` stand-in recording every socket it makes. */
export function fakeSocketFactory() {
  const sockets: FakeWaSocket[] = [];
  const waiters: ((s: FakeWaSocket) => void)[] = [];
  const make: MakeSocket = (config) => {
    const socket = new FakeWaSocket(config);
    sockets.push(socket);
    waiters.shift()?.(socket);
    return socket;
  };
  return {
    make,
    sockets,
    /** The next socket the adapter makes (or the one it made since the last call). */
    next(): Promise<FakeWaSocket> {
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
