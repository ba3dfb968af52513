export interface BenchRow {
  scenario: string;
  unit: string;
  better: "lower" | "higher";
  ours?: number;
  peer?: number;
  oursNote?: string;
  peerNote?: string;
}
export function ratio(ours: unknown, peer: unknown): number | undefined;
export function verdict(ours: unknown, peer: unknown, better?: "lower" | "higher"): string;
export function formatNumber(n: unknown): string;
export function formatTable(rows: BenchRow[], options?: { peerName?: string }): string;
