import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerfile, readFlyConfig, readRepoFile, repoRoot, splitCommand } from "./deploy-files.js";

const { global, stages } = parseDockerfile(readRepoFile("Dockerfile"));
const runtime = stages.at(-1)!;
const argsOf = (keyword: string, stage = runtime) =>
  stage.filter((i) => i.keyword === keyword).map((i) => i.args);
/** Exec-form (JSON array) arguments of the runtime stage's last `keyword`. */
const execForm = (keyword: string): string[] => JSON.parse(argsOf(keyword).at(-1) ?? "null");

describe("Dockerfile", () => {
  it("builds in one stage and runs from the pinned Node 24 slim image (.node-version) in another", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const defaults = Object.fromEntries(argsOf("ARG", global).map((a) => a.split("=") as [string, string]));
    const image = (stage: typeof runtime) =>
      stage[0]!.args
        .replace(/--platform=\S+\s+/, "")
        .replace(/\$\{?(\w+)\}?/g, (_m, name: string) => defaults[name] ?? "")
        .split(/\s+/)[0];
    const pinned = readRepoFile(".node-version").trim();
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    // Both stages run the exact Node of .node-version: the one place the toolchain is pinned.
    expect(image(runtime)).toBe(`node:${pinned}-bookworm-slim`);
    const build = stages[0]!;
    expect(image(build)).toBe(image(runtime));
    expect(argsOf("RUN", build)).toEqual(
      expect.arrayContaining(["npm ci --no-audit --no-fund", "npm run build"]),
    );
  });

  it("copies every local file the build script imports into the build stage", () => {
    const copied = argsOf("COPY", stages[0]!).map((a) => a.split(/\s+/)[0]!.replace(/\/$/, ""));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, spec] of readRepoFile(file).matchAll(/from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
        visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec!)));
      }
    };
    visit("scripts/build.mjs");
    for (const file of seen) {
      expect(
        copied.some((src) => file === src || file.startsWith(`${src}/`)),
        `${file} is not copied`,
      ).toBe(true);
    }
  });

  it("ships only dist/ (and package.json) from the build, no node_modules", () => {
    const copies = argsOf("COPY");
    expect(copies).toEqual(
      expect.arrayContaining([expect.stringMatching(/^--from=build \S*\/dist\/? dist\/?$/)]),
    );
    expect(copies.join("\n")).not.toMatch(/node_modules/);
  });

  it("installs the ngrok add-on (the one native module) at the version package.json pins", () => {
    const pkg = JSON.parse(readRepoFile("package.json")) as { dependencies: Record<string, string> };
    const install = argsOf("RUN").find((r) => r.includes("@ngrok/ngrok@"));
    expect(install).toContain(`@ngrok/ngrok@${pkg.dependencies["@ngrok/ngrok"]}`);
    // Installed outside /app: next to package.json npm would pull in every dependency.
    expect(install).toMatch(/cd \/tmp\/ngrok && npm install/);
  });

  it("runs the same command as fly.toml's [processes].app", () => {
    const fly = readFlyConfig("fly.toml");
    expect(execForm("CMD")).toEqual(splitCommand(fly.processes!.app!));
  });

  it("keeps its state in /data, a volume owned by the runtime user", () => {
    expect(argsOf("ENV").join(" ")).toMatch(/(^|\s)OPENCLAW_STATE_DIR=\/data(\s|$)/);
    expect(argsOf("VOLUME")).toEqual(['["/data"]']);
    expect(argsOf("RUN").join("\n")).toMatch(/chown node:node \/data/);
  });

  it("runs as a non-root user under an init that forwards SIGTERM", () => {
    const user = argsOf("USER").at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(execForm("ENTRYPOINT")[0]).toMatch(/\/tini$/);
  });

  it("exposes 3000 and health-checks /healthz on it with node (no curl in slim images)", () => {
    expect(argsOf("EXPOSE")).toEqual(["3000"]);
    const check = argsOf("HEALTHCHECK").at(-1) ?? "";
    expect(check).toMatch(/CMD \["node",/);
    expect(check).toContain("http://127.0.0.1:3000/healthz");
  });

  it("puts an `openclaw` command on PATH that runs dist/index.js with state in /data", () => {
    const run = argsOf("RUN").find((r) => r.includes("/usr/local/bin/openclaw")) ?? "";
    const format = /printf ('[^']*')/.exec(run)?.[1];
    expect(format).toBeDefined();
    const script = execFileSync("sh", ["-c", `printf ${format}`], { encoding: "utf8" });
    expect(script).toMatch(/^export OPENCLAW_STATE_DIR="\$\{OPENCLAW_STATE_DIR:-\/data\}"$/m);
    // Run it here with /app standing for the repo root (dist/ is built before the tests).
    const dir = mkdtempSync(path.join(os.tmpdir(), "openclaw-bin-"));
    try {
      const bin = path.join(dir, "openclaw");
      writeFileSync(bin, script.replace("/app/", `${repoRoot}/`));
      chmodSync(bin, 0o755);
      const env = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` };
      const version = JSON.parse(readRepoFile("package.json")).version;
      expect(execFileSync(bin, ["--version"], { encoding: "utf8", env }).trim()).toBe(version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
