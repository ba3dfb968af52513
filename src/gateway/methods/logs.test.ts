import { appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/cli.js";
import { tailLogFile } from "./logs.js";

describe("tailLogFile", () => {
  it("returns the last lines, then only what was appended after the cursor", async () => {
    const file = path.join(tempDir(), "gw.log");
    writeFileSync(file, "a\nb\nc\n");
    const first = await tailLogFile(file, { limit: 2 });
    expect(first).toMatchObject({ lines: ["b", "c"], cursor: 6, size: 6, truncated: true });
    appendFileSync(file, "d\ne");
    const second = await tailLogFile(file, { cursor: first.cursor });
    // "e" has no newline yet: it is held back until complete.
    expect(second).toMatchObject({ lines: ["d"], cursor: 8 });
    appendFileSync(file, "\n");
    expect((await tailLogFile(file, { cursor: second.cursor })).lines).toEqual(["e"]);
  });

  it("starts over when the file shrank (rotation)", async () => {
    const file = path.join(tempDir(), "gw.log");
    writeFileSync(file, "new\n");
    expect(await tailLogFile(file, { cursor: 500 })).toMatchObject({
      lines: ["new"],
      reset: true,
      cursor: 4,
    });
  });

  it("drops a partial first line when starting mid-file", async () => {
    const file = path.join(tempDir(), "gw.log");
    writeFileSync(file, "first-long-line\nsecond\nthird\n");
    expect((await tailLogFile(file, { maxBytes: 10 })).lines).toEqual(["third"]);
  });

  it("answers for a missing file or no file logging", async () => {
    expect(await tailLogFile(path.join(tempDir(), "none.log"), {})).toMatchObject({ lines: [], size: 0 });
    expect(await tailLogFile(undefined, {})).toEqual({ file: null, cursor: 0, size: 0, lines: [] });
  });
});
