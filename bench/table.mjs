// The side-by-side table of `npm run bench`: pure formatting, no I/O (tested in
// test/bench-table.test.ts).

/**
 * ours ÷ OpenClaw, or undefined when either side is missing or not a positive number.
 * Below 1 means our figure is smaller (better for times and memory, worse for rates).
 */
export function ratio(ours, peer) {
  if (typeof ours !== "number" || typeof peer !== "number") return undefined;
  if (!Number.isFinite(ours) || !Number.isFinite(peer) || ours <= 0 || peer <= 0) return undefined;
  return ours / peer;
}

/** "12.3x smaller" / "4.0x higher": how we compare, read in the direction of the metric. */
export function verdict(ours, peer, better = "lower") {
  const r = ratio(ours, peer);
  if (r === undefined) return "";
  const factor = r >= 1 ? r : 1 / r;
  const word = r >= 1 ? "higher" : "lower";
  const good = better === "lower" ? r < 1 : r > 1;
  return `${formatNumber(factor)}x ${word}${r === 1 ? "" : good ? " (better)" : " (worse)"}`;
}

/** 3 significant digits, no exponent: 0.0123, 1.23, 12.3, 123, 12345. */
export function formatNumber(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return "-";
  const abs = Math.abs(n);
  if (abs >= 100) return String(Math.round(n));
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  if (abs === 0) return "0";
  return n.toPrecision(3);
}

/**
 * Rows: { scenario, unit, better: "lower"|"higher", ours?: number, peer?: number,
 * oursNote?: string, peerNote?: string }. A missing figure prints "n/a" and its note
 * (why) goes under the table. Returns the table as a string (no trailing newline).
 */
export function formatTable(rows, { peerName = "OpenClaw" } = {}) {
  const header = ["scenario", "ours", peerName, `ours/${peerName}`, "we are"];
  const notes = [];
  const cell = (value, unit, note, who) => {
    if (typeof value === "number" && Number.isFinite(value)) return `${formatNumber(value)} ${unit}`;
    if (!note) return "n/a";
    // The same reason (say, the peer is not installed) is listed once.
    const text = `${who}: ${note}`;
    if (!notes.includes(text)) notes.push(text);
    return `n/a [${notes.indexOf(text) + 1}]`;
  };
  const body = rows.map((row) => {
    const r = ratio(row.ours, row.peer);
    return [
      row.scenario,
      cell(row.ours, row.unit, row.oursNote, "ours"),
      cell(row.peer, row.unit, row.peerNote, peerName),
      r === undefined ? "-" : formatNumber(r),
      verdict(row.ours, row.peer, row.better),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  const out = [line(header), rule, ...body.map(line)];
  if (notes.length) out.push("", ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return out.join("\n");
}
