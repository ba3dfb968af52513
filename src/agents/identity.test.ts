import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { MAX_AVATAR_DATA_URL_CHARS, parseIdentityMarkdown, resolveAssistantIdentity } from "./identity.js";

const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

describe("assistant identity", () => {
  it("takes the config's identity first, then IDENTITY.md, then the defaults", () => {
    const ws = tempDir();
    writeFileSync(path.join(ws, "IDENTITY.md"), "# IDENTITY.md\n\n- **Name:** Samantha\n- Emoji: 🦥\n");
    expect(resolveAssistantIdentity("main", {}, ws)).toEqual({
      agentId: "main",
      name: "Samantha",
      nameSource: "workspace",
      avatar: "🦥",
      emoji: "🦥",
      avatarStatus: "none",
    });
    expect(resolveAssistantIdentity("main", { name: "Ada", avatar: PNG }, ws)).toMatchObject({
      name: "Ada",
      nameSource: "agent",
      avatar: PNG,
      avatarStatus: "data",
      emoji: "🦥",
    });
    expect(resolveAssistantIdentity("main", { entryName: "ops" }, tempDir())).toMatchObject({
      name: "ops",
      avatar: "O",
    });
    expect(resolveAssistantIdentity("main", {}, tempDir())).toMatchObject({
      name: "Assistant",
      nameSource: "default",
      avatar: "A",
    });
  });

  it("never hands out a missing or outside file, a remote URL, an SVG or an oversized image as the avatar", () => {
    const ws = tempDir();
    const cases: [string, string][] = [
      ["avatars/me.png", "missing"],
      ["../../etc/passwd", "outside_workspace"],
      ["https://example.com/a.png", "unsupported_uri"],
      ["data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "unsupported_uri"],
      [`data:image/png;base64,${"A".repeat(MAX_AVATAR_DATA_URL_CHARS)}`, "too_large"],
    ];
    for (const [avatar, reason] of cases) {
      expect(resolveAssistantIdentity("main", { name: "Bo", emoji: "🤖", avatar }, ws)).toMatchObject({
        avatar: "🤖",
        avatarStatus: "none",
        avatarReason: reason,
      });
    }
  });

  it("reads IDENTITY.md's labels in the ways people write them, skipping the template's prompts", () => {
    expect(parseIdentityMarkdown("Name: OpenClaw\n* _Avatar_: pick something you like\n")).toEqual({
      name: "OpenClaw",
    });
  });
});
