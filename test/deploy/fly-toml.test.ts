import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type FlyConfig, readFlyConfig, repoRoot, splitCommand } from "./deploy-files.js";

const GUIDE_PROCESS = "node dist/index.js gateway --allow-unconfigured --port 3000 --bind lan";

/** `"512mb"` / `"1gb"` / `512` (Fly reads a bare number as MB) → megabytes. */
function memoryMb(value: string | number | undefined): number {
  if (typeof value === "number") return value;
  const m = /^(\d+)\s*(mb|gb)?$/i.exec(value ?? "");
  if (!m) throw new Error(`unreadable [[vm]].memory: ${JSON.stringify(value)}`);
  return Number(m[1]) * (m[2]?.toLowerCase() === "gb" ? 1024 : 1);
}

describe.each(["fly.toml", "fly.private.toml"] as const)("%s has what the Fly.io guide relies on", (file) => {
  const fly: FlyConfig = readFlyConfig(file);

  it("names an app in iad and builds from the repo Dockerfile", () => {
    expect(fly.app).toMatch(/^[a-z0-9-]+$/);
    expect(fly.primary_region).toBe("iad");
    expect(fly.build?.dockerfile).toBe("Dockerfile");
    expect(existsSync(path.join(repoRoot, fly.build!.dockerfile!))).toBe(true);
  });

  it("sets the guide's environment, with state on the volume", () => {
    expect(fly.env).toMatchObject({
      NODE_ENV: "production",
      OPENCLAW_PREFER_PNPM: "1",
      OPENCLAW_STATE_DIR: "/data",
    });
    expect(fly.env?.NODE_OPTIONS).toMatch(/^--max-old-space-size=\d+$/);
  });

  it("runs the guide's process command", () => {
    expect(fly.processes).toEqual({ app: GUIDE_PROCESS });
  });

  it("caps the V8 heap well below the VM's memory, leaving room for Node itself", () => {
    const vm = fly.vm?.[0];
    expect(vm?.size).toMatch(/^(shared|performance)-cpu-\d+x$/);
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(fly.env?.NODE_OPTIONS ?? "")?.[1]);
    // Measured (docs/platforms/fly.md#memory): ~75 MB of RSS is outside the V8 heap.
    expect(heapMb).toBeGreaterThanOrEqual(128);
    expect(heapMb).toBeLessThanOrEqual(memoryMb(vm?.memory) - 128);
  });

  it("mounts the openclaw_data volume at the state dir", () => {
    expect(fly.mounts).toEqual({ source: "openclaw_data", destination: "/data" });
    expect(fly.mounts?.destination).toBe(fly.env?.OPENCLAW_STATE_DIR);
  });
});

describe("fly.toml (public)", () => {
  const fly = readFlyConfig("fly.toml");
  const argv = splitCommand(fly.processes!.app!);
  const port = Number(argv[argv.indexOf("--port") + 1]);

  it("serves HTTPS on the process port and never stops the machine for being idle", () => {
    expect(fly.http_service).toMatchObject({
      internal_port: port,
      force_https: true,
      auto_start_machines: true,
      min_machines_running: 1,
      processes: ["app"],
    });
    expect([false, "off"]).toContain(fly.http_service?.auto_stop_machines);
    expect(port).toBe(3000);
  });

  it("health-checks GET /healthz", () => {
    expect(fly.http_service?.checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ method: "GET", path: "/healthz" })]),
    );
  });
});

describe("fly.private.toml", () => {
  const fly = readFlyConfig("fly.private.toml");
  const { http_service: _public, ...shared } = readFlyConfig("fly.toml");

  it("has no [http_service] or [[services]], so Fly gives it no public IP", () => {
    expect(fly.http_service).toBeUndefined();
    expect(fly.services).toBeUndefined();
  });

  it("is otherwise the public config", () => {
    const { checks: _checks, ...rest } = fly;
    expect(rest).toEqual(shared);
  });

  it("still probes /healthz with a machine check on the process port", () => {
    expect(Object.values(fly.checks ?? {})).toEqual([
      expect.objectContaining({ type: "http", port: 3000, path: "/healthz", processes: ["app"] }),
    ]);
  });
});
