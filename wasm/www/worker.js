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
    election?.free();
    election = Election.fromJson(json);
    return { baseHash: election.baseHash, manifest: election.manifest };
  },
  check(plaintext) {
    return election.checkSelection(plaintext);
  },
  encrypt(ballotId, plaintext) {
    const t0 = performance.now();
    const b = election.encryptBallot(ballotId, plaintext);
    const ms = performance.now() - t0;
    pending.set(ballotId, b);
    return {
      ballotId,
      trackingCode: b.trackingCode,
      trackingCodeHex: b.trackingCodeHex,
      bytes: b.toBytes(),
      ms,
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
  /** Times `n` encryptions of `plaintext` in the election `json` (after 5 warm-ups). */
  bench(json, plaintext, n) {
    const e = Election.fromJson(json);
    try {
      for (let i = 0; i < 5; i++) e.encryptBallot(`warm-${i}`, plaintext).free();
      const times = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const b = e.encryptBallot(`bench-${i}`, plaintext);
        times.push(performance.now() - t0);
        b.free();
      }
      return times;
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
