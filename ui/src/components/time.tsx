import { useI18n } from "../i18n/index.js";

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
