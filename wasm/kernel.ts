// The blocked kernel's fast route (src/engine/blocked.ts, native/kernel.c `fast_rows`) in AssemblyScript, float64
// with f64x2 SIMD. Raw linear memory only (runtime stub, no managed objects): the TypeScript wrapper
// src/engine/wasm.ts lays the arrays out and passes their byte offsets. Per query i (queries padded to a multiple
// of 4) and data block [j0, j1):
//   G_ij = X_i · Y_j (centred), ℓ_j = log π_j − (‖y_j−c‖² − 2 G_ij)·inv_i;
//   online softmax: when the block raises the running max M_i, the sums are rescaled by exp(M_old − M_new) and
//   Σ e a shifted by (M_old − M_new)·S_old; then e_j = exp(ℓ_j − M_i) gives rest = Σ_{j≠j*} e_j, Σ e‖y−c‖²,
//   Σ e a, Σ e², class masses, and acc += e_j (y_j − c) (per class when class means are wanted).
// The wrapper finishes the rows (finishCentred) and reroutes the rest exactly as the TypeScript blocked kernel does.

/** First free byte above the module's static data (the exp table). */
export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function setf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** G[i·P + (j−j0)] = X_{g+i} · Y_j for four queries and the points j in [j0, j1): 4 queries × 2 points × f64x2. */
function dots4(X: usize, Y: usize, j0: i32, j1: i32, D: i32, G: usize): void {
  const P = j1 - j0;
  const rowBytes = <usize>D << 3;
  const x0 = X, x1 = X + rowBytes, x2 = X + 2 * rowBytes, x3 = X + 3 * rowBytes;
  const D2 = D & ~1;
  let j = j0;
  for (; j + 1 < j1; j += 2) {
    const ya = Y + <usize>j * rowBytes;
    const yb = ya + rowBytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
    for (let k = 0; k < D2; k += 2) {
      const o = <usize>k << 3;
      const u = v128.load(ya + o);
      const v = v128.load(yb + o);
      const p0 = v128.load(x0 + o);
      const p1 = v128.load(x1 + o);
      const p2 = v128.load(x2 + o);
      const p3 = v128.load(x3 + o);
      a0 = f64x2.add(a0, f64x2.mul(p0, u));
      a1 = f64x2.add(a1, f64x2.mul(p1, u));
      a2 = f64x2.add(a2, f64x2.mul(p2, u));
      a3 = f64x2.add(a3, f64x2.mul(p3, u));
      b0 = f64x2.add(b0, f64x2.mul(p0, v));
      b1 = f64x2.add(b1, f64x2.mul(p1, v));
      b2 = f64x2.add(b2, f64x2.mul(p2, v));
      b3 = f64x2.add(b3, f64x2.mul(p3, v));
    }
    let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
    let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
    let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
    let t0 = f64x2.extract_lane(b0, 0) + f64x2.extract_lane(b0, 1);
    let t1 = f64x2.extract_lane(b1, 0) + f64x2.extract_lane(b1, 1);
    let t2 = f64x2.extract_lane(b2, 0) + f64x2.extract_lane(b2, 1);
    let t3 = f64x2.extract_lane(b3, 0) + f64x2.extract_lane(b3, 1);
    if (D2 < D) {
      const k = D2;
      const u = f(ya, k), v = f(yb, k);
      const p0 = f(x0, k), p1 = f(x1, k), p2 = f(x2, k), p3 = f(x3, k);
      s0 += p0 * u; s1 += p1 * u; s2 += p2 * u; s3 += p3 * u;
      t0 += p0 * v; t1 += p1 * v; t2 += p2 * v; t3 += p3 * v;
    }
    const c = j - j0;
    setf(G, c, s0); setf(G, P + c, s1); setf(G, 2 * P + c, s2); setf(G, 3 * P + c, s3);
    setf(G, c + 1, t0); setf(G, P + c + 1, t1); setf(G, 2 * P + c + 1, t2); setf(G, 3 * P + c + 1, t3);
  }
  if (j < j1) {
    const ya = Y + <usize>j * rowBytes;
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (let k = 0; k < D; k++) {
      const u = f(ya, k);
      s0 += f(x0, k) * u; s1 += f(x1, k) * u; s2 += f(x2, k) * u; s3 += f(x3, k) * u;
    }
    const c = j - j0;
    setf(G, c, s0); setf(G, P + c, s1); setf(G, 2 * P + c, s2); setf(G, 3 * P + c, s3);
  }
}

