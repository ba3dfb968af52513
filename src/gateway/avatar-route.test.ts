import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { AuthRateLimiter } from "../infra/rate-limit.js";
import { avatarRoute, signedAvatarUrl } from "./avatar-route.js";
import type { GatewayContext } from "./context.js";
import { createHttpHandler } from "./http.js";

const HOUR = 3_600_000;
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(300_000),
]);

describe("avatar route: signed URLs", () => {
  let clock = Date.UTC(2026, 0, 1, 12, 30);
  let server: Server;
  let base: string;
  const workspace = tempDir();
  mkdirSync(path.join(workspace, "a"));
  writeFileSync(path.join(workspace, "a", "me.png"), PNG);
  const gateway = {
    stateDir: tempDir(),
    config: () => ({
      config: {
        gateway: { controlUi: { basePath: "/ui/" } },
        agents: { defaults: { workspace }, list: [{ id: "main", identity: { avatar: "a/me.png" } }] },
      },
    }),
  } as unknown as GatewayContext;

  beforeAll(async () => {
    const route = avatarRoute({
      gateway,
      auth: () => ({ mode: "token", token: "t0ken-for-the-unit-test" }),
      rateLimiter: new AuthRateLimiter(),
      now: () => clock,
    });
    server = createServer(
      createHttpHandler(
        () => [route],
        (err) => console.error(err),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("stays the same within an hour, opens the image under the base path, and expires within two hours", async () => {
    const url = signedAvatarUrl(gateway, "main", "rev1", clock);
    expect(url).toMatch(/^\/ui\/avatar\/main\?v=rev1&exp=\d+&sig=/);
    expect(signedAvatarUrl(gateway, "main", "rev1", clock + 20 * 60_000)).toBe(url);
    expect((await fetch(base + url)).status).toBe(200);
    clock += HOUR + 29 * 60_000; // 13:59: still within the second hour
    expect((await fetch(base + url)).status).toBe(200);
    clock += 2 * 60_000; // 14:01: expired
    const expired = await fetch(base + url);
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain("expired");
  });

  it("a URL signed for one agent does not open another's", async () => {
    const url = signedAvatarUrl(gateway, "main", "rev1", clock);
    expect((await fetch(base + url.replace("/avatar/main", "/avatar/other"))).status).toBe(401);
  });
});
