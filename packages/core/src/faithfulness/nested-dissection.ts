// A fill-reducing elimination order for unknowns on a pixel grid coupled to their 8 neighbours
// (ROAD's imputation systems): geometric nested dissection. The unknowns' bounding box is cut
// across its longer side by the line of pixels at the median coordinate, which separates the two
// sides (8-neighbours differ by at most 1 in each coordinate); each side is ordered recursively and
// the separator comes last. On an n-pixel region the Cholesky factor then holds O(n log n) entries
// and costs O(n^1.5) operations (George 1973), against O(n²) for the row-major band.

const LEAF = 32;

/** An order of the unknowns (indices into ys/xs), to pass as `perm` to cholesky(). */
export function nestedDissection(ys: Int32Array, xs: Int32Array): Int32Array {
  const out = new Int32Array(ys.length);
  let at = 0;
  const visit = (ids: Int32Array): void => {
    if (ids.length <= LEAF) {
      out.set(ids, at);
      at += ids.length;
      return;
    }
    let y0 = Infinity;
    let y1 = -Infinity;
    let x0 = Infinity;
    let x1 = -Infinity;
    for (const i of ids) {
      y0 = Math.min(y0, ys[i]);
      y1 = Math.max(y1, ys[i]);
      x0 = Math.min(x0, xs[i]);
      x1 = Math.max(x1, xs[i]);
    }
    const coord = y1 - y0 >= x1 - x0 ? ys : xs;
    const lo = coord === ys ? y0 : x0;
    const hi = coord === ys ? y1 : x1;
    if (lo === hi) { // a single row or column: a path, already well ordered by its other coordinate
      out.set(ids, at);
      at += ids.length;
      return;
    }
    const cut = Math.floor((lo + hi) / 2);
    visit(ids.filter((i) => coord[i] < cut));
    visit(ids.filter((i) => coord[i] > cut));
    const sep = ids.filter((i) => coord[i] === cut);
    out.set(sep, at);
    at += sep.length;
  };
  visit(Int32Array.from({ length: ys.length }, (_, i) => i));
  return out;
}
