//! Checks every case of every file in `vectors/` against this implementation: valid
//! inputs decode, verify and re-encode to the same bytes; invalid ones fail with the
//! expected error code; transcript challenges and tracking codes are recomputed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use ostracon::ballot::{verify_opening, BallotOpening, EncryptedBallot, PlaintextBallot};
use ostracon::dlog::DlogTable;
use ostracon::election::Election;
use ostracon::elgamal::{Ciphertext, Nonce, PublicKey, SecretKey};
use ostracon::group::{self, decode_scalar, Point};
use ostracon::mixnet::shuffle::{self, ShuffleGenerators, ShuffleProof};
use ostracon::proofs::{
    Base, DisjunctiveProof, DleqProof, DleqStatement, RangeProof, SchnorrProof, WellFormedProof,
};
use ostracon::transcript::ProofContext;
use ostracon::{curve25519_dalek, labels, Error};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;
use sha2::Sha512;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(name)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    check_envelope(name, &v);
    v
}

fn check_envelope(name: &str, v: &Value) {
    assert_eq!(v["schema"], "ostracon-vectors/v1", "{name}");
    assert_eq!(
        v["protocol"].as_str().unwrap().as_bytes(),
        labels::PROTOCOL,
        "{name}"
    );
    assert!(v["generator"]
        .as_str()
        .unwrap()
        .contains("ostracon-vectors"));
    let notes = v["notes"].as_object().unwrap();
    let mut ids = Vec::new();
    for g in v["testGroups"].as_array().unwrap() {
        for t in g["tests"].as_array().unwrap() {
            ids.push(t["tcId"].as_u64().unwrap());
            for f in t["flags"].as_array().unwrap() {
                assert!(notes.contains_key(f.as_str().unwrap()), "{name}: flag {f}");
            }
            match t["result"].as_str().unwrap() {
                "valid" => assert!(t.get("error").is_none()),
                "invalid" => assert!(t["error"].is_string()),
                r => panic!("{name}: result {r}"),
            }
        }
    }
    assert_eq!(ids.len() as u64, v["numberOfTests"].as_u64().unwrap());
    assert_eq!(
        ids,
        (1..=ids.len() as u64).collect::<Vec<_>>(),
        "{name}: tcIds"
    );
}

fn cases(v: &Value, kind: &str) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for g in v["testGroups"].as_array().unwrap() {
        if g["type"] == kind {
            for t in g["tests"].as_array().unwrap() {
                out.push((g.clone(), t.clone()));
            }
        }
    }
    assert!(!out.is_empty(), "no {kind} cases");
    out
}

fn hex(v: &Value) -> Vec<u8> {
    ostracon::hex::decode(v.as_str().unwrap(), "vector").unwrap()
}

fn hex32(v: &Value) -> [u8; 32] {
    hex(v).try_into().unwrap()
}

fn point(v: &Value) -> Point {
    Point::decode(&hex(v), "vector").unwrap()
}

fn scalar(v: &Value) -> Scalar {
    decode_scalar(&hex(v), "vector").unwrap()
}

/// Compares an outcome with the case's expectation.
fn expect(t: &Value, r: Result<(), &str>) {
    let id = &t["tcId"];
    match (t["result"].as_str().unwrap(), r) {
        ("valid", Ok(())) => {}
        ("invalid", Err(code)) => assert_eq!(t["error"], code, "tcId {id}: {}", t["comment"]),
        (want, got) => panic!("tcId {id} ({}): expected {want}, got {got:?}", t["comment"]),
    }
}

