// The booth's Web Worker: all wasm work runs here, off the page's main thread.
//
// The page starts two of these: the booth (encrypts, holds each ballot's secret
// opening inside the wasm object until challenge or cast) and a "second device" that
// only ever sees what a voter's phone would see: the ballot bytes and, after a
// challenge, the opening JSON.
//
// Protocol: the page posts { id, op, args }, the worker answers { id, ok, result } or
// { id, ok: false, error: { name, code, message, contest, option } }.

import init, { Election } from "../pkg/booth/web/ostracon_wasm.js";

const ready = init(); // fetches ostracon_wasm_bg.wasm next to the module
let election = null;
/** Ballots encrypted but not yet challenged or cast, by id: they hold secrets. */
const pending = new Map();
/**
 * The next ballot's choice-independent work, done while the voter reads the ballot:
 * { ballotId, pre, ms } (pre holds the ballot's master nonce and proof secrets).
 */
let prepared = null;

function dropPrepared() {
  prepared?.pre.free(); // zeroizes the secrets held in wasm memory
  prepared = null;
}

function take(ballotId) {
  const b = pending.get(ballotId);
  if (!b) throw Object.assign(new Error(`no pending ballot '${ballotId}'`), { code: "booth.unknown" });
  pending.delete(ballotId);
  return b;
}

const ops = {
  load(json) {
    for (const b of pending.values()) b.free();
    pending.clear();
    dropPrepared();
    election?.free();
    election = Election.fromJson(json);
    return { baseHash: election.baseHash, manifest: election.manifest };
  },
  check(plaintext) {
    return election.checkSelection(plaintext);
  },
  /**
   * Precomputes ballot `ballotId` (every fixed-base multiplication of its encryption
   * and proofs) so that `encrypt` of that id only finishes it. Replaces an earlier one.
   */
  prepare(ballotId) {
    dropPrepared();
    const t0 = performance.now();
    const pre = election.precomputeBallot(ballotId);
    prepared = { ballotId, pre, ms: performance.now() - t0 };
    return { ballotId, ms: prepared.ms };
  },
  /**
   * Encrypts the choices as ballot `ballotId`: from its precomputation when `prepare`
   * made one for this id, online otherwise. The precomputation is used up unless the
   * choices were refused before it was touched.
   */
  encrypt(ballotId, plaintext) {
    const t0 = performance.now();
    let b;
    let precomputedMs = null;
    if (prepared?.ballotId === ballotId) {
      const { pre, ms } = prepared;
      try {
        b = election.encryptPrecomputed(pre, plaintext);
      } catch (e) {
        if (pre.used) dropPrepared(); // refused after it was consumed: online next time
        throw e; // refused before (unreadable choices): kept for the next try
      }
      dropPrepared();
      precomputedMs = ms;
    } else {
      b = election.encryptBallot(ballotId, plaintext);
    }
    const ms = performance.now() - t0;
    pending.set(ballotId, b);
    return {
      ballotId,
      trackingCode: b.trackingCode,
      trackingCodeHex: b.trackingCodeHex,
      bytes: b.toBytes(),
      ms,
      precomputedMs,
    };
  },
  challenge(ballotId) {
    const b = take(ballotId);
    try {
      return { opening: b.challenge(), bytes: b.toBytes() };
    } finally {
      b.free(); // zeroizes the opening held in wasm memory
    }
  },
  cast(ballotId, voterId, voterKeySeed) {
    const b = take(ballotId);
    try {
      return b.cast(voterId ?? undefined, voterKeySeed ?? undefined);
    } finally {
      b.free();
    }
  },
  discard(ballotId) {
    pending.get(ballotId)?.free();
    pending.delete(ballotId);
  },
  validate(ballot) {
    return election.validateBallot(ballot);
  },
  verifyOpening(ballot, opening) {
    return election.verifyOpening(ballot, opening);
  },
  /**
   * Times `n` encryptions of `plaintext` in the election `json` (after 5 warm-ups):
   * online (`online`), and split into the precomputation (`precompute`) and the
   * encryption the voter waits for (`precomputed`). Times in ms.
   */
  bench(json, plaintext, n) {
    const e = Election.fromJson(json);
    const timed = (f) => {
      const t0 = performance.now();
      const r = f();
      return [performance.now() - t0, r];
    };
    try {
      for (let i = 0; i < 5; i++) e.encryptBallot(`warm-${i}`, plaintext).free();
      const online = [];
      const precompute = [];
      const precomputed = [];
      for (let i = 0; i < n; i++) {
        const [t, b] = timed(() => e.encryptBallot(`bench-${i}`, plaintext));
        online.push(t);
        b.free();
        const [tp, pre] = timed(() => e.precomputeBallot(`bench-pre-${i}`));
        precompute.push(tp);
        try {
          const [te, bp] = timed(() => e.encryptPrecomputed(pre, plaintext));
          precomputed.push(te);
          bp.free();
        } finally {
          pre.free();
        }
      }
      return { online, precompute, precomputed };
    } finally {
      e.free();
    }
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    await ready;
    if (!(op in ops)) throw new Error(`unknown op ${op}`);
    self.postMessage({ id, ok: true, result: ops[op](...args) });
  } catch (e) {
    const { name, code, message, contest, option } = e ?? {};
    self.postMessage({ id, ok: false, error: { name, code, message: message ?? String(e), contest, option } });
  }
};
