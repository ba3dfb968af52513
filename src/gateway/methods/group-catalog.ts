import { z } from "zod";
import { createLogger } from "../../infra/logger.js";
import { MAX_GROUP_NAME_CHARS, SessionGroupCatalog, SessionGroupError } from "../../sessions/groups.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";

/**
 * The gateway's custom session group catalog (src/sessions/groups.ts), opened on first
 * use, and a session's `category` as the session methods take it (session-groups.ts
 * serves `sessions.groups.*`).
 */

/** A session's custom group (OpenClaw's `category`): trimmed; `null` or "" ungroups it. */
export const categoryParam = z
  .union([
    z
      .string()
      .trim()
      .max(MAX_GROUP_NAME_CHARS, { error: `category: at most ${MAX_GROUP_NAME_CHARS} characters` }),
    z.null(),
  ])
  .optional();

const catalogs = new WeakMap<GatewayContext, Promise<SessionGroupCatalog>>();

/** This gateway's catalog, opened on first use. */
export function groupCatalog(gateway: GatewayContext): Promise<SessionGroupCatalog> {
  let catalog = catalogs.get(gateway);
  if (!catalog) {
    catalog = SessionGroupCatalog.open(gateway.stateDir, createLogger("sessions/groups"));
    catalog.catch(() => catalogs.delete(gateway));
    catalogs.set(gateway, catalog);
  }
  return catalog;
}

/**
 * The category to store for a session (undefined: ungrouped); a new name is added to the
 * catalog first, so every group a client can see on a session is in `sessions.groups.list`.
 */
export async function registerCategory(
  gateway: GatewayContext,
  category: string | null,
): Promise<string | undefined> {
  if (!category) return undefined;
  const catalog = await groupCatalog(gateway);
  await catalog.exclusive(() => catalog.register(category)).catch(asRequestError);
  return category;
}

/** A catalog refusal (a limit, a name) as the INVALID_REQUEST error a client shows. */
export function asRequestError(err: unknown): never {
  if (err instanceof SessionGroupError)
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, err.message);
  throw err;
}