#[test]
fn group_vectors() {
    let v = load("group.json");
    for (_, t) in cases(&v, "Generators") {
        let enc = hex(&t["encoded"]);
        match t["name"].as_str().unwrap() {
            "G" => assert_eq!(enc, group::generator_g().compress().as_bytes()),
            "H" => {
                let label = t["label"].as_str().unwrap().as_bytes();
                assert_eq!(label, labels::GENERATOR_H);
                let h = RistrettoPoint::hash_from_bytes::<Sha512>(label);
                assert_eq!(enc, h.compress().as_bytes());
                assert_eq!(enc, group::generator_h().as_bytes());
            }
            n => panic!("generator {n}"),
        }
    }
    for (_, t) in cases(&v, "PointDecode") {
        let b = hex(&t["encoded"]);
        let r = if t["identityAllowed"].as_bool().unwrap() {
            Point::decode(&b, "point")
        } else {
            Point::decode_nonidentity(&b, "point")
        };
        if let Ok(p) = &r {
            assert_eq!(p.as_bytes().as_slice(), b.as_slice(), "re-encoding");
            if let Some(s) = t.get("scalar") {
                let base = if t.get("base").is_some() {
                    *group::generator_h().point()
                } else {
                    group::generator_g()
                };
                assert_eq!(base * scalar(s), *p.point());
            }
        }
        expect(&t, r.map(|_| ()).map_err(|e| e.code()));
    }
    for (_, t) in cases(&v, "ScalarDecode") {
        let b = hex(&t["encoded"]);
        let r = decode_scalar(&b, "scalar");
        if let Ok(s) = &r {
            assert_eq!(s.as_bytes().as_slice(), b.as_slice());
        }
        expect(&t, r.map(|_| ()).map_err(|e| e.code()));
    }
}

