/**
 * Who wrote a message and when: the assistant's name and avatar (`agent.identity.get`,
 * OpenClaw's method) and a compact, localized time with the full date on hover.
 */
import { useEffect, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";

export interface Identity {
  name: string;
  /** A raster data URI, or short text (an emoji, a letter). */
  avatar: string;
}

/** Only these become an <img>; anything else the gateway sends is shown as text. */
const IMAGE_AVATAR = /^data:image\/(png|jpeg|gif|webp);base64,/i;
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
const HOUR = 60 * MINUTE;

/** "2 minutes ago" / "3 hours ago" today, "Dec 1, 14:05" before (with the year when not this one). */
export function shortTime(at: number, lang: string, now: number): string {
  const d = new Date(at);
  const ago = now - at;
  if (ago >= 0 && new Date(now).toDateString() === d.toDateString()) {
    const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    return ago < HOUR
      ? rtf.format(-Math.floor(ago / MINUTE), "minute")
      : rtf.format(-Math.floor(ago / HOUR), "hour");
  }
  const year = d.getFullYear() === new Date(now).getFullYear() ? undefined : "numeric";
  return d.toLocaleString(lang, { year, month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
}

/** A message's time; the full date and time as its tooltip (and for screen readers). */
export function Stamp({ at }: { at: number }) {
  const { lang } = useI18n();
  // A message that arrived a moment ago may be stamped a little after the clock here.
  const now = Math.max(Date.now(), at);
  const full = new Date(at).toLocaleString(lang, { dateStyle: "full", timeStyle: "medium" });
  return (
    <time class="stamp muted small" dateTime={new Date(at).toISOString()} title={full}>
      {shortTime(at, lang, now)}
    </time>
  );
}

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
