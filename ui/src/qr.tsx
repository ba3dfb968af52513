import { generate } from "lean-qr/nano";
import { useMemo } from "preact/hooks";

/** The blank margin scanners need around a QR code, in modules (ISO 18004 asks for 4). */
const QUIET_ZONE = 4;

/**
 * One SVG path drawing every dark module of a QR code, a row of adjacent modules as one
 * rectangle (far fewer path commands than one square per module).
 */
export function qrPath(text: string): { size: number; d: string } {
  const code = generate(text);
  let d = "";
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (!code.get(x, y)) continue;
      const start = x;
      while (x + 1 < code.size && code.get(x + 1, y)) x++;
      d += `M${start} ${y}h${x - start + 1}v1h${start - x - 1}z`;
    }
  }
  return { size: code.size, d };
}

/**
 * `text` as a scannable QR code: black on white whatever the page's colour scheme,
 * with its quiet zone. `data-qr` carries the text (tests read it; it is on screen anyway).
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, d } = useMemo(() => qrPath(text), [text]);
  const box = size + 2 * QUIET_ZONE;
  return (
    <svg
      class="qr"
      viewBox={`${-QUIET_ZONE} ${-QUIET_ZONE} ${box} ${box}`}
      shape-rendering="crispEdges"
      role="img"
      aria-label={label}
      data-qr={text}
    >
      <rect x={-QUIET_ZONE} y={-QUIET_ZONE} width={box} height={box} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
