import { createHash } from "node:crypto";
import type { CronJob } from "./types.js";

/**
 * `cron.list` pages in OpenClaw's shape. OpenClaw's CLI reads every page of one inventory
 * revision: a reply without `snapshotRevision`/`total`/`offset`/`limit`/`hasMore`/
 * `nextOffset` counts as a legacy gateway, which it then probes with `cron.get` of a
 * random id, so these fields are what makes `openclaw cron list` work against ours.
 */

/** Most jobs one page carries when the caller names no `limit` (all of them: MAX_JOBS is 10k). */
export const DEFAULT_CRON_PAGE_LIMIT = 10_000;

export interface CronListQuery {
  includeDisabled?: boolean;
  limit?: number;
  offset?: number;
  /** Only jobs of this agent (jobs without one belong to the default agent). */
  agentId?: string;
  /** Case-insensitive text looked for in the job's id, name and description. */
  query?: string;
}

export interface CronListPage {
  jobs: CronJob[];
  snapshotRevision: string;
  total: number;
  offset: number;
  limit: number;
  hasMore: boolean;
  nextOffset: number | null;
}

/**
 * One page of `jobs` (already in list order) after the filters. The revision hashes every
 * matching job's id and `updatedAtMs`, so a job added, removed or changed between two pages
 * gives the next page another revision and the client starts over.
 */
export function cronListPage(jobs: CronJob[], q: CronListQuery, defaultAgentId: string): CronListPage {
  const needle = q.query?.trim().toLowerCase();
  const matching = jobs.filter(
    (j) =>
      (!q.agentId || (j.agentId ?? defaultAgentId) === q.agentId) &&
      (!needle || [j.id, j.name, j.description ?? ""].some((s) => s.toLowerCase().includes(needle))),
  );
  const hash = createHash("sha256");
  for (const j of matching) hash.update(`${j.id}\0${j.updatedAtMs}\n`);
  const offset = q.offset ?? 0;
  const limit = q.limit ?? Math.max(1, Math.min(matching.length, DEFAULT_CRON_PAGE_LIMIT));
  const page = matching.slice(offset, offset + limit);
  const end = offset + page.length;
  const hasMore = end < matching.length;
  return {
    jobs: page,
    snapshotRevision: `sha256:${hash.digest("base64url")}`,
    total: matching.length,
    offset,
    limit,
    hasMore,
    nextOffset: hasMore ? end : null,
  };
}

/**
 * Where a job's result will go, as OpenClaw's `deliveryPreviews` word it (`label`,
 * `detail`), from the job alone: ours sends only to an explicit `channel` + `to` (or, for a
 * `current` job, back to its conversation), so nothing here needs a lookup.
 */
export function deliveryPreview(job: CronJob): { label: string; detail: string } {
  const d = job.delivery;
  if (job.sessionTarget === "main" || job.payload.kind === "systemEvent") {
    return { label: "not requested", detail: "not requested" };
  }
  if (d?.mode === "none") return { label: "not requested", detail: "not requested" };
  if (job.sessionTarget === "current" && !(d?.channel && d.to)) {
    return { label: "announce -> current session", detail: "commits to this conversation" };
  }
  if (!d) return { label: "not requested", detail: "not requested" };
  if (!d.channel || !d.to) {
    return {
      label: `announce -> ${d.channel ?? "last"}`,
      detail: "unresolved: set delivery.channel and delivery.to",
    };
  }
  return { label: `announce -> ${d.channel}:${d.to}`, detail: "explicit" };
}
