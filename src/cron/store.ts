import { mkdirSync } from "node:fs";
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
 */
export class CronStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(file: string): CronStore {
    mkdirSync(path.dirname(file), { recursive: true });
    const db = openDatabase(file);
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
    return new CronStore(db);
  }

  jobs(): CronJob[] {
    const rows = this.db.prepare("SELECT job FROM jobs").all() as { job: string }[];
    return rows.map((r) => JSON.parse(r.job) as CronJob);
  }

  putJob(job: CronJob): void {
    this.db.prepare("INSERT OR REPLACE INTO jobs (id, job) VALUES (?, ?)").run(job.id, JSON.stringify(job));
  }

  deleteJob(id: string): void {
    this.db.prepare("DELETE FROM jobs WHERE id = ?").run(id);
  }

  /** Records a run as started and the job's new state in one commit, before the run begins. */
  recordStart(job: CronJob, run: CronRunRecord): void {
    transaction(this.db, () => {
      this.putJob(job);
      this.db
        .prepare("INSERT INTO runs (run_id, job_id, started_at, record) VALUES (?, ?, ?, ?)")
        .run(run.runId, run.jobId, run.runAtMs, JSON.stringify(run));
    });
  }

  /** Records a run's end and the job's state (or its deletion, for a finished one-shot) in one commit. */
  recordFinish(job: CronJob | { deleted: string }, run: CronRunRecord): void {
    transaction(this.db, () => {
      if ("deleted" in job) this.deleteJob(job.deleted);
      else this.putJob(job);
      this.db
        .prepare("UPDATE runs SET finished_at = ?, record = ? WHERE run_id = ?")
        .run(run.finishedAtMs ?? run.runAtMs, JSON.stringify(run), run.runId);
      this.db
        .prepare(
          `DELETE FROM runs WHERE job_id = ? AND finished_at IS NOT NULL AND run_id NOT IN
             (SELECT run_id FROM runs WHERE job_id = ? ORDER BY started_at DESC LIMIT ?)`,
        )
        .run(run.jobId, run.jobId, MAX_RUNS_PER_JOB);
    });
  }

  /** Runs started and never finished: what a crash (kill -9, power loss) cut short. */
  unfinishedRuns(): CronRunRecord[] {
    const rows = this.db.prepare("SELECT record FROM runs WHERE finished_at IS NULL").all() as {
      record: string;
    }[];
    return rows.map((r) => JSON.parse(r.record) as CronRunRecord);
  }

  /** The newest runs first; every job's when `jobId` is absent. */
  runs(jobId: string | undefined, limit: number): CronRunRecord[] {
    const rows = (
      jobId === undefined
        ? this.db.prepare("SELECT record FROM runs ORDER BY started_at DESC LIMIT ?").all(limit)
        : this.db
            .prepare("SELECT record FROM runs WHERE job_id = ? ORDER BY started_at DESC LIMIT ?")
            .all(jobId, limit)
    ) as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as CronRunRecord);
  }

  close(): void {
    this.db.close();
  }
}
