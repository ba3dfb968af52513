import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import type { BindMode } from "../config/schema.js";

export interface BindResolution {
  /** Hosts to listen on; the first is the primary one printed in the listening line. */
  hosts: string[];
  /** Which concrete mode `auto` (or a fallback) came down to, for the auth check. */
  effective: "loopback" | "lan" | "tailnet" | "custom";
  /** One sentence for the log on why these hosts were chosen. */
  reason: string;
}

/**
 * How we tell we run in a container, for `--bind auto`: Fly Machines (FLY_MACHINE_ID,
 * they are microVMs with no /.dockerenv), Docker (/.dockerenv), Podman
 * (/run/.containerenv), Kubernetes (KUBERNETES_SERVICE_HOST), or a cgroup path of
 * PID 1 naming docker/containerd/kubepods/lxc.
 */
export function detectContainer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FLY_MACHINE_ID || env.FLY_APP_NAME) return "Fly.io machine";
  if (existsSync("/.dockerenv")) return "Docker (/.dockerenv)";
  if (existsSync("/run/.containerenv")) return "Podman (/run/.containerenv)";
  if (env.KUBERNETES_SERVICE_HOST) return "Kubernetes";
  try {
    const cgroup = readFileSync("/proc/1/cgroup", "utf8");
    const hit = /(docker|containerd|kubepods|lxc|libpod)/.exec(cgroup);
    if (hit) return `container (cgroup ${hit[1]})`;
  } catch {
    // Not Linux, or /proc hidden: assume no container.
  }
  return undefined;
}

function tailnetAddress(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== "IPv4") continue;
      const [first, second] = a.address.split(".").map(Number);
      // Tailscale hands out addresses from the CGNAT range 100.64.0.0/10.
      if (first === 100 && second !== undefined && second >= 64 && second <= 127) return a.address;
    }
  }
  return undefined;
}

function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((addrs) =>
    (addrs ?? []).some((a) => a.family === "IPv6" && a.address === "::1"),
  );
}

export function resolveBindHosts(
  mode: BindMode,
  opts: { customHost?: string; env?: NodeJS.ProcessEnv } = {},
): BindResolution {
  const loopback = (reason: string): BindResolution => ({
    hosts: hasIpv6Loopback() ? ["127.0.0.1", "::1"] : ["127.0.0.1"],
    effective: "loopback",
    reason,
  });
  // "::" too: Fly.io's private network (fly proxy, WireGuard, .internal names) is IPv6-only.
  const lan = (reason: string): BindResolution => ({ hosts: ["0.0.0.0", "::"], effective: "lan", reason });
  switch (mode) {
    case "loopback":
      return loopback("bind=loopback: only this machine can connect");
    case "lan":
      return lan("bind=lan: all IPv4 and IPv6 interfaces (0.0.0.0 and ::)");
    case "auto": {
      const container = detectContainer(opts.env);
      return container
        ? lan(`bind=auto chose lan: running in ${container}`)
        : loopback("bind=auto chose loopback: no container detected");
    }
    case "tailnet": {
      const address = tailnetAddress();
      return address
        ? { hosts: [address], effective: "tailnet", reason: `bind=tailnet: Tailscale address ${address}` }
        : loopback("bind=tailnet found no Tailscale (100.64.0.0/10) address; falling back to loopback");
    }
    case "custom": {
      if (!opts.customHost) throw new Error("bind=custom needs gateway.customBindHost (an IPv4 address)");
      return { hosts: [opts.customHost], effective: "custom", reason: `bind=custom: ${opts.customHost}` };
    }
  }
}

/** `ws://host:port` with IPv6 hosts bracketed. */
export function formatWsUrl(host: string, port: number): string {
  return `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