/** A[a_i + t_j·D + k] += E[i·P + (j−j0)]·Y_j[k] for four accumulator rows (stride w numbers), t_j the class or 0. */
function accumulate4(E: usize, Y: usize, j0: i32, j1: i32, D: i32, A: usize, w: i32, labels: usize, perClass: bool): void {
  const P = j1 - j0;
  const rowBytes = <usize>D << 3;
  const D2 = D & ~1;
  let j = j0;
  // Two points at a time where they share the accumulator rows (same class, or no classes): one load and one store
  // of the accumulators per two products (the loop is bound by those, not by the arithmetic).
  for (; j + 1 < j1; j += 2) {
    const t = perClass ? load<i32>(labels + (<usize>j << 2)) : 0;
    if (perClass && load<i32>(labels + (<usize>(j + 1) << 2)) != t) {
      one(E, Y, j, j0, P, D, A, w, t * D);
      one(E, Y, j + 1, j0, P, D, A, w, load<i32>(labels + (<usize>(j + 1) << 2)) * D);
      continue;
    }
    const c = j - j0;
    const e0 = f(E, c), e1 = f(E, P + c), e2 = f(E, 2 * P + c), e3 = f(E, 3 * P + c);
    const g0 = f(E, c + 1), g1 = f(E, P + c + 1), g2 = f(E, 2 * P + c + 1), g3 = f(E, 3 * P + c + 1);
    if (e0 == 0 && e1 == 0 && e2 == 0 && e3 == 0 && g0 == 0 && g1 == 0 && g2 == 0 && g3 == 0) continue;
    const a0 = A + (<usize>(t * D) << 3);
    const a1 = a0 + (<usize>w << 3);
    const a2 = a1 + (<usize>w << 3);
    const a3 = a2 + (<usize>w << 3);
    const yo = Y + <usize>j * rowBytes;
    const zo = yo + rowBytes;
    const v0 = f64x2.splat(e0), v1 = f64x2.splat(e1), v2 = f64x2.splat(e2), v3 = f64x2.splat(e3);
    const u0 = f64x2.splat(g0), u1 = f64x2.splat(g1), u2 = f64x2.splat(g2), u3 = f64x2.splat(g3);
    for (let k = 0; k < D2; k += 2) {
      const o = <usize>k << 3;
      const y = v128.load(yo + o);
      const z = v128.load(zo + o);
      v128.store(a0 + o, f64x2.add(f64x2.add(v128.load(a0 + o), f64x2.mul(v0, y)), f64x2.mul(u0, z)));
      v128.store(a1 + o, f64x2.add(f64x2.add(v128.load(a1 + o), f64x2.mul(v1, y)), f64x2.mul(u1, z)));
      v128.store(a2 + o, f64x2.add(f64x2.add(v128.load(a2 + o), f64x2.mul(v2, y)), f64x2.mul(u2, z)));
      v128.store(a3 + o, f64x2.add(f64x2.add(v128.load(a3 + o), f64x2.mul(v3, y)), f64x2.mul(u3, z)));
    }
    if (D2 < D) {
      const y = f(yo, D2);
      const z = f(zo, D2);
      setf(a0, D2, f(a0, D2) + e0 * y + g0 * z);
      setf(a1, D2, f(a1, D2) + e1 * y + g1 * z);
      setf(a2, D2, f(a2, D2) + e2 * y + g2 * z);
      setf(a3, D2, f(a3, D2) + e3 * y + g3 * z);
    }
  }
  if (j < j1) one(E, Y, j, j0, P, D, A, w, perClass ? load<i32>(labels + (<usize>j << 2)) * D : 0);
}

/** accumulate4's step for one point j into the accumulator rows at offset t (numbers). */
function one(E: usize, Y: usize, j: i32, j0: i32, P: i32, D: i32, A: usize, w: i32, t: i32): void {
  const rowBytes = <usize>D << 3;
  const D2 = D & ~1;
  const c = j - j0;
  const e0 = f(E, c), e1 = f(E, P + c), e2 = f(E, 2 * P + c), e3 = f(E, 3 * P + c);
  if (e0 == 0 && e1 == 0 && e2 == 0 && e3 == 0) return;
  const a0 = A + (<usize>t << 3);
  const a1 = a0 + (<usize>w << 3);
  const a2 = a1 + (<usize>w << 3);
  const a3 = a2 + (<usize>w << 3);
  const yo = Y + <usize>j * rowBytes;
  const v0 = f64x2.splat(e0), v1 = f64x2.splat(e1), v2 = f64x2.splat(e2), v3 = f64x2.splat(e3);
  for (let k = 0; k < D2; k += 2) {
    const o = <usize>k << 3;
    const y = v128.load(yo + o);
    v128.store(a0 + o, f64x2.add(v128.load(a0 + o), f64x2.mul(v0, y)));
    v128.store(a1 + o, f64x2.add(v128.load(a1 + o), f64x2.mul(v1, y)));
    v128.store(a2 + o, f64x2.add(v128.load(a2 + o), f64x2.mul(v2, y)));
    v128.store(a3 + o, f64x2.add(v128.load(a3 + o), f64x2.mul(v3, y)));
  }
  if (D2 < D) {
    const y = f(yo, D2);
    setf(a0, D2, f(a0, D2) + e0 * y);
    setf(a1, D2, f(a1, D2) + e1 * y);
    setf(a2, D2, f(a2, D2) + e2 * y);
    setf(a3, D2, f(a3, D2) + e3 * y);
  }
}

