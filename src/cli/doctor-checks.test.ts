import { describe, expect, it } from "vitest";
import { checkMemory, heapLimitMb, mountFor, parseCgroupLimit, parseMountInfo } from "./doctor-checks.js";

const MOUNTINFO = [
  "22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/x",
  "35 22 252:16 / /data rw,relatime - ext4 /dev/vdb rw",
  "36 22 0:5 / /dev rw - devtmpfs devtmpfs rw",
].join("\n");

describe("doctor environment checks", () => {
  it("finds the mount holding the state dir", () => {
    const mounts = parseMountInfo(MOUNTINFO);
    expect(mountFor("/data", mounts)?.fsType).toBe("ext4");
    expect(mountFor("/data/sub", mounts)?.mountPoint).toBe("/data");
    expect(mountFor("/root/.openclaw", mounts)?.mountPoint).toBe("/");
    expect(mountFor("/database", mounts)?.mountPoint).toBe("/");
  });

  it.each<[string | undefined, number | undefined]>([
    ["268435456\n", 268435456],
    ["max\n", undefined],
    ["9223372036854771712", undefined],
    [undefined, undefined],
  ])("reads cgroup limit %j", (text, bytes) => {
    expect(parseCgroupLimit(text)).toBe(bytes);
  });

  it("reads the heap limit from NODE_OPTIONS", () => {
    expect(heapLimitMb("--enable-source-maps --max-old-space-size=1536")).toBe(1536);
    expect(heapLimitMb(undefined)).toBeUndefined();
  });

  it("warns when the heap limit does not fit the memory limit", () => {
    const mb = 1048576;
    expect(checkMemory(512 * mb, 1536)).toMatchObject({
      severity: "warn",
      message: expect.stringContaining("use --max-old-space-size=384 or less"),
    });
    expect(checkMemory(2048 * mb, 1536).severity).toBe("ok");
    expect(checkMemory(undefined, 1536).severity).toBe("ok");
  });
});
