// Node tests of the npm package (run by scripts/test-wasm, or: node --test wasm/tests/).
//
// The fixtures come from the native core (cargo run -p ostracon-wasm --example fixtures
// -- write DIR): ballots, error cases and verifier reports made by the x86_64 build,
// checked here against the wasm32 build. The ballots JavaScript encrypts are written to
// DIR/js/ and checked by the native core (`fixtures check-js DIR`), by the last test
// when OSTRACON_WASM_CHECKER names the fixtures binary.
//
// Environment: OSTRACON_WASM_PKG (default wasm/pkg), OSTRACON_WASM_FIXTURES (default
// target/wasm-fixtures), OSTRACON_WASM_CHECKER (the native fixtures binary; optional).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const pkgDir = path.resolve(process.env.OSTRACON_WASM_PKG ?? path.join(root, "wasm/pkg"));
const fixtures = path.resolve(
  process.env.OSTRACON_WASM_FIXTURES ?? path.join(root, "target/wasm-fixtures"),
);
const require = createRequire(import.meta.url);
const w = require(path.join(pkgDir, "node/ostracon_wasm.js"));

const read = (f) => fs.readFileSync(path.join(fixtures, f));
const readJson = (f) => JSON.parse(read(f).toString("utf8"));
const hexToBytes = (h) => Uint8Array.from(Buffer.from(h, "hex"));
const electionJson = read("election.json").toString("utf8");
const election = w.Election.fromJson(electionJson);
const rustBallot = readJson("rust-ballot.json");

/** Asserts that `fn` throws an OstraconError with these properties. */
function throwsOstracon(fn, expected) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "expected an Error to be thrown");
  assert.equal(caught.name, "OstraconError");
  for (const [k, v] of Object.entries(expected)) {
    assert.equal(caught[k] ?? null, v ?? null, `error.${k}: ${caught.message}`);
  }
  return caught;
}

const demoChoice = {
  chair: [0, 0, 1, 0],
  board: [0, 1, 0, 0, 0, 1, 0, 0, 1, 0],
  budget: [1, 1, 4],
  projects: [3, 9],
  motion: [0, 0, 1],
  // Ranked: option indices, most preferred first; write-in: the text's UTF-8 bytes.
  president: [2, 0],
  "council-stv": [1],
  mascot: Array.from(new TextEncoder().encode("Ada")),
};

/** The rows checkSelection gives: ranks hold option + 1, text goes in 16-bit chunks. */
const demoRows = {
  ...demoChoice,
  president: [3, 1, 0, 0],
  "council-stv": [2, 0, 0, 0],
  mascot: [0x4164, 0x6100, 0],
};

test("election.json loads; base hash, manifest and JSON round trip", () => {
  const doc = JSON.parse(electionJson);
  assert.equal(election.baseHash, doc.base_hash);
  assert.deepEqual(election.manifest, doc.manifest);
  assert.deepEqual(
    election.manifest.contests.map((c) => c.id),
    ["chair", "board", "budget", "projects", "motion", "president", "council-stv", "mascot"],
  );
  const again = w.Election.fromJson(election.toJson());
  assert.equal(again.baseHash, election.baseHash);
  again.free();
});

test("a corrupted election.json is refused with the core's code", () => {
  const doc = JSON.parse(electionJson);
  doc.base_hash = "00".repeat(32);
  throwsOstracon(() => w.Election.fromJson(JSON.stringify(doc)), {
    code: "input.invalid",
    message: "invalid input: election: base hash does not match its contents",
  });
  throwsOstracon(() => w.Election.fromJson("{"), { code: "input.invalid" });
});

test("checkSelection accepts a valid choice (text or object) and gives values in manifest order", () => {
  const values = election.checkSelection(demoChoice);
  assert.deepEqual(values, election.manifest.contests.map((c) => demoRows[c.id]));
  assert.deepEqual(election.checkSelection(JSON.stringify(demoChoice)), values);
});

test("invalid selections: same code, message and contest as the native core", () => {
  const cases = readJson("cases.json").filter((c) => c.kind === "selection");
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    throwsOstracon(() => election.checkSelection(c.plaintext), {
      code: c.code,
      message: c.message,
      contest: c.contest,
    });
    // encryptBallot checks the same rules first.
    throwsOstracon(() => election.encryptBallot("never", c.plaintext), {
      code: c.code,
      message: c.message,
    });
  }
});

