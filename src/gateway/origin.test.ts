import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { AuthMode } from "../infra/shared-secret.js";
import { checkBrowserOrigin } from "./origin.js";

const request = (headers: { host?: string; origin?: string }, remoteAddress = "127.0.0.1") =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

const check = (
  headers: { host?: string; origin?: string },
  authMode: AuthMode,
  extra: { allowedOrigins?: readonly string[]; remoteAddress?: string; loopbackBind?: boolean } = {},
) =>
  checkBrowserOrigin(request(headers, extra.remoteAddress), {
    allowedOrigins: extra.allowedOrigins ?? [],
    loopbackBind: extra.loopbackBind ?? true,
    authMode,
  }) === undefined
    ? "allowed"
    : "refused";

describe("checkBrowserOrigin", () => {
  it.each([
    ["CLI on loopback, no Origin", { host: "127.0.0.1:18789" }, "none", {}, "allowed"],
    [
      "same-origin page",
      { host: "127.0.0.1:18789", origin: "http://127.0.0.1:18789" },
      "none",
      {},
      "allowed",
    ],
    ["[::1] page", { host: "[::1]:18789", origin: "http://[::1]:18789" }, "none", {}, "allowed"],
    [
      "other loopback port, no auth",
      { host: "127.0.0.1:18789", origin: "http://127.0.0.1:8000" },
      "none",
      {},
      "refused",
    ],
    [
      "localhost dev server, no auth",
      { host: "localhost:18789", origin: "http://localhost:5173" },
      "none",
      {},
      "refused",
    ],
    [
      "other loopback port, with a token",
      { host: "127.0.0.1:18789", origin: "http://localhost:5173" },
      "token",
      {},
      "allowed",
    ],
    ["another site", { host: "127.0.0.1:18789", origin: "https://evil.example" }, "token", {}, "refused"],
    ["Origin null (sandboxed frame)", { host: "127.0.0.1:18789", origin: "null" }, "token", {}, "refused"],
    [
      "DNS rebinding, no auth",
      { host: "evil.example:18789", origin: "http://evil.example:18789" },
      "none",
      {},
      "refused",
    ],
    [
      "rebinding lookalike host",
      { host: "localhost.evil.example", origin: "http://localhost.evil.example" },
      "none",
      {},
      "refused",
    ],
    [
      "host with junk after the port",
      { host: "localhost:80x", origin: "http://localhost:80x" },
      "none",
      {},
      "refused",
    ],
    ["local reverse proxy, no Origin", { host: "gw.example" }, "none", {}, "allowed"],
    [
      "remote client naming the host, no auth",
      { host: "gw.example" },
      "none",
      { remoteAddress: "203.0.113.9" },
      "refused",
    ],
    [
      "listed origin",
      { host: "gw.example", origin: "https://ui.example" },
      "token",
      { allowedOrigins: ["https://ui.example"] },
      "allowed",
    ],
    [
      '"*" with a token',
      { host: "gw.example", origin: "https://any.example" },
      "token",
      { allowedOrigins: ["*"] },
      "allowed",
    ],
    [
      '"*" without auth',
      { host: "localhost:1", origin: "https://any.example" },
      "none",
      { allowedOrigins: ["*"] },
      "refused",
    ],
  ] as const)("%s: %s", (_name, headers, authMode, extra, verdict) => {
    expect(check(headers, authMode, { ...extra })).toBe(verdict);
  });
});