#[test]
fn elgamal_vectors() {
    let v = load("elgamal.json");
    let table = DlogTable::default();
    for (g, t) in cases(&v, "Encryption") {
        let sk = SecretKey::from_bytes(&hex(&g["secretKey"])).unwrap();
        let pk = PublicKey::from_bytes(&hex(&g["publicKey"])).unwrap();
        assert_eq!(sk.public_key(), pk);
        let value = t["value"].as_u64().unwrap();
        let nonce = Nonce::from_scalar(scalar(&t["nonce"]));
        let ct = pk.precompute().encrypt(value, &nonce);
        assert_eq!(ct.to_bytes().as_slice(), hex(&t["ciphertext"]).as_slice());
        let m = sk.decrypt_to_point(&ct.raw());
        assert_eq!(table.find(&m, 1 << 21).unwrap(), value);
        expect(&t, Ok(()));
    }
    for (_, t) in cases(&v, "HomomorphicSum") {
        let sum = t["ciphertexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Ciphertext::from_bytes(&hex(c)).unwrap().raw())
            .sum::<ostracon::elgamal::RawCiphertext>()
            .to_ciphertext();
        assert_eq!(sum.to_bytes().as_slice(), hex(&t["sum"]).as_slice());
    }
    for (_, t) in cases(&v, "CiphertextDecode") {
        let b = hex(&t["encoded"]);
        let r = Ciphertext::from_bytes(&b);
        if let Ok(c) = &r {
            assert_eq!(c.to_bytes().as_slice(), b.as_slice());
        }
        expect(&t, r.map(|_| ()).map_err(|e| e.code()));
    }
}

/// A proof statement read from a vector.
enum Statement {
    Schnorr(Base, Point),
    Dleq(DleqStatement),
    Disjunctive(PublicKey, Ciphertext, u64),
    WellFormed(PublicKey, Ciphertext),
    Range(PublicKey, Vec<Ciphertext>, u64, u64),
    /// Key, generator domain, width, input rows, output rows.
    Shuffle(PublicKey, Vec<u8>, usize, Vec<Ciphertext>, Vec<Ciphertext>),
}

fn statement(kind: &str, s: &Value) -> Statement {
    let key = || PublicKey::from_bytes(&hex(&s["publicKey"])).unwrap();
    let ct = |v: &Value| Ciphertext::from_bytes(&hex(v)).unwrap();
    match kind {
        "SchnorrProof" => Statement::Schnorr(
            if s["base"] == "G" { Base::G } else { Base::H },
            point(&s["public"]),
        ),
        "DleqProof" => Statement::Dleq(DleqStatement {
            base1: point(&s["base1"]),
            public1: point(&s["public1"]),
            base2: point(&s["base2"]),
            public2: point(&s["public2"]),
        }),
        "DisjunctiveProof" => {
            Statement::Disjunctive(key(), ct(&s["ciphertext"]), s["max"].as_u64().unwrap())
        }
        "WellFormedProof" => Statement::WellFormed(key(), ct(&s["ciphertext"])),
        "RangeProof" => Statement::Range(
            key(),
            s["ciphertexts"]
                .as_array()
                .unwrap()
                .iter()
                .map(ct)
                .collect(),
            s["lo"].as_u64().unwrap(),
            s["hi"].as_u64().unwrap(),
        ),
        "ShuffleProof" => {
            let cts = |v: &Value| v.as_array().unwrap().iter().map(ct).collect();
            Statement::Shuffle(
                key(),
                hex(&s["generatorDomain"]),
                s["width"].as_u64().unwrap() as usize,
                cts(&s["input"]),
                cts(&s["output"]),
            )
        }
        k => panic!("proof kind {k}"),
    }
}

/// Decodes and verifies; on success returns the re-encoding and the challenge.
fn verify_proof(
    ctx: &ProofContext,
    st: &Statement,
    bytes: &[u8],
) -> Result<(Vec<u8>, Option<Scalar>), &'static str> {
    let e = |e: ostracon::ProofError| Error::from(e).code();
    let d = |e: ostracon::DecodeError| e.code();
    Ok(match st {
        Statement::Schnorr(b, x) => {
            let p = SchnorrProof::from_bytes(bytes).map_err(d)?;
            p.verify(ctx, *b, x).map_err(e)?;
            (p.to_bytes().to_vec(), Some(p.challenge(ctx, *b, x)))
        }
        Statement::Dleq(s) => {
            let p = DleqProof::from_bytes(bytes).map_err(d)?;
            p.verify(ctx, s).map_err(e)?;
            (p.to_bytes().to_vec(), Some(p.challenge(ctx, s)))
        }
        Statement::Disjunctive(k, ct, max) => {
            let p = DisjunctiveProof::from_bytes(bytes).map_err(d)?;
            p.verify(ctx, k, ct, *max).map_err(e)?;
            (p.to_bytes(), Some(p.challenge(ctx, k, ct)))
        }
        Statement::WellFormed(k, ct) => {
            let p = WellFormedProof::from_bytes(bytes).map_err(d)?;
            p.verify(ctx, k, ct).map_err(e)?;
            (p.to_bytes().to_vec(), Some(p.challenge(ctx, k, ct)))
        }
        Statement::Range(k, cts, lo, hi) => {
            let p = RangeProof::from_bytes(bytes).map_err(d)?;
            let mut rng = ChaCha20Rng::seed_from_u64(7);
            p.verify(ctx, k, cts, *lo, *hi, &mut rng).map_err(e)?;
            (p.to_bytes(), None)
        }
        Statement::Shuffle(k, domain, width, input, output) => {
            let p = ShuffleProof::from_bytes(bytes).map_err(d)?;
            let generators = ShuffleGenerators::derive(domain, input.len() / width);
            let mut rng = ChaCha20Rng::seed_from_u64(7);
            shuffle::verify(ctx, k, &generators, input, output, *width, &p, &mut rng)
                .map_err(|e| e.code())?;
            (p.to_bytes(), None)
        }
    })
}

/// The challenge of a proof for a statement, without verifying it.
fn challenge_of(kind: &str, ctx: &ProofContext, st: &Statement, bytes: &[u8]) -> Scalar {
    match st {
        Statement::Schnorr(b, x) => SchnorrProof::from_bytes(bytes)
            .unwrap()
            .challenge(ctx, *b, x),
        Statement::Dleq(s) => DleqProof::from_bytes(bytes).unwrap().challenge(ctx, s),
        Statement::Disjunctive(k, ct, _) => DisjunctiveProof::from_bytes(bytes)
            .unwrap()
            .challenge(ctx, k, ct),
        Statement::WellFormed(k, ct) => WellFormedProof::from_bytes(bytes)
            .unwrap()
            .challenge(ctx, k, ct),
        Statement::Range(..) | Statement::Shuffle(..) => {
            panic!("{kind} has no single challenge")
        }
    }
}

