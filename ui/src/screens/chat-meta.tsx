/**
 * Who wrote a message and when: the assistant's name and avatar (`agent.identity.get`,
 * OpenClaw's method) and a compact, localized time with the full date on hover.
 */
import { useEffect, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";

export { Stamp } from "../components/time.js";

export interface Identity {
  name: string;
  /** A raster data URI, the gateway's signed avatar path (`/avatar/<id>?…`), or short text (an emoji, a letter). */
  avatar: string;
}

/** Only these become an <img> (a data URI, or a path on this origin); anything else is shown as text. */
const IMAGE_AVATAR = /^(data:image\/(png|jpeg|gif|webp);base64,|\/[^/\\])/i;
/** Text avatars longer than this are not an emoji or initials: the name's first letter instead. */
const MAX_TEXT_AVATAR = 4;

/** The agent's identity, once per agent; none while loading or from a gateway without the method. */
export function useIdentity(conn: GatewayConnection, agentId: string): Identity | undefined {
  const [identity, setIdentity] = useState<Identity | undefined>();
  useEffect(() => {
    setIdentity(undefined);
    conn
      .request<Identity>("agent.identity.get", { agentId })
      .then((res) => setIdentity(res?.name ? res : undefined))
      .catch(() => setIdentity(undefined));
  }, [conn, agentId]);
  return identity;
}

export function Avatar({ identity }: { identity: Identity }) {
  const { avatar, name } = identity;
  if (IMAGE_AVATAR.test(avatar)) return <img class="avatar" src={avatar} alt="" />;
  const text = avatar && avatar.length <= MAX_TEXT_AVATAR ? avatar : [...name][0]?.toUpperCase();
  return (
    <span class="avatar" aria-hidden="true">
      {text}
    </span>
  );
}

const MINUTE = 60_000;

/** How often "n minutes ago" is brought up to date while the chat is open. */
const STAMP_REFRESH_MS = MINUTE;

/** Renders its component again once a minute, so "n minutes ago" stays right. */
export function useMinuteTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), STAMP_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
}
