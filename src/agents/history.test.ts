import { describe, expect, it } from "vitest";
import type { Message } from "../providers/index.js";
import { estimateTokens, fitToBudget } from "./history.js";

/** A phone photo after the Control UI's downscaling: ~1 MB of JPEG, 1.4 M base64 characters. */
const PHOTO = "A".repeat(1_400_000);

describe("token estimates", () => {
  it("count an image at a model's cost for it, not its base64 length", () => {
    const photo: Message = {
      role: "user",
      content: [
        { type: "text", text: "what is this?" },
        { type: "image", data: PHOTO, mimeType: "image/jpeg" },
      ],
    } as Message;
    const tokens = estimateTokens([photo]);
    expect(tokens).toBeGreaterThanOrEqual(1600);
    expect(tokens).toBeLessThan(1700);
    // So a 100k-token budget keeps the photo and the conversation before it.
    const earlier: Message = { role: "user", content: "hello" } as Message;
    expect(fitToBudget([earlier, photo], 100_000)).toHaveLength(2);
  });

  it("still count long text (a tool's data argument) as text", () => {
    const call = {
      role: "assistant",
      content: [{ type: "toolCall", id: "1", name: "write", arguments: { data: "x".repeat(40_000) } }],
    } as unknown as Message;
    expect(estimateTokens([call])).toBeGreaterThan(10_000);
  });
});
