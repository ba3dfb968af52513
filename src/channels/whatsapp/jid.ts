/**
 * WhatsApp addresses: a person is `<digits>@s.whatsapp.net` (a phone number without
 * `+`), possibly with a device suffix (`<digits>:12@…`); newer chats may name people by
 * an opaque `<id>@lid`; groups are `<id>@g.us`. Policy and pairing use E.164 (`+<digits>`).
 */

const USER_SERVER = "s.whatsapp.net";

/** `15551234567:3@s.whatsapp.net` → `+15551234567`; undefined for anything but a phone JID. */
export function jidToE164(jid: string | null | undefined): string | undefined {
  const m = /^(\d{6,15})(?::\d+)?@s\.whatsapp\.net$/.exec(jid ?? "");
  return m ? `+${m[1]}` : undefined;
}

/** `+1 555-123-4567` or `15551234567` → `15551234567@s.whatsapp.net`; a JID is kept. */
export function toJid(target: string): string {
  if (target.includes("@")) return target;
  const digits = target.replace(/[^\d]/g, "");
  if (digits.length < 6) throw new Error(`whatsapp: "${target}" is not a phone number in E.164 form`);
  return `${digits}@${USER_SERVER}`;
}

/** `+1 (555) 123-4567` → `+15551234567`, for allowFrom entries written loosely. */
export function normalizeE164(entry: string): string {
  if (entry === "*" || entry.includes("@")) return entry;
  const digits = entry.replace(/[^\d]/g, "");
  return digits ? `+${digits}` : entry;
}

/** The bare user part without device suffix: `15551234567:3@s.whatsapp.net` → `15551234567@s.whatsapp.net`. */
export function bareJid(jid: string | null | undefined): string {
  const m = /^([^:@]+)(?::\d+)?@(.+)$/.exec(jid ?? "");
  return m ? `${m[1]}@${m[2]}` : (jid ?? "");
}

export const isGroupJid = (jid: string | null | undefined) => (jid ?? "").endsWith("@g.us");
export const isLidJid = (jid: string | null | undefined) => (jid ?? "").endsWith("@lid");