#[test]
fn proof_vectors() {
    let v = load("proofs.json");
    let mut seen = BTreeSet::new();
    for kind in [
        "SchnorrProof",
        "DleqProof",
        "DisjunctiveProof",
        "WellFormedProof",
        "RangeProof",
        "ShuffleProof",
    ] {
        for (g, t) in cases(&v, kind) {
            let ctx = ProofContext::new(&hex(&g["context"]));
            let st = statement(kind, &t["statement"]);
            let bytes = hex(&t["proof"]);
            let r = verify_proof(&ctx, &st, &bytes);
            if let Ok((again, challenge)) = &r {
                assert_eq!(again, &bytes, "tcId {}: re-encoding", t["tcId"]);
                if let Some(c) = challenge {
                    assert_eq!(c.as_bytes().as_slice(), hex(&t["challenge"]).as_slice());
                }
            }
            for f in t["flags"].as_array().unwrap() {
                seen.insert(f.as_str().unwrap().to_string());
            }
            expect(&t, r.map(|_| ()));
        }
    }
    assert_eq!(seen.len(), v["notes"].as_object().unwrap().len());
}

#[test]
fn transcript_vectors() {
    let v = load("transcript.json");
    for (g, t) in cases(&v, "ContextFingerprint") {
        let mut ctx = ProofContext::new(&hex(&t["domain"]));
        for b in t["binds"].as_array().unwrap() {
            let label: &'static [u8] = match b["label"].as_str().unwrap() {
                "ballot" => labels::BALLOT,
                "contest" => labels::CONTEST,
                "option" => labels::OPTION,
                "total" => labels::TOTAL,
                "previous-code" => labels::PREVIOUS_CODE,
                l => panic!("label {l}"),
            };
            ctx = match b.get("bytes") {
                Some(h) => ctx.bind(label, &hex(h)),
                None => ctx.bind_u64(label, b["u64"].as_u64().unwrap()),
            };
        }
        let label = g["label"].as_str().unwrap();
        assert_eq!(label, "fingerprint");
        assert_eq!(
            ctx.fingerprint(b"fingerprint").as_slice(),
            hex(&t["fingerprint"]).as_slice()
        );
    }
    let mut labels_seen = BTreeSet::new();
    for g in v["testGroups"].as_array().unwrap() {
        if g["type"] != "Challenge" {
            continue;
        }
        let kind = g["kind"].as_str().unwrap();
        labels_seen.insert(g["proofLabel"].as_str().unwrap().to_string());
        let ctx = ProofContext::new(&hex(&g["context"]));
        let proof = hex(&g["proof"]);
        let mut challenges = BTreeSet::new();
        for t in g["tests"].as_array().unwrap() {
            let st = statement(kind, &t["statement"]);
            let c = challenge_of(kind, &ctx, &st, &proof);
            assert_eq!(c.as_bytes().as_slice(), hex(&t["challenge"]).as_slice());
            assert!(
                challenges.insert(c.to_bytes()),
                "two statements, one challenge"
            );
        }
    }
    let expected: BTreeSet<String> = [
        labels::SCHNORR,
        labels::DLEQ,
        labels::DISJUNCTIVE,
        labels::WELLFORMED,
    ]
    .iter()
    .map(|l| String::from_utf8(l.to_vec()).unwrap())
    .collect();
    assert_eq!(labels_seen, expected);
}

fn check_ballot(
    election: &Election,
    bytes: &[u8],
) -> Result<(EncryptedBallot, String), &'static str> {
    let b = EncryptedBallot::from_bytes(bytes).map_err(|e| e.code())?;
    let code = election.validate_ballot(&b).map_err(|e| e.code())?;
    Ok((b, code.to_hex()))
}

