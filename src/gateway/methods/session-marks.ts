import type { z } from "zod";
import type { SessionEntry } from "../../sessions/index-db.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import type { sessionPatch } from "./sessions.js";

/**
 * Pins and read state, as OpenClaw keeps them on each session entry (`pinnedAt`,
 * `lastReadAt`, `markedUnreadAt`): on the gateway, so every browser and a reload agree.
 */

/**
 * OpenClaw's unread rule: marked unread, or active since the user last read it (or, never
 * read, since it was created). Kept on the gateway, so every browser and a reload agree.
 */
export function isUnread(entry: SessionEntry): boolean {
  const readAt = entry.lastReadAt ?? entry.createdAt;
  return entry.markedUnreadAt !== undefined || (readAt !== undefined && entry.updatedAt > readAt);
}

/** The pin and read-state fields a patch sets, by OpenClaw's rules (archiving unpins; an archived session cannot be pinned). */
export function pinAndUnread(
  key: string,
  current: SessionEntry,
  next: Partial<SessionEntry>,
  patch: z.infer<typeof sessionPatch>,
): Partial<SessionEntry> {
  const out: Partial<SessionEntry> = {};
  const now = Date.now();
  const archived = "archivedAt" in next ? next.archivedAt !== undefined : current.archivedAt !== undefined;
  if (archived) out.pinnedAt = undefined;
  if (patch.pinned === true) {
    if (archived) {
      throw new GatewayRequestError(
        ErrorCodes.INVALID_REQUEST,
        `session ${key} is archived: restore it (archived: false) before pinning it`,
      );
    }
    out.pinnedAt = current.pinnedAt ?? now;
  } else if (patch.pinned === false) out.pinnedAt = undefined;
  if (patch.expectedMarkedUnreadAt !== undefined && patch.unread !== false) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      "expectedMarkedUnreadAt goes with unread: false only: drop one of them",
    );
  }
  // A read acknowledgement that lost a race with "mark unread" keeps the mark (OpenClaw's stale ack).
  const stale =
    patch.expectedMarkedUnreadAt !== undefined &&
    (current.markedUnreadAt ?? null) !== patch.expectedMarkedUnreadAt;
  if (patch.unread === true) out.markedUnreadAt = Math.max(now, (current.markedUnreadAt ?? 0) + 1);
  else if (patch.unread === false && !stale) {
    out.lastReadAt = now;
    out.markedUnreadAt = undefined;
  }
  return out;
}
