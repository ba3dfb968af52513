import type { ConnectParams, OperatorScope } from "./protocol.js";

/**
 * Who gets which event, in OpenClaw's terms: `sessions.changed` goes only to connections
 * that called `sessions.subscribe`, `session.message` only to those that follow that
 * session (`sessions.messages.subscribe`); `presence` and `health` carry a `stateVersion`
 * so a client can drop an older snapshot that arrives late.
 */

/** Sessions one connection may follow at once: a UI follows the open chat and a few more; the set stays bounded. */
export const MAX_FOLLOWED_SESSIONS = 256;

/** One connection's event subscriptions. */
export class EventSubscriptions {
  /** `sessions.subscribe` was called: `sessions.changed` events come. */
  sessions = false;
  private readonly followed = new Set<string>();

  /** Follows `key`'s messages; refused past MAX_FOLLOWED_SESSIONS (the client should unsubscribe first). */
  follow(key: string): void {
    if (this.followed.has(key)) return;
    if (this.followed.size >= MAX_FOLLOWED_SESSIONS) {
      throw new Error(
        `this connection already follows ${MAX_FOLLOWED_SESSIONS} sessions: call sessions.messages.unsubscribe for one first`,
      );
    }
    this.followed.add(key);
  }

  unfollow(key: string): boolean {
    return this.followed.delete(key);
  }

  follows(key: string): boolean {
    return this.followed.has(key);
  }
}

/** Which connections an event goes to besides those lacking its scope: subscribers of the session list, or of one session. */
export type EventAudience = { kind: "sessions" } | { kind: "session"; key: string };

export function inAudience(subs: EventSubscriptions, audience: EventAudience | undefined): boolean {
  if (!audience) return true;
  return audience.kind === "sessions" ? subs.sessions : subs.follows(audience.key);
}

/** What a broadcast may add to an event besides its scope. */
export interface EventOptions {
  audience?: EventAudience;
  /** OpenClaw's versions of the presence list and the health snapshot, on `presence`/`health` frames. */
  stateVersion?: { presence: number; health: number };
}

export type Broadcast = (event: string, payload: unknown, scope?: OperatorScope, opts?: EventOptions) => void;

/** One connected client in `system-presence` and `presence` events (OpenClaw's entry, reason `connect`). */
export interface ClientPresence {
  host: string;
  clientId: string;
  version: string;
  platform: string;
  deviceFamily?: string;
  mode: string;
  roles: string[];
  scopes: string[];
  instanceId?: string;
  reason: "connect";
  text: string;
  ts: number;
}

export function clientPresence(
  client: ConnectParams["client"],
  scopes: ReadonlySet<OperatorScope>,
  connectedAt: number,
): ClientPresence {
  const host = client.displayName ?? client.id;
  return {
    host,
    clientId: client.id,
    version: client.version,
    platform: client.platform,
    ...(client.deviceFamily ? { deviceFamily: client.deviceFamily } : {}),
    mode: client.mode,
    roles: ["operator"],
    scopes: [...scopes],
    ...(client.instanceId ? { instanceId: client.instanceId } : {}),
    reason: "connect",
    text: `Node: ${host} · app ${client.version} · mode ${client.mode} · reason connect`,
    ts: connectedAt,
  };
}

/** The gateway-wide versions of the presence list and the health snapshot (each bumps on change). */
export class StateVersions {
  presence = 1;
  health = 1;
  snapshot(): { presence: number; health: number } {
    return { presence: this.presence, health: this.health };
  }
}
