import type { OutboundPort, OutboundTarget } from "../agents/outbound.js";
import type { Logger } from "../infra/logger.js";
import type { CronJob, CronRunRecord, FailureAlertConfig } from "./types.js";

export type { FailureAlertConfig };

/** OpenClaw's default: alert after this many failed runs in a row (one failure is often a blip). */
export const DEFAULT_FAILURE_ALERT_AFTER = 3;
/** OpenClaw's default: at most one alert per job an hour, so a job failing every minute does not flood a chat. */
export const DEFAULT_FAILURE_ALERT_COOLDOWN_MS = 3_600_000;
/** Longest error text quoted in an alert (the run history has all of it). */
const MAX_ALERT_ERROR_CHARS = 500;

export interface ResolvedFailureAlert {
  after: number;
  cooldownMs: number;
  includeSkipped: boolean;
  target: OutboundTarget;
}

/**
 * The alert settings for `job`: its own `failureAlert` over `cron.failureAlert`; `false`
 * on the job turns alerts off for it. Undefined when alerts are off or no destination is known.
 */
export function resolveFailureAlert(
  job: CronJob,
  global: FailureAlertConfig | undefined,
): ResolvedFailureAlert | undefined {
  if (job.failureAlert === false) return undefined;
  // A job that sets any key opts in, even when the gateway-wide setting is absent.
  if (!global && !job.failureAlert) return undefined;
  // A job's own block turns alerts on even when the gateway-wide one says enabled: false (OpenClaw's rule).
  const cfg = job.failureAlert ? { ...global, enabled: true, ...job.failureAlert } : { ...global };
  if (cfg.enabled === false || cfg.mode === "none") return undefined;
  const channel = cfg.channel ?? job.delivery?.channel;
  const to = cfg.to ?? (cfg.channel ? undefined : job.delivery?.to);
  if (!channel || !to) return undefined;
  const accountId = cfg.accountId ?? (cfg.channel ? undefined : job.delivery?.accountId);
  return {
    after: Math.max(1, cfg.after ?? DEFAULT_FAILURE_ALERT_AFTER),
    cooldownMs: Math.max(0, cfg.cooldownMs ?? DEFAULT_FAILURE_ALERT_COOLDOWN_MS),
    includeSkipped: cfg.includeSkipped === true,
    target: { channel, to, ...(accountId ? { accountId } : {}) },
  };
}

/** True when `job` (its state after the run) has failed often enough, and not alerted too recently. */
export function shouldAlert(job: CronJob, alert: ResolvedFailureAlert, nowMs: number): boolean {
  const errors = job.state.consecutiveErrors ?? 0;
  const skipped = alert.includeSkipped ? (job.state.consecutiveSkipped ?? 0) : 0;
  if (errors < alert.after && skipped < alert.after) return false;
  const last = job.state.lastFailureAlertAtMs;
  return last === undefined || nowMs - last >= alert.cooldownMs;
}

export function alertText(job: CronJob, record: CronRunRecord): string {
  const error = (record.error ?? "unknown error").slice(0, MAX_ALERT_ERROR_CHARS);
  const see = `See: openclaw cron runs --id ${job.id}`;
  if (record.status === "skipped") {
    const count = job.state.consecutiveSkipped ?? 1;
    return `⚠️ Cron job "${job.name}" (${job.id}) was skipped ${count} time(s) in a row: ${error}\n${see}`;
  }
  const count = job.state.consecutiveErrors ?? 1;
  return `⚠️ Cron job "${job.name}" (${job.id}) failed ${count} time(s) in a row: ${error}\n${see}`;
}

/**
 * Decides and sends failure alerts for the scheduler. The decision is synchronous (so the
 * job's `lastFailureAlertAtMs` is committed with the run); the send goes out through the
 * outbound port, and a send that fails is logged with the job and channel, never dropped silently.
 */
export class FailureAlerter {
  constructor(
    private readonly deps: {
      outbound: OutboundPort;
      config: () => FailureAlertConfig | undefined;
      log: Logger;
    },
  ) {}

  /** Sends an alert for `job` if one is due: the returned promise (the send) means the caller stamps the time. */
  maybeAlert(job: CronJob, record: CronRunRecord, nowMs: number): Promise<void> | undefined {
    if (record.status !== "error" && record.status !== "skipped") return undefined;
    const alert = resolveFailureAlert(job, this.deps.config());
    if (!alert || !shouldAlert(job, alert, nowMs)) return undefined;
    if (record.status === "skipped" && !alert.includeSkipped) return undefined;
    return this.deps.outbound.send(alert.target, { text: alertText(job, record) }).then(
      () => this.deps.log.info(`job ${job.id}: failure alert sent to ${alert.target.channel}`),
      (err: Error) =>
        this.deps.log.warn(
          `job ${job.id}: the failure alert to ${alert.target.channel} could not be sent: ${err.message}`,
        ),
    );
  }
}
