import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  FORCE_REEXEC_ENV,
  HANDOFF_ENV,
  hideSecrets,
  restoreHandedOffSecrets,
  secretHidingNote,
} from "./env-handoff.js";

type WithExecve = { execve?: unknown };
const realExecve = (process as WithExecve).execve;

describe("hideSecrets, re-exec fallback", () => {
  beforeEach(() => {
    process.env.HANDOFF_TEST_TOKEN = "handoff-test-token-1";
    // The fallback, as when clearing in place fails (exec-strings.test.ts covers that path).
    process.env[FORCE_REEXEC_ENV] = "1";
  });
  afterEach(() => {
    delete process.env.HANDOFF_TEST_TOKEN;
    delete process.env[FORCE_REEXEC_ENV];
    (process as WithExecve).execve = realExecve;
  });

  it("warns once, naming the fix, when Node has no process.execve", () => {
    (process as WithExecve).execve = undefined;
    const warn = vi.fn();
    expect(hideSecrets(warn)).toBe("unsupported");
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(/Node >= 22\.15/);
    expect(warn.mock.calls[0]![0]).not.toContain("handoff-test-token-1");
  });

  it("execs itself with the secrets moved to a 0600 handoff file, and cleans up when execve fails", () => {
    let seen: { env: NodeJS.ProcessEnv; file: string; mode: number } | undefined;
    (process as WithExecve).execve = (_file: string, _args: string[], env: NodeJS.ProcessEnv) => {
      const file = env[HANDOFF_ENV]!;
      seen = { env, file, mode: statSync(file).mode & 0o777 };
      throw new Error("EPERM");
    };
    const warn = vi.fn();
    expect(hideSecrets(warn)).toBe("failed");
    expect(seen!.env.HANDOFF_TEST_TOKEN).toBeUndefined();
    expect(seen!.env.PATH).toBe(process.env.PATH);
    expect(seen!.mode).toBe(0o600);
    expect(existsSync(path.dirname(seen!.file))).toBe(false);
    expect(warn).toHaveBeenCalledOnce();
  });
});

describe("restoreHandedOffSecrets", () => {
  it("puts the variables back, returns the original argv and deletes the file and its folder", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "openclaw-handoff-"));
    const file = path.join(dir, "secrets.json");
    const handoff = { env: { A_TOKEN: "tok-1" }, argv: ["node", "x", "--token", "t"], reason: "forced" };
    writeFileSync(file, JSON.stringify(handoff));
    const env: NodeJS.ProcessEnv = { [HANDOFF_ENV]: file, PATH: "/bin" };
    expect(restoreHandedOffSecrets(env, ["node", "x"])).toEqual(["node", "x", "--token", "t"]);
    expect(env).toEqual({ PATH: "/bin", A_TOKEN: "tok-1" });
    expect(secretHidingNote()).toBe("secrets hidden by restarting without them (not in place: forced)");
    expect(existsSync(dir)).toBe(false);
  });

  it("never removes a folder it did not create, whatever the variable names", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "unrelated-"));
    const file = path.join(dir, "secrets.json");
    writeFileSync(file, JSON.stringify({ env: {}, argv: [] }));
    restoreHandedOffSecrets({ [HANDOFF_ENV]: file }, []);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