test("a ballot encrypted by the native core validates in wasm with the same tracking code", () => {
  for (const input of [hexToBytes(rustBallot.ballot), rustBallot.ballotJson, rustBallot.ballot]) {
    const check = election.validateBallot(input);
    assert.deepEqual(check, {
      ballotId: rustBallot.ballotId,
      trackingCode: rustBallot.trackingCode,
      trackingCodeHex: rustBallot.trackingCodeHex,
    });
  }
});

test("the native ballot's opening verifies in wasm and reveals its choices", () => {
  const result = election.verifyOpening(
    hexToBytes(rustBallot.ballot),
    JSON.stringify(rustBallot.opening),
  );
  assert.equal(result.trackingCodeHex, rustBallot.trackingCodeHex);
  assert.deepEqual(result.choices, rustBallot.plaintext);
});

test("invalid ballots and openings: same code, message, contest and option as the native core", () => {
  const cases = readJson("cases.json").filter((c) => c.kind !== "selection");
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const expected = { code: c.code, message: c.message, contest: c.contest, option: c.option };
    if (c.kind === "ballot") {
      throwsOstracon(() => election.validateBallot(hexToBytes(c.ballot)), expected);
    } else {
      throwsOstracon(
        () => election.verifyOpening(hexToBytes(c.ballot), JSON.stringify(c.opening)),
        expected,
      );
    }
  }
});

test("wrong argument types throw input.invalid instead of crashing", () => {
  throwsOstracon(() => election.validateBallot(42), { code: "input.invalid" });
  throwsOstracon(() => election.validateBallot("zz"), { code: "decode.invalid_hex" });
  throwsOstracon(() => election.checkSelection("not json"), { code: "input.invalid" });
  throwsOstracon(() => election.checkSelection({ chair: [true] }), { code: "input.invalid" });
  throwsOstracon(() => election.encryptBallot("", demoChoice), { code: "input.invalid" });
  throwsOstracon(() => election.encryptBallot("b", demoChoice, "beef"), {
    code: "decode.wrong_length",
  });
  throwsOstracon(() => election.verifyOpening(hexToBytes(rustBallot.ballot), "{}"), {
    code: "input.invalid",
  });
});

const jsDir = path.join(fixtures, "js");
fs.rmSync(jsDir, { recursive: true, force: true });
fs.mkdirSync(jsDir, { recursive: true });
/** Writes a JavaScript-made ballot for the native check (`fixtures check-js`). */
function writeForNative(name, fields) {
  fs.writeFileSync(path.join(jsDir, `${name}.json`), JSON.stringify(fields, null, 1));
}