/**
 * Logits of query i on one block into G (in place, then weights e_j, 0 where they underflow), rescaling the
 * running sums first when the block holds a new maximum: blocked.ts `weighBlock`.
 */
function weighBlock(
  i: i32, G: usize, j0: i32, j1: i32, logW: usize, norms: usize, inv: f64, labels: usize, classes: bool, K: i32,
  M: usize, ref: usize, rest: usize, s2p: usize, eLogp: usize, eSqp: usize, classRest: usize, acc: usize, w: i32,
): void {
  let bm = -Infinity;
  let bj = -1;
  for (let j = j0; j < j1; j++) {
    const l = f(logW, j) - (f(norms, j) - 2 * f(G, j - j0)) * inv;
    setf(G, j - j0, l);
    if (l > bm) {
      bm = l;
      bj = j;
    }
  }
  const M0 = f(M, i);
  const refp = ref + (<usize>i << 2);
  if (bm > M0) {
    if (M0 == -Infinity) {
      setf(rest, i, 0); setf(s2p, i, 0); setf(eLogp, i, 0); setf(eSqp, i, 0);
    } else {
      const scale = Math.exp(M0 - bm);
      const S0 = 1 + f(rest, i);
      setf(eLogp, i, scale * (f(eLogp, i) + (M0 - bm) * S0));
      setf(rest, i, S0 * scale);
      setf(s2p, i, f(s2p, i) * scale);
      setf(eSqp, i, f(eSqp, i) * scale * scale);
      if (classes) {
        const cr = classRest + (<usize>(i * K) << 3);
        const cs = load<i32>(labels + (<usize>load<i32>(refp) << 2));
        setf(cr, cs, f(cr, cs) + 1);
        for (let c = 0; c < K; c++) setf(cr, c, f(cr, c) * scale);
      }
      const a = acc + (<usize>(i * w) << 3);
      for (let k = 0; k < w; k++) setf(a, k, f(a, k) * scale);
    }
    setf(M, i, bm);
    store<i32>(refp, bj);
  }
  const Mi = f(M, i);
  const star = load<i32>(refp);
  if (Mi == -Infinity) {
    memory.fill(G, 0, <usize>(j1 - j0) << 3);
    return;
  }
  let r: f64 = 0, s2: f64 = 0, eLog: f64 = 0, eSq: f64 = 0;
  const cr = classRest + (<usize>(i * K) << 3);
  for (let j = j0; j < j1; j++) {
    const a = f(G, j - j0) - Mi;
    const e = Math.exp(a);
    setf(G, j - j0, e);
    if (e == 0) continue;
    if (j != star) {
      r += e;
      eLog += e * a;
      if (classes) {
        const c = load<i32>(labels + (<usize>j << 2));
        setf(cr, c, f(cr, c) + e);
      }
    }
    s2 += e * f(norms, j);
    eSq += e * e;
  }
  setf(rest, i, f(rest, i) + r);
  setf(s2p, i, f(s2p, i) + s2);
  setf(eLogp, i, f(eLogp, i) + eLog);
  setf(eSqp, i, f(eSqp, i) + eSq);
}

/**
 * The fast route on Q queries (Q a multiple of 4) against N centred points in blocks of P: fills M, ref, rest,
 * s2, eLog, eSq, classRest (Q × K, when `flags & 1`) and acc (Q × w: Σ e (y−c), or per class Q × K × D when
 * `flags & 2`). The state arrays must be initialised (M = −∞, ref = −1, sums 0). G is scratch of 4·P numbers.
 */
export function fastRows(
  X: usize, inv: usize, Q: i32, Y: usize, norms: usize, logW: usize, labels: usize, N: i32, D: i32, K: i32,
  flags: i32, P: i32, M: usize, ref: usize, rest: usize, s2: usize, eLog: usize, eSq: usize, classRest: usize,
  acc: usize, G: usize,
): void {
  const classes = (flags & 1) != 0;
  const perClass = (flags & 2) != 0;
  const w = perClass ? K * D : D;
  for (let j0 = 0; j0 < N; j0 += P) {
    const j1 = min(N, j0 + P);
    const B = j1 - j0;
    for (let g = 0; g < Q; g += 4) {
      dots4(X + (<usize>(g * D) << 3), Y, j0, j1, D, G);
      for (let i = 0; i < 4; i++)
        weighBlock(g + i, G + (<usize>(i * B) << 3), j0, j1, logW, norms, f(inv, g + i), labels, classes, K, M, ref, rest, s2, eLog, eSq, classRest, acc, w);
      accumulate4(G, Y, j0, j1, D, acc + (<usize>(g * w) << 3), w, labels, perClass);
    }
  }
}
