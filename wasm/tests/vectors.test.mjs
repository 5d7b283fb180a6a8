// The shared test vectors (vectors/*.json), checked through the npm package (run by
// scripts/test-wasm, or: node --test wasm/tests/vectors.test.mjs).
//
// The package exposes ballot validation, tracking codes, challenge openings and record
// verification; the point, proof and transcript vectors have no JavaScript API and are
// checked by the Rust tests.
//
// Environment: OSTRACON_WASM_PKG (default wasm/pkg).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const pkgDir = path.resolve(process.env.OSTRACON_WASM_PKG ?? path.join(root, "wasm/pkg"));
const require = createRequire(import.meta.url);
const w = require(path.join(pkgDir, "node/ostracon_wasm.js"));

const load = (name) => {
  const doc = JSON.parse(fs.readFileSync(path.join(root, "vectors", name), "utf8"));
  assert.equal(doc.schema, "ostracon-vectors/v1");
  return doc;
};
const cases = (doc, type) =>
  doc.testGroups.filter((g) => g.type === type).flatMap((g) => g.tests.map((t) => [g, t]));
const hexToBytes = (h) => Uint8Array.from(Buffer.from(h, "hex"));

/** Runs `fn`; returns the OstraconError code it throws, or null. */
function codeOf(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    assert.equal(e.name, "OstraconError", String(e));
    return e.code;
  }
}

const ballots = load("ballots.json");

test("ballots.json: validation and tracking codes", () => {
  const list = cases(ballots, "BallotValidation");
  assert.ok(list.length > 0);
  for (const [g, t] of list) {
    const election = w.Election.fromJson(g.election);
    const label = `tcId ${t.tcId}: ${t.comment}`;
    if (t.result === "valid") {
      const check = election.validateBallot(hexToBytes(t.ballot));
      assert.equal(check.trackingCodeHex, t.trackingCode, label);
      assert.equal(check.trackingCode, t.trackingCodeHuman, label);
      assert.equal(check.ballotId, t.ballotId, label);
      // Hex text is accepted too.
      assert.equal(election.validateBallot(t.ballot).trackingCodeHex, t.trackingCode);
    } else {
      assert.equal(codeOf(() => election.validateBallot(hexToBytes(t.ballot))), t.error, label);
    }
    election.free();
  }
});

test("ballots.json: challenge openings", () => {
  const list = cases(ballots, "ChallengeOpening");
  assert.ok(list.length > 0);
  for (const [g, t] of list) {
    const election = w.Election.fromJson(g.election);
    const label = `tcId ${t.tcId}: ${t.comment}`;
    if (t.result === "valid") {
      const check = election.verifyOpening(hexToBytes(t.ballot), t.opening);
      assert.equal(check.trackingCodeHex, t.trackingCode, label);
      assert.deepEqual(check.choices, t.plaintext, label);
    } else {
      assert.equal(
        codeOf(() => election.verifyOpening(hexToBytes(t.ballot), t.opening)),
        t.error,
        label,
      );
    }
    election.free();
  }
});

test("record.json: the verifier's report", () => {
  const list = cases(load("record.json"), "RecordVerification");
  assert.ok(list.length > 0);
  for (const [, t] of list) {
    const label = `tcId ${t.tcId}: ${t.comment}`;
    const input = t.format === "json" ? t.record : hexToBytes(t.record);
    if (t.result === "invalid" && t.error === "record.corrupt") {
      assert.equal(codeOf(() => w.verifyRecord(input)), "record.corrupt", label);
      continue;
    }
    const report = w.verifyRecord(input);
    const e = t.expected;
    assert.equal(report.ok, e.ok, label);
    assert.equal(report.ok, t.result === "valid", label);
    const failed = [...new Set(report.failures.map((f) => f.check))].sort((a, b) => a - b);
    assert.deepEqual(failed, e.failedChecks, label);
    assert.equal(report.base_hash, e.baseHash, label);
    assert.deepEqual(report.counts, e.counts, label);
    assert.deepEqual(report.results?.contests ?? null, e.results, label);
  }
});
