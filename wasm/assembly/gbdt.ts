/** GBDT training kernels: gradient histograms, histogram subtraction and row partitions over caller-owned memory. */

// The host lays out every buffer and passes byte offsets; nothing here allocates. Positions index rows in
// the host's buffers: position p has `rowWords` 32-bit words of bins at `words + 4·p·rowWords` (four
// 8-bit bins each), its row id at `rows + 4·p` and its gradient at `grad + 8·p`.

const MISSING: u32 = 255;
/** Runs of up to this many bytes of bins are copied by a loop. */
const SHORT_COPY: usize = 4096;
/** Bytes of one feature's histogram: 256 bins × (gradient sum, count) as f64 pairs. */
const FEATURE_BYTES: usize = 256 * 16;

/**
 * Fills the histogram at `hist` for feature words `[w0, w1)` from positions `[begin, end)`: per feature and
 * bin, the gradient sum and the row count, added as one f64x2 per bin so each sum runs in position order.
 */
export function histogram(
  words: usize,
  rowWords: i32,
  grad: usize,
  begin: i32,
  end: i32,
  hist: usize,
  w0: i32,
  w1: i32,
): void {
  const h0 = hist + <usize>w0 * 4 * FEATURE_BYTES;
  memory.fill(h0, 0, <usize>(w1 - w0) * 4 * FEATURE_BYTES);
  const one = f64x2(0, 1);
  for (let i = begin; i < end; i++) {
    const g = f64x2.replace_lane(one, 0, load<f64>(grad + (<usize>i << 3)));
    let w = words + ((<usize>i * <usize>rowWords + <usize>w0) << 2);
    const wEnd = words + ((<usize>i * <usize>rowWords + <usize>w1) << 2);
    for (let h = h0; w < wEnd; w += 4, h += 4 * FEATURE_BYTES) {
      const v = load<u32>(w);
      let p = h + (<usize>(v & 255) << 4);
      v128.store(p, f64x2.add(v128.load(p), g));
      p = h + FEATURE_BYTES + (<usize>((v >> 8) & 255) << 4);
      v128.store(p, f64x2.add(v128.load(p), g));
      p = h + 2 * FEATURE_BYTES + (<usize>((v >> 16) & 255) << 4);
      v128.store(p, f64x2.add(v128.load(p), g));
      p = h + 3 * FEATURE_BYTES + (<usize>(v >> 24) << 4);
      v128.store(p, f64x2.add(v128.load(p), g));
    }
  }
}

/** `parent -= child` over `n` f64 values (n even): the sibling's histogram by subtraction. */
export function subtract(parent: usize, child: usize, n: i32): void {
  const end = parent + (<usize>n << 3);
  for (let p = parent, c = child; p < end; p += 16, c += 16) {
    v128.store(p, f64x2.sub(v128.load(p), v128.load(c)));
  }
}

/** `target += part` over `n` f64 values (n even): a histogram built in two halves of its rows. */
export function add(target: usize, part: usize, n: i32): void {
  const end = target + (<usize>n << 3);
  for (let p = target, c = part; p < end; p += 16, c += 16) {
    v128.store(p, f64x2.add(v128.load(p), v128.load(c)));
  }
}

/**
 * Copies positions `[begin, end)` of the region starting at position `src` to the region at `dst`, split by
 * side; returns how many rows went left. A row goes left when `flags` is 0 and its bin of the split feature
 * (`word`, `shift`) is `<= bin` (missing: `missingLeft`), or, when `flags` is not 0, when the byte
 * `flags[row]` is 1 (the others are then not copied). Forward, left rows fill upwards from position
 * `leftAt` and right rows from `rightAt`; backward, they fill downwards ending just below those positions,
 * so two halves of a range can be partitioned independently (first half forward, second backward) and meet.
 * Runs of rows going the same way keep their order.
 */
export function partition(
  words: usize,
  rows: usize,
  grad: usize,
  rowWords: i32,
  src: i32,
  begin: i32,
  end: i32,
  leftAt: i32,
  rightAt: i32,
  backward: i32,
  word: i32,
  shift: i32,
  bin: i32,
  missingLeft: i32,
  flags: usize,
): i32 {
  const rowBytes = <usize>rowWords << 2;
  let left = leftAt;
  let right = rightAt;
  let moved = 0;
  let i = begin;
  let side = i < end ? sideOf(words, rows, rowWords, src + i, word, shift, bin, missingLeft, flags) : 0;
  while (i < end) {
    let j = i + 1;
    let next = side;
    while (j < end) {
      next = sideOf(words, rows, rowWords, src + j, word, shift, bin, missingLeft, flags);
      if (next != side) break;
      j++;
    }
    const count = j - i;
    let at: i32;
    if (side) {
      at = backward ? left - count : left;
      left = backward ? left - count : left + count;
      moved += count;
    } else {
      at = backward ? right - count : right;
      right = backward ? right - count : right + count;
    }
    if (side || flags == 0) copyRows(words, rows, grad, rowBytes, <usize>(src + i), <usize>at, <usize>count);
    i = j;
    side = next;
  }
  return moved;
}

