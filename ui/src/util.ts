import { GatewayError } from "./gateway.js";

/** A thrown value as a one-line message. */
export function errorText(err: unknown): string {
  if (err instanceof GatewayError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

export function formatTime(ts: number | string | undefined, lang: string): string {
  if (ts === undefined) return "";
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toLocaleString(lang);
}

/** The chat screen opened on one session (`#/chat?session=<key>`): a link that survives a reload. */
export function chatLink(sessionKey: string): string {
  return `#/chat?session=${encodeURIComponent(sessionKey)}`;
}

/** The session a `chatLink` asks for, if the page was opened with one. */
export function sessionFromHash(): string | undefined {
  const query = location.hash.split("?")[1];
  return (query && new URLSearchParams(query).get("session")) || undefined;
}
