import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import { normalizeSenderId } from "./policy.js";

/** No 0/O/1/I: codes are read aloud and typed from phones. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;
export const PAIRING_TTL_MS = 60 * 60 * 1000;
export const MAX_PENDING_PER_ACCOUNT = 3;

export interface PairingRequest {
  id: string;
  code: string;
  accountId: string;
  createdAt: string;
  lastSeenAt: string;
  meta?: Record<string, string>;
}

interface PendingFile {
  version: 1;
  requests: PairingRequest[];
}

interface AllowFile {
  version: 1;
  allowFrom: string[];
}

export type PairingRequestResult =
  | { status: "created"; code: string }
  | { status: "pending"; code: string }
  | { status: "full" };

/**
 * OpenClaw's DM pairing state under `credentials/`: pending codes in
 * `<channel>-pairing.json`, approved senders in `<channel>-<accountId>-allowFrom.json`.
 * One code per sender, 8 characters, valid for an hour, at most 3 pending per account.
 */
export class PairingStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly credentialsDir: string,
    readonly channel: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A stranger wrote: returns their code, creating one only if they have none (so one reply per request). */
  request(accountId: string, senderId: string, meta?: Record<string, string>): Promise<PairingRequestResult> {
    return this.serial(async () => {
      const file = await this.readPending();
      const id = normalizeSenderId(senderId, this.channel);
      const stamp = new Date(this.now()).toISOString();
      const existing = file.requests.find((r) => r.id === id && r.accountId === accountId);
      if (existing) {
        existing.lastSeenAt = stamp;
        await this.writePending(file);
        return { status: "pending", code: existing.code };
      }
      if (file.requests.filter((r) => r.accountId === accountId).length >= MAX_PENDING_PER_ACCOUNT) {
        return { status: "full" };
      }
      const taken = new Set(file.requests.map((r) => r.code));
      let code: string;
      do
        code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join(
          "",
        );
      while (taken.has(code));
      file.requests.push({
        id,
        code,
        accountId,
        createdAt: stamp,
        lastSeenAt: stamp,
        ...(meta ? { meta } : {}),
      });
      await this.writePending(file);
      return { status: "created", code };
    });
  }

  /** Unexpired pending requests, oldest first. */
  list(): Promise<PairingRequest[]> {
    return this.serial(async () => (await this.readPending()).requests);
  }

  /** Approves a code: the sender joins the account's allowFrom. Undefined when no such pending code. */
  approve(code: string): Promise<PairingRequest | undefined> {
    return this.serial(async () => {
      const file = await this.readPending();
      const wanted = code.trim().toUpperCase();
      const request = file.requests.find((r) => r.code === wanted);
      if (!request) return undefined;
      const allow = await this.readAllow(request.accountId);
      if (!allow.allowFrom.includes(request.id)) allow.allowFrom.push(request.id);
      await writeFileAtomic(this.allowPath(request.accountId), `${JSON.stringify(allow, null, 2)}\n`);
      file.requests = file.requests.filter((r) => r !== request);
      await this.writePending(file);
      return request;
    });
  }

  /** Drops a pending code without approving its sender (who may ask again). Undefined when no such code. */
  dismiss(code: string): Promise<PairingRequest | undefined> {
    return this.serial(async () => {
      const file = await this.readPending();
      const wanted = code.trim().toUpperCase();
      const request = file.requests.find((r) => r.code === wanted);
      if (!request) return undefined;
      file.requests = file.requests.filter((r) => r !== request);
      await this.writePending(file);
      return request;
    });
  }

  /** Senders approved for this account (normalised ids). */
  approved(accountId: string): Promise<Set<string>> {
    return this.serial(async () => new Set((await this.readAllow(accountId)).allowFrom));
  }

  private get pendingPath(): string {
    return path.join(this.credentialsDir, `${this.channel}-pairing.json`);
  }

  private allowPath(accountId: string): string {
    return path.join(this.credentialsDir, `${this.channel}-${accountId}-allowFrom.json`);
  }

  private async readPending(): Promise<PendingFile> {
    const raw = await readJson<PendingFile>(this.pendingPath);
    const cutoff = this.now() - PAIRING_TTL_MS;
    const requests = (raw?.requests ?? []).filter((r) => Date.parse(r.createdAt) > cutoff);
    return { version: 1, requests };
  }

  private writePending(file: PendingFile): Promise<void> {
    return writeFileAtomic(this.pendingPath, `${JSON.stringify(file, null, 2)}\n`);
  }

  private async readAllow(accountId: string): Promise<AllowFile> {
    // An unreadable allow list must stop approvals rather than be overwritten and lost.
    const raw = await readJson<AllowFile>(this.allowPath(accountId), { strict: true });
    // OpenClaw also keeps a legacy unscoped `<channel>-allowFrom.json` for the default account.
    const legacy =
      accountId === "default"
        ? await readJson<AllowFile>(path.join(this.credentialsDir, `${this.channel}-allowFrom.json`))
        : undefined;
    const ids = [...(raw?.allowFrom ?? []), ...(legacy?.allowFrom ?? [])].map((id) =>
      normalizeSenderId(id, this.channel),
    );
    return { version: 1, allowFrom: [...new Set(ids)] };
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

async function readJson<T>(file: string, opts: { strict?: boolean } = {}): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    if (!opts.strict) return undefined;
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`);
  }
}