@inline
function copyRows(words: usize, rows: usize, grad: usize, rowBytes: usize, from: usize, at: usize, count: usize): void {
  const bytes = count * rowBytes;
  const w = words + from * rowBytes;
  const d = words + at * rowBytes;
  if (bytes <= SHORT_COPY) {
    // Short runs are the common case after the first splits; a loop beats a bulk-memory call.
    let k: usize = 0;
    for (; k + 16 <= bytes; k += 16) v128.store(d + k, v128.load(w + k));
    for (; k < bytes; k += 4) store<u32>(d + k, load<u32>(w + k));
    for (let r: usize = 0; r < count; r++) {
      store<i32>(rows + ((at + r) << 2), load<i32>(rows + ((from + r) << 2)));
      store<f64>(grad + ((at + r) << 3), load<f64>(grad + ((from + r) << 3)));
    }
  } else {
    memory.copy(d, w, bytes);
    memory.copy(rows + (at << 2), rows + (from << 2), count << 2);
    memory.copy(grad + (at << 3), grad + (from << 3), count << 3);
  }
}

/**
 * Best split of a leaf holding `count` rows with gradient sum `sumG`, from its histogram at `hist`: every
 * feature whose byte in `mask` is 1 (its value bins counted in the i32 `nBins`), every bin boundary, missing
 * values tried on both sides (plus "all values left, missing right"); without missing values in the leaf
 * they follow the larger child. Children need `minC` rows; the score is `GL²/(CL+λ) + GR²/(CR+λ)`. Ties keep
 * the first candidate. Writes f64s to `out`: gain over the parent (0 when none), feature (-1 when none),
 * bin, missing-left (0/1), left gradient sum, left count.
 */
export function bestSplit(
  hist: usize,
  nFeatures: i32,
  nBins: usize,
  mask: usize,
  sumG: f64,
  count: f64,
  lambda: f64,
  minC: f64,
  minGain: f64,
  out: usize,
): void {
  const parent = (sumG * sumG) / (count + lambda);
  let best = parent + minGain;
  let feature: i32 = -1;
  let bestBin: i32 = 0;
  let missingLeft: i32 = 0;
  let bestGl: f64 = 0;
  let bestCl: f64 = 0;
  if (count >= 2 * minC) {
    for (let f: i32 = 0; f < nFeatures; f++) {
      if (load<u8>(mask + <usize>f) == 0) continue;
      const base = hist + <usize>f * FEATURE_BYTES;
      const gm = load<f64>(base + (<usize>MISSING << 4));
      const cm = load<f64>(base + (<usize>MISSING << 4) + 8);
      const last = load<i32>(nBins + (<usize>f << 2)) - 1;
      let gl: f64 = 0;
      let cl: f64 = 0;
      for (let t: i32 = 0; t < last; t++) {
        // An empty bin repeats the previous candidate, which cannot beat itself: no branch needed.
        gl += load<f64>(base + (<usize>t << 4));
        cl += load<f64>(base + (<usize>t << 4) + 8);
        if (cl + cm < minC) continue;
        if (count - cl < minC) break;
        if (cl >= minC) {
          const gr = sumG - gl;
          const cr = count - cl;
          const dl = cl + lambda;
          const dr = cr + lambda;
          // score > best without dividing: the denominators are positive.
          if (gl * gl * dr + gr * gr * dl > best * dl * dr) {
            best = (gl * gl) / dl + (gr * gr) / dr;
            feature = f;
            bestBin = t;
            missingLeft = cm == 0 ? <i32>(cl >= cr) : 0;
            bestGl = gl;
            bestCl = cl;
          }
        }
        if (cm > 0) {
          const glm = gl + gm;
          const clm = cl + cm;
          const cr = count - clm;
          if (cr >= minC) {
            const gr = sumG - glm;
            const dl = clm + lambda;
            const dr = cr + lambda;
            if (glm * glm * dr + gr * gr * dl > best * dl * dr) {
              best = (glm * glm) / dl + (gr * gr) / dr;
              feature = f;
              bestBin = t;
              missingLeft = 1;
              bestGl = glm;
              bestCl = clm;
            }
          }
        }
      }
      if (cm >= minC && count - cm >= minC) {
        const glv = sumG - gm;
        const clv = count - cm;
        const score = (glv * glv) / (clv + lambda) + (gm * gm) / (cm + lambda);
        if (score > best) {
          best = score;
          feature = f;
          bestBin = last;
          missingLeft = 0;
          bestGl = glv;
          bestCl = clv;
        }
      }
    }
  }
  store<f64>(out, feature >= 0 ? best - parent : 0);
  store<f64>(out + 8, <f64>feature);
  store<f64>(out + 16, <f64>bestBin);
  store<f64>(out + 24, <f64>missingLeft);
  store<f64>(out + 32, bestGl);
  store<f64>(out + 40, bestCl);
}

@inline
function sideOf(
  words: usize,
  rows: usize,
  rowWords: i32,
  p: i32,
  word: i32,
  shift: i32,
  bin: i32,
  missingLeft: i32,
  flags: usize,
): i32 {
  if (flags != 0) return <i32>load<u8>(flags + <usize>load<i32>(rows + (<usize>p << 2)));
  const b = (load<u32>(words + ((<usize>p * <usize>rowWords + <usize>word) << 2)) >> <u32>shift) & 255;
  return b == MISSING ? missingLeft : <i32>(b <= <u32>bin);
}
