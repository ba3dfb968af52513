/**
 * The avatar route (`GET /avatar/<agentId>`) serves a file from the agent's workspace
 * over HTTP: it must not become a file reader for anyone without the gateway token, a
 * way out of the workspace, a carrier for markup, or a proxy. A real gateway with a
 * 1 MB PNG avatar; each attack checks the status and that no secret byte comes back.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { tempDir } from "../helpers/cli.js";
import { startTarget, type Target, TOKEN } from "./harness.js";

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SECRET = "sk-live-avatar-route-secret-42";
const BIG = Buffer.concat([PNG_MAGIC, Buffer.alloc(1024 * 1024, 7)]);

interface Identity {
  avatar: string;
  avatarStatus: string;
  avatarReason?: string;
}

describe("security: the avatar route", () => {
  let target: Target;
  let root: string;
  let ws: string;
  let client: GatewayClient;

  const identity = async () => (await client.request("agent.identity.get", { agentId: "main" })) as Identity;
  /** Points the agent's avatar at `avatar` in IDENTITY.md, which the agent itself can write. */
  const setAvatar = (avatar: string) => writeFileSync(path.join(ws, "IDENTITY.md"), `Avatar: ${avatar}\n`);
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(new URL(url, target.httpUrl), { headers });

  beforeAll(async () => {
    root = tempDir();
    ws = path.join(root, "workspace");
    mkdirSync(path.join(ws, "avatars"), { recursive: true });
    writeFileSync(path.join(ws, "avatars", "big.png"), BIG);
    setAvatar("avatars/big.png");
    target = await startTarget({ agents: { defaults: { workspace: ws } } });
    ({ client } = await GatewayClient.connect({ url: target.wsUrl, token: TOKEN }));
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await target?.close();
  });

  it("a 1 MB avatar comes as a signed same-origin URL that serves the image, with nosniff, an ETag and a 304", async () => {
    const id = await identity();
    expect(id).toMatchObject({ avatarStatus: "local" });
    expect(id.avatar).toMatch(/^\/avatar\/main\?v=[\w-]+&exp=\d+&sig=[\w-]+$/);
    const res = await get(id.avatar, { "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(Buffer.from(await res.arrayBuffer()).equals(BIG)).toBe(true);
    const etag = res.headers.get("etag")!;
    expect((await get(id.avatar, { "if-none-match": etag })).status).toBe(304);
    // OpenClaw's way in: the bearer token, no signature.
    const bearer = await get("/avatar/main", { authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("without the token or a valid signature: refused, also for a 304; a forged, altered or cross-site URL too", async () => {
    const { avatar } = await identity();
    const etag = (await get(avatar)).headers.get("etag")!;
    const url = new URL(avatar, target.httpUrl);
    const sig = url.searchParams.get("sig")!;
    const tampered = (key: string, value: string) => {
      const u = new URL(url);
      u.searchParams.set(key, value);
      return u.toString();
    };
    const refused: [string, Record<string, string>][] = [
      ["/avatar/main", {}],
      ["/avatar/main", { "if-none-match": etag }],
      ["/avatar/main", { authorization: "Bearer not-the-token" }],
      [tampered("sig", `${sig.slice(0, -2)}AA`), {}],
      [tampered("exp", String(Number(url.searchParams.get("exp")) + 3600)), {}],
      [tampered("exp", "1700000000"), {}],
      [avatar.replace("/avatar/main", "/avatar/ops"), {}],
      [avatar, { "sec-fetch-site": "cross-site" }],
      [avatar, { "sec-fetch-site": "same-site" }],
    ];
    for (const [u, headers] of refused) {
      const res = await get(u, headers);
      expect([401, 403, 404], `${u} ${JSON.stringify(headers)}`).toContain(res.status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("a path out of the workspace (.., absolute, symlink), a non-image, an SVG or a file over 2 MB is not served", async () => {
    writeFileSync(
      path.join(root, "secret.png"),
      Buffer.concat([PNG_MAGIC, Buffer.from(SECRET), Buffer.alloc(300_000)]),
    );
    symlinkSync(path.join(root, "secret.png"), path.join(ws, "avatars", "link.png"));
    writeFileSync(
      path.join(ws, "avatars", "notes.png"),
      Buffer.concat([Buffer.from(SECRET), Buffer.alloc(300_000)]),
    );
    writeFileSync(
      path.join(ws, "avatars", "logo.svg"),
      `<svg onload="alert(1)">${" ".repeat(300_000)}</svg>`,
    );
    writeFileSync(
      path.join(ws, "avatars", "huge.png"),
      Buffer.concat([PNG_MAGIC, Buffer.alloc(2 * 1024 * 1024)]),
    );
    const attempts: [string, string][] = [
      ["../secret.png", "outside_workspace"],
      [path.join(root, "secret.png"), "outside_workspace"],
      ["avatars/link.png", "outside_workspace"],
      ["avatars/notes.png", "unsupported_image"],
      ["avatars/logo.svg", "unsupported_image"],
      ["avatars/huge.png", "too_large"],
      ["https://attacker.example/track.png", "unsupported_uri"],
    ];
    for (const [avatar, reason] of attempts) {
      setAvatar(avatar);
      expect((await identity()).avatarReason, avatar).toBe(reason);
      const res = await get("/avatar/main", { authorization: `Bearer ${TOKEN}` });
      const body = await res.text();
      expect(res.status, avatar).toBe(404);
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain("svg");
      expect(body).not.toContain(root);
    }
    expect(target.anthropic.requests.length).toBe(0);
  });
});
