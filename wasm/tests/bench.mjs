// Node benchmark of the package: encrypting a 10-option approval ballot (choose up to
// 3) with all its proofs, validating it, and the .wasm sizes.
//
//     node wasm/tests/bench.mjs [n]        # writes target/artifacts/wasm-bench-node.json
//
// Uses wasm/pkg (OSTRACON_WASM_PKG) and wasm/www/bench-election.json (the election of
// examples/approval-10.json).

import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pkgDir = path.resolve(process.env.OSTRACON_WASM_PKG ?? path.join(root, "wasm/pkg"));
const n = Number(process.argv[2] ?? 200);
const require = createRequire(import.meta.url);
const electionJson = fs.readFileSync(path.join(root, "wasm/www/bench-election.json"), "utf8");
const plaintext = { council: [1, 0, 0, 1, 0, 0, 0, 0, 1, 0] };

const stats = (times) => {
  const s = [...times].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p10: q(0.1), p90: q(0.9), min: s[0] };
};

function time(fn, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return stats(times);
}

const result = { node: process.version, sizes: {}, variants: {} };
for (const [variant, sub] of [["booth", "booth/"], ["full", ""]]) {
  const wasm = fs.readFileSync(path.join(pkgDir, `${sub}web/ostracon_wasm_bg.wasm`));
  result.sizes[variant] = {
    bytes: wasm.length,
    kib: +(wasm.length / 1024).toFixed(1),
    gzipBytes: zlib.gzipSync(wasm, { level: 9 }).length,
  };
  const w = require(path.join(pkgDir, `${sub}node/ostracon_wasm.js`));
  const election = w.Election.fromJson(electionJson);
  for (let i = 0; i < 20; i++) election.encryptBallot(`warm-${i}`, plaintext).free();
  const encrypt = time((i) => election.encryptBallot(`b-${i}`, plaintext).free(), n);
  // The booth's split: precompute while the voter reads, encrypt once chosen.
  const pres = [];
  const precompute = time((i) => pres.push(election.precomputeBallot(`p-${i}`)), n);
  const encryptPrecomputed = time((i) => {
    election.encryptPrecomputed(pres[i], plaintext).free();
    pres[i].free();
  }, n);
  const ballot = election.encryptBallot("v", plaintext);
  const bytes = ballot.toBytes();
  const validate = time(() => election.validateBallot(bytes), Math.max(20, n / 4));
  const load = time(() => w.Election.fromJson(electionJson).free(), 20);
  result.variants[variant] = {
    encrypt,
    precompute,
    encryptPrecomputed,
    validate,
    loadElection: load,
    ballotBytes: bytes.length,
  };
  ballot.free();
  election.free();
}

const fmt = (s) => `median ${s.median.toFixed(2)} ms (p10 ${s.p10.toFixed(2)}, p90 ${s.p90.toFixed(2)}, n ${s.n})`;
for (const [v, r] of Object.entries(result.variants)) {
  const sz = result.sizes[v];
  console.log(`${v}: .wasm ${sz.bytes} bytes (${sz.kib} KiB), gzip -9 ${sz.gzipBytes} bytes`);
  console.log(`  encrypt 10-option approval ballot: ${fmt(r.encrypt)}`);
  console.log(`  precomputeBallot (before choices): ${fmt(r.precompute)}`);
  console.log(`  encryptPrecomputed (after):        ${fmt(r.encryptPrecomputed)}`);
  console.log(`  validate it:                       ${fmt(r.validate)}`);
  console.log(`  Election.fromJson:                 ${fmt(r.loadElection)}`);
}
const out = path.join(root, "target/artifacts/wasm-bench-node.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(result, null, 2));
console.log(`wrote ${path.relative(root, out)}`);
