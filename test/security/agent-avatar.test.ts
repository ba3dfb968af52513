/**
 * `agent.identity.get` is readable by any operator.read client and its avatar is shown
 * as an <img>: an avatar setting (in the config or in IDENTITY.md, which the agent can
 * write) must not turn it into a file reader or a script carrier. A workspace image is
 * inlined; each attack below sets an avatar that reaches out of the workspace (`..`, an
 * absolute path, a symlink), names a non-image or an SVG, a remote URL or an oversized
 * file, with a real secret PNG beside the workspace, and checks that the answer carries
 * neither the secret's bytes nor the markup.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_AVATAR_FILE_BYTES, resolveAssistantIdentity } from "../../src/agents/identity.js";
import { tempDir } from "../helpers/cli.js";

const SECRET = "sk-live-avatar-secret-0123456789";
/** A PNG signature: the secret file looks like an image, so only the path rule keeps it out. */
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function both(ws: string, avatar: string) {
  const fromConfig = resolveAssistantIdentity("main", { avatar }, ws);
  writeFileSync(path.join(ws, "IDENTITY.md"), `Name: Bo\nAvatar: ${avatar}\n`);
  return [fromConfig, resolveAssistantIdentity("main", {}, ws)];
}

describe("security: agent avatars", () => {
  it("a workspace PNG is inlined as a data URI; its path is not passed on", () => {
    const ws = tempDir();
    const png = Buffer.concat([PNG_MAGIC, Buffer.from("pixels")]);
    mkdirSync(path.join(ws, "avatars"));
    writeFileSync(path.join(ws, "avatars", "me.png"), png);
    for (const identity of both(ws, "avatars/me.png")) {
      expect(identity).toMatchObject({
        avatar: `data:image/png;base64,${png.toString("base64")}`,
        avatarStatus: "local",
      });
      expect(JSON.stringify(identity)).not.toContain("avatars/me.png");
    }
  });

  it("a path out of the workspace (.., absolute, symlink), a non-image, an SVG, a URL or an oversized file is never read or passed on", () => {
    const root = tempDir();
    const ws = path.join(root, "workspace");
    mkdirSync(ws);
    const secret = Buffer.concat([PNG_MAGIC, Buffer.from(SECRET)]);
    writeFileSync(path.join(root, "secret.png"), secret);
    symlinkSync(path.join(root, "secret.png"), path.join(ws, "link.png"));
    writeFileSync(path.join(ws, "inside.png"), SECRET);
    writeFileSync(path.join(ws, "logo.png"), "<svg onload=alert(1)></svg>");
    writeFileSync(path.join(ws, "big.png"), Buffer.concat([PNG_MAGIC, Buffer.alloc(MAX_AVATAR_FILE_BYTES)]));
    const svg = `data:image/svg+xml;base64,${Buffer.from("<svg onload=alert(1)></svg>").toString("base64")}`;
    const attempts: [string, string][] = [
      ["../secret.png", "outside_workspace"],
      [path.join(root, "secret.png"), "outside_workspace"],
      ["link.png", "outside_workspace"],
      ["inside.png", "unsupported_image"],
      ["logo.png", "unsupported_image"],
      ["big.png", "too_large"],
      ["file:///etc/passwd", "unsupported_uri"],
      ["https://attacker.example/track.png", "unsupported_uri"],
      [svg, "unsupported_uri"],
    ];
    for (const [avatar, reason] of attempts) {
      for (const identity of both(ws, avatar)) {
        const answer = JSON.stringify(identity);
        expect(answer).not.toContain(secret.toString("base64").slice(0, 16));
        expect(answer).not.toContain(Buffer.from(SECRET).toString("base64").slice(0, 16));
        expect(answer).not.toContain(SECRET);
        expect(answer).not.toContain("svg");
        expect(answer).not.toContain("attacker");
        expect(identity, avatar).toMatchObject({ avatarStatus: "none", avatarReason: reason });
        expect(identity.avatar).toMatch(/^[A-Z]$/);
      }
    }
  });
});