#[test]
fn ballot_vectors() {
    let v = load("ballots.json");
    for (g, t) in cases(&v, "BallotValidation") {
        let election = Election::from_json(g["election"].as_str().unwrap().as_bytes()).unwrap();
        let bytes = hex(&t["ballot"]);
        let r = check_ballot(&election, &bytes);
        if let Ok((b, code)) = &r {
            assert_eq!(b.to_bytes(), bytes, "re-encoding");
            assert_eq!(code, t["trackingCode"].as_str().unwrap());
            assert_eq!(
                b.tracking_code().human(),
                t["trackingCodeHuman"].as_str().unwrap()
            );
            assert_eq!(b.ballot_id, t["ballotId"].as_str().unwrap());
            assert_eq!(
                b.previous_code.map(|c| c.to_hex()),
                t.get("previousCode")
                    .map(|c| c.as_str().unwrap().to_string())
            );
            // The master nonce and plaintext re-encrypt to exactly these ciphertexts.
            let p: PlaintextBallot = serde_json::from_value(t["plaintext"].clone()).unwrap();
            let opening = BallotOpening {
                master_nonce: hex32(&t["masterNonce"]),
                selections: election.check_selection(&p).unwrap(),
            };
            verify_opening(&election, b, &opening).unwrap();
        }
        expect(&t, r.map(|_| ()));
    }
    for (g, t) in cases(&v, "ChallengeOpening") {
        let election = Election::from_json(g["election"].as_str().unwrap().as_bytes()).unwrap();
        let b = EncryptedBallot::from_bytes(&hex(&t["ballot"])).unwrap();
        assert_eq!(
            b.tracking_code().to_hex(),
            t["trackingCode"].as_str().unwrap()
        );
        let o: BallotOpening = serde_json::from_str(t["opening"].as_str().unwrap()).unwrap();
        let p: PlaintextBallot = serde_json::from_value(t["plaintext"].clone()).unwrap();
        assert_eq!(o.plaintext(&election), p);
        expect(&t, verify_opening(&election, &b, &o).map_err(|e| e.code()));
    }
}

#[test]
fn record_vectors() {
    let v = load("record.json");
    for (_, t) in cases(&v, "RecordVerification") {
        let bytes = match t["format"].as_str().unwrap() {
            "json" => t["record"].as_str().unwrap().as_bytes().to_vec(),
            "binary" => hex(&t["record"]),
            f => panic!("format {f}"),
        };
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let r = match ostracon::verify::verify_bytes(&bytes, &mut rng) {
            Err(e) => Err(e.code()),
            Ok(report) => {
                let e = &t["expected"];
                assert_eq!(report.is_ok(), e["ok"].as_bool().unwrap());
                let failed: Vec<u64> = e["failedChecks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_u64().unwrap())
                    .collect();
                let got: Vec<u64> = report
                    .failed_checks()
                    .iter()
                    .map(|c| u64::from(*c))
                    .collect();
                assert_eq!(got, failed, "tcId {}", t["tcId"]);
                assert_eq!(report.base_hash.as_deref(), e["baseHash"].as_str());
                for (k, n) in [
                    ("entries", report.counts.entries),
                    ("cast", report.counts.cast),
                    ("challenged", report.counts.challenged),
                    ("superseded", report.counts.superseded),
                    ("counted", report.counts.counted),
                ] {
                    assert_eq!(e["counts"][k].as_u64().unwrap(), n, "{k}");
                }
                match &report.results {
                    None => assert!(e["results"].is_null()),
                    Some(res) => {
                        let want = e["results"].as_array().unwrap();
                        assert_eq!(want.len(), res.contests.len());
                        for (w, c) in want.iter().zip(&res.contests) {
                            assert_eq!(w["contest"], c.contest.as_str());
                            let counts: Vec<(String, u64)> = w["counts"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|p| {
                                    (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap())
                                })
                                .collect();
                            assert_eq!(counts, c.counts);
                        }
                    }
                }
                match report.code() {
                    None => Ok(()),
                    Some(code) => Err(code),
                }
            }
        };
        expect(&t, r);
    }
}
