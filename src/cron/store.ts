import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type DatabaseSync, openDatabase, transaction } from "../infra/sqlite.js";
import type { CronJob, CronRunRecord } from "./types.js";

/**
 * Runs kept per job: enough to read a month of a daily job's history; older ones are
 * dropped when a run finishes, so the file does not grow with uptime.
 */
export const MAX_RUNS_PER_JOB = 200;

/**
 * Jobs and run history in one SQLite file (WAL, synchronous FULL: a committed row survives
 * kill -9). A run is written as started, committed, before its turn begins, and finished
 * after: a started row with no finish found on open is a run a crash interrupted.
 *
 * The file is opened on first need, and created by the first write: until a job is added
 * there is nothing to read, and an open SQLite connection (its code paged in, its caches)
 * costs an idle gateway ~1.5 MB of RSS (bench/idle-rss.mjs) for an empty list.
 */
export class CronStore {
  private db: DatabaseSync | undefined;
  private closed = false;

  private constructor(private readonly file: string) {}

  static open(file: string): CronStore {
    const store = new CronStore(file);
    // An existing file is opened now, so a damaged one fails the start, not a later call.
    store.existing();
    return store;
  }

  /** The connection for a write: opens the file, creating it if needed. */
  private get writer(): DatabaseSync {
    return this.db ?? this.connect();
  }

  /** The connection if the file exists (another process may have created it since). */
  private existing(): DatabaseSync | undefined {
    return this.db ?? (existsSync(this.file) ? this.connect() : undefined);
  }

  private connect(): DatabaseSync {
    if (this.closed) throw new Error(`the cron store ${this.file} is closed`);
    mkdirSync(path.dirname(this.file), { recursive: true });
    const db = openDatabase(this.file);
    db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, job TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        record TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job_id, started_at);
      CREATE INDEX IF NOT EXISTS runs_open ON runs (finished_at) WHERE finished_at IS NULL;
    `);
    this.db = db;
    return db;
  }

  /** Rows of a read; none while there is no file. */
  private read<T>(sql: string, ...params: (string | number)[]): T[] {
    return (this.existing()
      ?.prepare(sql)
      .all(...params) ?? []) as T[];
  }

  jobs(): CronJob[] {
    const rows = this.read<{ job: string }>("SELECT job FROM jobs");
    return rows.map((r) => JSON.parse(r.job) as CronJob);
  }

  putJob(job: CronJob): void {
    this.writer
      .prepare("INSERT OR REPLACE INTO jobs (id, job) VALUES (?, ?)")
      .run(job.id, JSON.stringify(job));
  }

  deleteJob(id: string): void {
    this.existing()?.prepare("DELETE FROM jobs WHERE id = ?").run(id);
  }

  /** Records a run as started and the job's new state in one commit, before the run begins. */
  recordStart(job: CronJob, run: CronRunRecord): void {
    const db = this.writer;
    transaction(db, () => {
      this.putJob(job);
      db.prepare("INSERT INTO runs (run_id, job_id, started_at, record) VALUES (?, ?, ?, ?)").run(
        run.runId,
        run.jobId,
        run.runAtMs,
        JSON.stringify(run),
      );
    });
  }

  /** Records a run's end and the job's state (or its deletion, for a finished one-shot) in one commit. */
  recordFinish(job: CronJob | { deleted: string }, run: CronRunRecord): void {
    const db = this.writer;
    transaction(db, () => {
      if ("deleted" in job) this.deleteJob(job.deleted);
      else this.putJob(job);
      db.prepare("UPDATE runs SET finished_at = ?, record = ? WHERE run_id = ?").run(
        run.finishedAtMs ?? run.runAtMs,
        JSON.stringify(run),
        run.runId,
      );
      db.prepare(
        `DELETE FROM runs WHERE job_id = ? AND finished_at IS NOT NULL AND run_id NOT IN
             (SELECT run_id FROM runs WHERE job_id = ? ORDER BY started_at DESC LIMIT ?)`,
      ).run(run.jobId, run.jobId, MAX_RUNS_PER_JOB);
    });
  }

  /** Runs started and never finished: what a crash (kill -9, power loss) cut short. */
  unfinishedRuns(): CronRunRecord[] {
    const rows = this.read<{ record: string }>("SELECT record FROM runs WHERE finished_at IS NULL");
    return rows.map((r) => JSON.parse(r.record) as CronRunRecord);
  }

  /** The newest runs first; every job's when `jobId` is absent. */
  runs(jobId: string | undefined, limit: number): CronRunRecord[] {
    const rows =
      jobId === undefined
        ? this.read<{ record: string }>("SELECT record FROM runs ORDER BY started_at DESC LIMIT ?", limit)
        : this.read<{ record: string }>(
            "SELECT record FROM runs WHERE job_id = ? ORDER BY started_at DESC LIMIT ?",
            jobId,
            limit,
          );
    return rows.map((r) => JSON.parse(r.record) as CronRunRecord);
  }

  close(): void {
    this.closed = true;
    this.db?.close();
    this.db = undefined;
  }
}
