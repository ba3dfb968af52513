import type { Command } from "commander";
import type { CronJob, CronRunRecord } from "../cron/types.js";
import { addClientOptions as withClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";
import { CronFlagError, type CronFlags, jobInputFromFlags, jobPatchFromFlags } from "./cron-flags.js";

/** Loaded on use, so `openclaw --help` stays instant. */
const connection = () => import("./connection.js");

function withClient(cmd: Command): Command {
  return withClientOptions(cmd).option("--json", "print raw JSON");
}

/** The flags shared by `add` and `edit`, OpenClaw's names. */
function jobOptions(cmd: Command): Command {
  return cmd
    .option("--name <name>", "job name")
    .option("--description <text>", "what the job is for")
    .option("--agent <id>", "agent that runs it (default: the default agent)")
    .option(
      "--at <time>",
      "once: an ISO time (UTC unless it has an offset or --tz) or a duration from now (20m)",
    )
    .option("--every <duration>", "repeat at a fixed interval (10m, 2h, 1d)")
    .option("--cron <expr>", 'cron expression, 5 or 6 fields ("0 7 * * 1-5")')
    .option("--tz <iana>", "time zone of --cron (and of an --at without offset); default UTC")
    .option(
      "--session <target>",
      "main (system event), isolated (fresh cron:<jobId> turn), current (with --session-key's conversation) or session:<key>",
    )
    .option(
      "--session-key <key>",
      "the conversation a --session current job belongs to (see openclaw sessions)",
    )
    .option("--system-event <text>", "post this system event into the main session")
    .option("--message <text>", "run an agent turn with this message")
    .option("--wake <mode>", "now or next-heartbeat")
    .option("--model <ref>", "model for the agent turn")
    .option("--thinking <level>", "thinking level for the agent turn")
    .option("--timeout-seconds <n>", "per-run limit (default 600)")
    .option("--announce", "send the reply to --channel / --to")
    .option("--deliver", "deprecated alias of --announce")
    .option("--no-deliver", "keep the reply internal")
    .option("--channel <name>", "channel to announce on (discord, telegram, …)")
    .option("--to <target>", "recipient: channel:<id>, direct:<userId>, a chat id or number")
    .option("--account <id>", "channel account to announce from")
    .option("--best-effort-deliver", "a failed announcement does not fail the run")
    .option("--delete-after-run", "delete a one-shot after it succeeds (the default)")
    .option("--keep-after-run", "keep a one-shot after it succeeds")
    .option("--failure-alert", "alert when this job keeps failing (cron.failureAlert's defaults)")
    .option("--no-failure-alert", "never alert for this job")
    .option("--failure-alert-after <n>", "alert after N failed runs in a row")
    .option(
      "--failure-alert-channel <channel>",
      "channel the alert goes to (default: the job's delivery channel)",
    )
    .option("--failure-alert-to <dest>", "recipient of the alert")
    .option("--failure-alert-cooldown <duration>", "least time between two alerts (30m, 1h)")
    .option("--failure-alert-include-skipped", "skipped runs in a row count too")
    .option("--failure-alert-exclude-skipped", "alert on failed runs only (the default)")
    .option("--failure-alert-mode <mode>", "announce, or none (record only)")
    .option("--failure-alert-account-id <id>", "channel account to send the alert from");
}

function formatJob(job: CronJob): string {
  const when =
    job.schedule.kind === "at"
      ? `at ${job.schedule.at}`
      : job.schedule.kind === "every"
        ? `every ${job.schedule.everyMs / 1000} s`
        : `cron "${job.schedule.expr}" ${job.schedule.tz ?? "UTC"}`;
  const next = job.state.nextRunAtMs ? new Date(job.state.nextRunAtMs).toISOString() : "-";
  const last = job.state.lastStatus ? `${job.state.lastStatus}` : "never run";
  return `${job.id}  ${job.enabled ? "on " : "off"}  ${job.name}  (${when}; next ${next}; last ${last})`;
}

function formatRun(r: CronRunRecord): string {
  const started = new Date(r.runAtMs).toISOString();
  const status = r.status ?? "running";
  const delivery = r.deliveryStatus ? ` delivery ${r.deliveryStatus}` : "";
  return `${started}  ${r.runId}  ${status}${r.error ? ` (${r.error})` : ""}${delivery}  [${r.trigger}]`;
}

/** Runs one RPC and prints it; a flag mistake prints its one-sentence fix. */
async function call(
  method: string,
  params: () => unknown,
  flags: ClientFlags,
  format?: (p: unknown) => string,
) {
  let body: unknown;
  try {
    body = params();
  } catch (err) {
    if (!(err instanceof CronFlagError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = await (await connection()).callAndPrint(method, body, flags, format);
}

/** `openclaw cron …` (alias `automations`): scheduled jobs on the running gateway. */
export function registerCronCommands(program: Command): void {
  const cron = program
    .command("cron")
    .alias("automations")
    .description("scheduled jobs: reminders, briefs, checks");
  withClient(cron.command("status").description("scheduler status")).action((flags: ClientFlags) =>
    call("cron.status", () => ({}), flags),
  );
  withClient(
    cron.command("list").description("jobs, soonest first").option("--all", "include disabled jobs"),
  ).action((flags: ClientFlags & { all?: boolean }) =>
    call(
      "cron.list",
      () => ({ includeDisabled: flags.all ?? false }),
      flags,
      (p) => {
        const jobs = (p as { jobs: CronJob[] }).jobs;
        return jobs.length === 0 ? "no jobs" : jobs.map(formatJob).join("\n");
      },
    ),
  );
  withClient(cron.command("get <id>").alias("show").description("one job, in full")).action(
    (id: string, flags: ClientFlags) => call("cron.get", () => ({ id }), flags),
  );
  for (const name of ["add", "create"]) {
    withClient(
      jobOptions(cron.command(name).description("create a job")).option("--disabled", "create it disabled"),
    ).action((flags: CronFlags & ClientFlags) =>
      call(
        "cron.add",
        () => jobInputFromFlags(flags, Date.now()),
        flags,
        (p) => formatJob(p as CronJob),
      ),
    );
  }
  withClient(
    jobOptions(cron.command("edit <id>").description("change a job")).option("--enable").option("--disable"),
  ).action((id: string, flags: CronFlags & ClientFlags) =>
    call(
      "cron.update",
      () => ({ id, patch: jobPatchFromFlags(flags, Date.now()) }),
      flags,
      (p) => formatJob(p as CronJob),
    ),
  );
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    withClient(cron.command(`${name} <id>`).description(`${name} a job`)).action(
      (id: string, flags: ClientFlags) =>
        call(
          "cron.update",
          () => ({ id, patch: { enabled } }),
          flags,
          (p) => formatJob(p as CronJob),
        ),
    );
  }
  withClient(cron.command("remove <id>").alias("rm").description("delete a job")).action(
    (id: string, flags: ClientFlags) =>
      call(
        "cron.remove",
        () => ({ id }),
        flags,
        (p) => ((p as { removed: boolean }).removed ? "removed" : "no such job"),
      ),
  );
  withClient(
    cron
      .command("runs")
      .description("run history, newest first")
      .option("--id <id>", "one job's runs")
      .option("--limit <n>", "how many", "20"),
  ).action((flags: ClientFlags & { id?: string; limit: string }) =>
    call(
      "cron.runs",
      () => ({ ...(flags.id ? { id: flags.id } : {}), limit: Number(flags.limit) }),
      flags,
      (p) => {
        const entries = (p as { entries: CronRunRecord[] }).entries;
        return entries.length === 0 ? "no runs" : entries.map(formatRun).join("\n");
      },
    ),
  );
  withClient(
    cron
      .command("run <id>")
      .description("run a job now")
      .option("--due", "only if it is due")
      .option("--wait", "wait for the run to finish and print it"),
  ).action((id: string, flags: ClientFlags & { due?: boolean; wait?: boolean }) => runNow(id, flags));
}

/** `cron run [--wait]`: queues the run; with --wait, follows the `cron` events to its end. */
async function runNow(id: string, flags: ClientFlags & { due?: boolean; wait?: boolean }): Promise<void> {
  const params = { id, mode: flags.due ? "due" : "force" };
  if (!flags.wait) return call("cron.run", () => params, flags);
  const { connectFromCli } = await connection();
  const { client } = await connectFromCli(flags);
  try {
    let resolveRun: (r: CronRunRecord) => void = () => undefined;
    const finished = new Promise<CronRunRecord>((resolve) => (resolveRun = resolve));
    let runId: string | undefined;
    const early: CronRunRecord[] = [];
    client.onEvent((e) => {
      const p = e.payload as CronRunRecord | undefined;
      if (e.event !== "cron" || p?.action !== "finished") return;
      if (runId === undefined) early.push(p);
      else if (p.runId === runId) resolveRun(p);
    });
    const queued = (await client.request("cron.run", params)) as {
      enqueued: boolean;
      runId?: string;
      reason?: string;
    };
    if (!queued.enqueued) {
      process.stdout.write(`${flags.json ? JSON.stringify(queued) : `not run: ${queued.reason}`}\n`);
      return;
    }
    runId = queued.runId;
    const already = early.find((r) => r.runId === runId);
    if (already) resolveRun(already);
    const run = await finished;
    process.stdout.write(`${flags.json ? JSON.stringify(run, null, 2) : formatRun(run)}\n`);
    process.exitCode = run.status === "ok" ? 0 : 1;
  } finally {
    await client.close();
  }
}

/** `openclaw system event|heartbeat`: system events and the heartbeat on the running gateway. */
export function registerSystemCommands(program: Command): void {
  const system = program.command("system").description("system events and the heartbeat");
  withClient(
    system
      .command("event")
      .description("put a system event in front of the agent")
      .requiredOption("--text <text>", "the event")
      .option("--mode <mode>", "now (wake the heartbeat) or next-heartbeat", "next-heartbeat")
      .option("--agent <id>", "agent (default: the default agent)"),
  ).action((flags: ClientFlags & { text: string; mode: string; agent?: string }) =>
    call(
      "wake",
      () => {
        if (flags.mode !== "now" && flags.mode !== "next-heartbeat") {
          throw new CronFlagError(`--mode "${flags.mode}": use now or next-heartbeat`);
        }
        return { text: flags.text, mode: flags.mode, ...(flags.agent ? { agentId: flags.agent } : {}) };
      },
      flags,
      (p) => `queued (${(p as { mode: string }).mode})`,
    ),
  );
  const heartbeat = system.command("heartbeat").description("the agent's periodic check-in");
  withClient(heartbeat.command("last").description("the last heartbeat and what came of it")).action(
    (flags: ClientFlags) =>
      call(
        "last-heartbeat",
        () => ({}),
        flags,
        (p) => {
          if (!p) return "no heartbeat yet";
          const e = p as { ts: number; agentId: string; status: string; reason?: string; preview?: string };
          const why = e.reason ? ` (${e.reason})` : "";
          return `${new Date(e.ts).toISOString()}  ${e.agentId}  ${e.status}${why}${e.preview ? `: ${e.preview}` : ""}`;
        },
      ),
  );
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    withClient(heartbeat.command(name).description(`${name} heartbeats`)).action((flags: ClientFlags) =>
      call(
        "set-heartbeats",
        () => ({ enabled }),
        flags,
        () => `heartbeats ${name}d`,
      ),
    );
  }
}
