/** Every chunk vector in one contiguous array (row i is chunk ids[i]): a scan is one linear pass. */
export interface VectorTable {
  generation: number;
  ids: number[];
  dims: number;
  data: Float32Array;
}

export function packVectors(generation: number, byId: Map<number, Float32Array>): VectorTable {
  const ids = [...byId.keys()];
  const dims = ids.length ? Math.max(...[...byId.values()].map((v) => v.length)) : 0;
  const data = new Float32Array(ids.length * dims);
  for (const [row, id] of ids.entries()) data.set(byId.get(id)!, row * dims);
  return { generation, ids, dims, data };
}

/** The `k` rows closest to `q` (unit vectors: cosine = dot), best first, without sorting every row. */
export function topByCosine(table: VectorTable, q: Float32Array, k: number): { id: number; score: number }[] {
  const { ids, dims, data } = table;
  const n = Math.min(q.length, dims);
  const top: { id: number; score: number }[] = [];
  for (let row = 0; row < ids.length; row++) {
    const base = row * dims;
    let score = 0;
    for (let i = 0; i < n; i++) score += data[base + i]! * q[i]!;
    if (top.length === k && score <= top[k - 1]!.score) continue;
    // Insert in order; k is small (maxResults × candidateMultiplier).
    let at = top.length;
    while (at > 0 && top[at - 1]!.score < score) at--;
    top.splice(at, 0, { id: ids[row]!, score });
    if (top.length > k) top.pop();
  }
  return top;
}
