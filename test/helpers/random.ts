/**
 * A seeded pseudo-random source (mulberry32) for the randomised tests: the same seed
 * gives the same sequence, so a failing run can be replayed by its seed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    // 2^32: maps the 32-bit state onto [0, 1).
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