test("encrypt, show the tracking code, challenge: the opening verifies on another instance", () => {
  const ballot = election.encryptBallot("js-challenged-1", demoChoice);
  assert.equal(ballot.state, "pending");
  assert.match(ballot.trackingCode, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  assert.match(ballot.trackingCodeHex, /^[0-9a-f]{64}$/);
  const bytes = ballot.toBytes();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(JSON.parse(ballot.toJson()), Buffer.from(bytes).toString("hex"));
  assert.equal(election.validateBallot(bytes).trackingCodeHex, ballot.trackingCodeHex);

  const opening = ballot.challenge();
  assert.equal(ballot.state, "challenged");
  assert.equal(ballot.challenge(), opening, "challenge() is idempotent");
  // The "second device": its own Election instance, given only bytes and JSON.
  const device = w.Election.fromJson(electionJson);
  const check = device.verifyOpening(bytes, opening);
  assert.equal(check.trackingCode, ballot.trackingCode);
  assert.deepEqual(check.choices, demoChoice);
  device.free();
  // A challenged ballot is spoiled.
  throwsOstracon(() => ballot.cast(), {
    code: "ballot.already_used",
    ballot: "js-challenged-1",
    message: "ballot 'js-challenged-1': already cast or challenged",
  });
  writeForNative("challenged", {
    ballot: Buffer.from(bytes).toString("hex"),
    ballotJson: ballot.toJson(),
    trackingCode: ballot.trackingCode,
    trackingCodeHex: ballot.trackingCodeHex,
    plaintext: demoChoice,
    opening: JSON.parse(opening),
  });
  ballot.free();
});

test("precompute when the ballot is shown, encrypt once chosen: one use only", () => {
  const pre = election.precomputeBallot("js-precomputed-1");
  assert.equal(pre.ballotId, "js-precomputed-1");
  assert.equal(pre.used, false);
  const ballot = election.encryptPrecomputed(pre, demoChoice);
  assert.equal(pre.used, true);
  assert.equal(pre.ballotId, "");
  assert.equal(ballot.ballotId, "js-precomputed-1");
  const check = election.validateBallot(ballot.toBytes());
  assert.equal(check.trackingCodeHex, ballot.trackingCodeHex);
  // The opening re-encrypts to the same ciphertexts, as for encryptBallot.
  const opening = ballot.challenge();
  assert.deepEqual(election.verifyOpening(ballot.toBytes(), opening).choices, demoChoice);
  throwsOstracon(() => election.encryptPrecomputed(pre, demoChoice), {
    code: "input.invalid",
    message: "invalid input: this precomputed ballot was already used",
  });
  // Choices that break a rule are refused as by encryptBallot.
  const other = election.precomputeBallot("js-precomputed-2");
  throwsOstracon(() => election.encryptPrecomputed(other, { chair: [1, 1, 0, 0] }), {
    code: "selection.invalid",
  });
  throwsOstracon(() => election.precomputeBallot(""), { code: "input.invalid" });
  ballot.free();
  pre.free();
  other.free();
});

test("cast with a voter key: signature, the opening is gone, challenge refused", () => {
  const seed = w.generateVoterKey();
  assert.equal(seed.length, 32);
  const publicKey = w.voterPublicKey(seed);
  assert.match(publicKey, /^[0-9a-f]{64}$/);
  const choice = { chair: [1, 0, 0, 0], motion: [0, 1, 0], projects: [10, 0] };
  const ballot = election.encryptBallot("js-cast-1", choice);
  const sub = ballot.cast("voter-42", seed);
  assert.equal(ballot.state, "cast");
  assert.equal(sub.ballotId, "js-cast-1");
  assert.equal(sub.voter, "voter-42");
  assert.match(sub.signature, /^[0-9a-f]{128}$/);
  assert.deepEqual(sub.ballot, ballot.toBytes());
  assert.equal(sub.trackingCodeHex, ballot.trackingCodeHex);
  // Ed25519 is deterministic: a retry gives the same submission.
  assert.deepEqual(ballot.cast("voter-42", seed), sub);
  throwsOstracon(() => ballot.challenge(), { code: "ballot.already_used" });
  throwsOstracon(() => election.encryptBallot("x", choice).cast(undefined, seed), {
    code: "input.invalid",
  });
  throwsOstracon(() => election.encryptBallot("x", choice).cast("v", new Uint8Array(31)), {
    code: "input.invalid",
    message: "invalid input: voter key seed: expected 32 bytes, got 31",
  });
  writeForNative("cast-signed", {
    ballot: Buffer.from(sub.ballot).toString("hex"),
    ballotJson: ballot.toJson(),
    trackingCode: sub.trackingCode,
    trackingCodeHex: sub.trackingCodeHex,
    voter: sub.voter,
    voterPublicKey: publicKey,
    signature: sub.signature,
    opening: null,
  });
  ballot.free();
});

test("cast without a voter; a ballot chained to the previous code", () => {
  const first = election.encryptBallot("js-cast-2", { chair: [0, 0, 0, 1], motion: [1, 0, 0] });
  const sub = first.cast();
  assert.equal(sub.voter, undefined);
  assert.equal(sub.signature, undefined);
  const next = election.encryptBallot(
    "js-cast-3",
    { chair: [0, 1, 0, 0], motion: [1, 0, 0] },
    first.trackingCodeHex,
  );
  assert.notEqual(next.trackingCodeHex, first.trackingCodeHex);
  assert.equal(election.validateBallot(next.toBytes()).ballotId, "js-cast-3");
  for (const [name, b] of [["cast-plain", first], ["chained", next]]) {
    writeForNative(name, {
      ballot: Buffer.from(b.toBytes()).toString("hex"),
      trackingCode: b.trackingCode,
      trackingCodeHex: b.trackingCodeHex,
      opening: null,
    });
  }
  first.free();
  next.free();
});

test("bench election: a 10-option approval ballot round-trips", () => {
  const bench = w.Election.fromJson(read("bench-election.json").toString("utf8"));
  const choice = { council: [1, 0, 0, 1, 0, 0, 0, 0, 1, 0] };
  const ballot = bench.encryptBallot("js-bench-1", choice);
  const opening = ballot.challenge();
  assert.deepEqual(bench.verifyOpening(ballot.toBytes(), opening).choices, choice);
  // Another election's ballot is refused.
  throwsOstracon(() => election.validateBallot(ballot.toBytes()), {
    code: "ballot.wrong_election",
  });
  writeForNative("bench", {
    election: "bench-election.json",
    ballot: Buffer.from(ballot.toBytes()).toString("hex"),
    trackingCode: ballot.trackingCode,
    trackingCodeHex: ballot.trackingCodeHex,
    plaintext: choice,
    opening: JSON.parse(opening),
  });
  ballot.free();
  bench.free();
});

test("free() releases the object; using it afterwards throws", () => {
  const ballot = election.encryptBallot("js-freed", demoChoice);
  ballot.free();
  assert.throws(() => ballot.challenge());
});

test("verifyRecord: same report as the native verifier (binary, JSON Lines, tampered)", () => {
  const native = readJson("reports.json");
  for (const [file, expected] of Object.entries(native)) {
    const report = w.verifyRecord(read(file));
    assert.equal(report.ok, expected.ok, file);
    for (const k of ["checks", "failures", "counts", "base_hash", "results"]) {
      assert.deepEqual(report[k], expected[k], `${file}: ${k}`);
    }
    assert.match(report.summary, expected.ok ? /VALID/ : /INVALID/);
  }
  // JSON Lines also as text.
  assert.equal(w.verifyRecord(read("record.jsonl").toString("utf8")).ok, true);
  assert.ok(!native["record-tampered.jsonl"].ok, "the tampered record must fail natively");
  assert.equal(w.verifierChecks().length, 23);
  throwsOstracon(() => w.verifyRecord(new Uint8Array([79, 83, 84, 82, 65, 67, 79, 78, 9])), {
    code: "record.corrupt",
  });
});

test("the booth build has the booth API and no record verifier", () => {
  const booth = require(path.join(pkgDir, "booth/node/ostracon_wasm.js"));
  assert.equal(typeof booth.verifyRecord, "undefined");
  const e = booth.Election.fromJson(electionJson);
  const b = e.encryptBallot("booth-1", demoChoice);
  assert.equal(election.validateBallot(b.toBytes()).trackingCodeHex, b.trackingCodeHex);
  b.free();
  e.free();
});

test("the web build initialises from bytes and agrees with the node build", async () => {
  const web = await import(pathToFileURL(path.join(pkgDir, "web/ostracon_wasm.js")).href);
  web.initSync({ module: fs.readFileSync(path.join(pkgDir, "web/ostracon_wasm_bg.wasm")) });
  const e = web.Election.fromJson(electionJson);
  assert.equal(e.baseHash, election.baseHash);
  assert.equal(e.validateBallot(rustBallot.ballot).trackingCodeHex, rustBallot.trackingCodeHex);
  e.free();
  // The node build is importable as an ES module too (named exports).
  const esm = await import(pathToFileURL(path.join(pkgDir, "node/ostracon_wasm.js")).href);
  assert.equal(typeof esm.Election.fromJson, "function");
});

test("native core accepts every ballot JavaScript encrypted (fixtures check-js)", (t) => {
  const checker = process.env.OSTRACON_WASM_CHECKER;
  if (!checker) {
    t.skip("OSTRACON_WASM_CHECKER not set (scripts/test-wasm sets it)");
    return;
  }
  // Runs after the tests above wrote their ballots (node:test runs a file's tests in order).
  const out = execFileSync(checker, ["check-js", fixtures], { encoding: "utf8" });
  const files = fs.readdirSync(jsDir).filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 5, `ballots written: ${files}`);
  assert.match(out, new RegExp(`^${files.length} passed, 0 failed$`, "m"), out);
  assert.match(out, /challenged\.json: .*opening re-encrypts/);
  assert.match(out, /cast-signed\.json: .*signature/);
});
