import { z } from "zod";
import { knownAgentIds } from "../../routing/known-agents.js";
import { groupName, MAX_GROUP_NAME_CHARS, MAX_GROUPS, SessionGroupError } from "../../sessions/groups.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { asRequestError, groupCatalog } from "./group-catalog.js";
import { sessionRow } from "./sessions.js";
import { defineMethod } from "./types.js";

/**
 * Custom session groups (OpenClaw's `sessions.groups.*`): the gateway owns the catalog
 * (names and display order, src/sessions/groups.ts); a session's group is its `category`,
 * set by `sessions.patch`, `sessions.patchMany` or `sessions.create`. Renaming or deleting
 * a group rewrites every member session, archived ones too, in every agent's store.
 */

const nameParam = z
  .string()
  .trim()
  .min(1, { error: "a group name cannot be empty" })
  .max(MAX_GROUP_NAME_CHARS, { error: `a group name has at most ${MAX_GROUP_NAME_CHARS} characters` });

/** Sessions read per step of a member sweep. */
const SWEEP_PAGE = 500;

/** Every session (archived too, all agents) whose category is one of `names`. */
async function members(gateway: GatewayContext, names: ReadonlySet<string>) {
  const found: { agentId: string; key: string; category: string }[] = [];
  for (const agentId of knownAgentIds(gateway.config().config.agents?.list)) {
    const store = await gateway.agents.store(agentId);
    let cursor: string | undefined;
    do {
      const page = store.page({ limit: SWEEP_PAGE, cursor, archived: "all" });
      for (const { key, entry } of page.sessions) {
        if (typeof entry.category === "string" && names.has(entry.category)) {
          found.push({ agentId, key, category: entry.category });
        }
      }
      cursor = page.hasMore ? page.nextCursor : undefined;
    } while (cursor);
  }
  return found;
}

/** Sets `category` on each member (keeping its place by last activity) and tells open sidebars. */
async function moveMembers(gateway: GatewayContext, from: string, to: string | undefined): Promise<number> {
  const found = await members(gateway, new Set([from]));
  for (const { agentId, key } of found) {
    const store = await gateway.agents.store(agentId);
    const current = store.get(key);
    if (!current) continue;
    const entry = store.update(key, { category: to, updatedAt: current.updatedAt });
    gateway.clients.publishSessionsChanged({
      sessionKey: key,
      agentId,
      reason: "patch",
      session: sessionRow(key, entry, gateway.agents.activeRunIds(key)),
    });
  }
  return found.length;
}

export const sessionGroupMethods = {
  "sessions.groups.list": defineMethod({
    scope: "operator.read",
    params: z.object({}).passthrough().optional(),
    handle: async (_p, { gateway }) => ({ groups: (await groupCatalog(gateway)).list() }),
  }),
  /** Replaces the names and their order; refuses to drop a group that still has sessions. */
  "sessions.groups.put": defineMethod({
    scope: "operator.write",
    params: z.object({
      names: z.array(nameParam).max(MAX_GROUPS, { error: `at most ${MAX_GROUPS} groups` }),
    }),
    handle: async (p, { gateway }) => {
      const catalog = await groupCatalog(gateway);
      const groups = await catalog
        .exclusive(async () => {
          const names = p.names.map(groupName);
          const dropped = new Set(catalog.list().flatMap((g) => (names.includes(g.name) ? [] : [g.name])));
          const kept = dropped.size ? await members(gateway, dropped) : [];
          if (kept.length) {
            const counts = new Map<string, number>();
            for (const m of kept) counts.set(m.category, (counts.get(m.category) ?? 0) + 1);
            const list = [...counts].map(([name, n]) => `"${name}" (${n})`).join(", ");
            throw new SessionGroupError(
              `sessions.groups.put cannot drop groups that still have member sessions: ${list}; include them in names or remove them via sessions.groups.delete`,
            );
          }
          await catalog.replace(names);
          return catalog.list();
        })
        .catch(asRequestError);
      gateway.clients.publishSessionsChanged({ reason: "groups" });
      return { ok: true, groups };
    },
  }),
  /** Renames a group and moves every member session to the new name (onto an existing group: merges). */
  "sessions.groups.rename": defineMethod({
    scope: "operator.write",
    params: z.object({ name: nameParam, to: nameParam }),
    handle: async (p, { gateway }) => {
      const catalog = await groupCatalog(gateway);
      const updatedSessions = await catalog.exclusive(async () => {
        if (!catalog.has(p.name)) throw unknownGroup(p.name);
        if (p.name === p.to) return 0;
        const moved = await moveMembers(gateway, p.name, p.to);
        await catalog.rename(p.name, p.to);
        return moved;
      });
      gateway.clients.publishSessionsChanged({ reason: "groups" });
      return { ok: true, groups: catalog.list(), updatedSessions };
    },
  }),
  /** Deletes a group; its sessions are kept and become ungrouped. */
  "sessions.groups.delete": defineMethod({
    scope: "operator.write",
    params: z.object({ name: nameParam }),
    handle: async (p, { gateway }) => {
      const catalog = await groupCatalog(gateway);
      const updatedSessions = await catalog.exclusive(async () => {
        if (!catalog.has(p.name)) throw unknownGroup(p.name);
        const moved = await moveMembers(gateway, p.name, undefined);
        await catalog.remove(p.name);
        return moved;
      });
      gateway.clients.publishSessionsChanged({ reason: "groups" });
      return { ok: true, groups: catalog.list(), updatedSessions };
    },
  }),
  /** Working-directory defaults per group need worktrees, which this gateway has not. */
  ...Object.fromEntries(
    ["sessions.groups.defaults", "sessions.groups.update"].map((method) => [
      method,
      defineMethod({
        scope: "operator.write",
        params: z.object({}).passthrough().optional(),
        handle: () => {
          throw new GatewayRequestError(
            ErrorCodes.INVALID_REQUEST,
            `${method} is not supported: this gateway has no worktrees or per-group working directories`,
          );
        },
      }),
    ]),
  ),
};

function unknownGroup(name: string) {
  return new GatewayRequestError(
    ErrorCodes.INVALID_REQUEST,
    `unknown session group: ${name} (see sessions.groups.list)`,
  );
}
