//! Every proof type, valid and mutated, and the transcript challenges of each label.

use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::elgamal::{Ciphertext, EncryptionKey, Nonce, PublicKey, SecretKey};
use ostracon::error::Error;
use ostracon::group::{self, Point};
use ostracon::labels;
use ostracon::mixnet::shuffle::{self, ShuffleGenerators, ShuffleProof, ShuffleWitness};
use ostracon::proofs::{
    Base, DisjunctiveProof, DleqProof, DleqStatement, RangeProof, SchnorrProof, WellFormedProof,
};
use ostracon::transcript::ProofContext;
use serde_json::{json, Value};

use crate::encodings::unreduced;
use crate::util::{file, hex, rng, Case, Gen, Group};

/// The context every proof vector is made under: `ProofContext::new(CONTEXT)`.
pub const CONTEXT: &[u8] = b"ostracon test vectors";
/// Another context, for proofs whose challenge is not the verifier's.
pub const OTHER_CONTEXT: &[u8] = b"ostracon test vectors (another context)";

/// A statement of any proof type, as the vectors write it.
#[derive(Clone)]
pub enum Statement {
    /// Schnorr: base and public point.
    Schnorr(Base, Point),
    /// DLEQ.
    Dleq(DleqStatement),
    /// Disjunctive: key, ciphertext, bound.
    Disjunctive(PublicKey, Ciphertext, u64),
    /// Well-formedness: key, ciphertext.
    WellFormed(PublicKey, Ciphertext),
    /// Range: key, ciphertexts, bounds.
    Range(PublicKey, Vec<Ciphertext>, u64, u64),
    /// Shuffle: key, generator domain, row width, input rows, output rows.
    Shuffle(PublicKey, Vec<u8>, usize, Vec<Ciphertext>, Vec<Ciphertext>),
}

impl Statement {
    fn to_json(&self) -> Value {
        match self {
            Statement::Schnorr(b, x) => json!({
                "base": if *b == Base::G { "G" } else { "H" },
                "public": hex(x.as_bytes()),
            }),
            Statement::Dleq(s) => json!({
                "base1": hex(s.base1.as_bytes()),
                "public1": hex(s.public1.as_bytes()),
                "base2": hex(s.base2.as_bytes()),
                "public2": hex(s.public2.as_bytes()),
            }),
            Statement::Disjunctive(k, ct, max) => json!({
                "publicKey": hex(&k.to_bytes()),
                "ciphertext": hex(&ct.to_bytes()),
                "max": max,
            }),
            Statement::WellFormed(k, ct) => json!({
                "publicKey": hex(&k.to_bytes()),
                "ciphertext": hex(&ct.to_bytes()),
            }),
            Statement::Range(k, cts, lo, hi) => json!({
                "publicKey": hex(&k.to_bytes()),
                "ciphertexts": cts.iter().map(|c| hex(&c.to_bytes())).collect::<Vec<_>>(),
                "lo": lo,
                "hi": hi,
            }),
            Statement::Shuffle(k, domain, width, input, output) => json!({
                "publicKey": hex(&k.to_bytes()),
                "generatorDomain": hex(domain),
                "width": width,
                "input": input.iter().map(|c| hex(&c.to_bytes())).collect::<Vec<_>>(),
                "output": output.iter().map(|c| hex(&c.to_bytes())).collect::<Vec<_>>(),
            }),
        }
    }

    /// Decodes `proof` and verifies it against this statement under [`CONTEXT`].
    fn check(&self, proof: &[u8]) -> Result<(), &'static str> {
        let ctx = ProofContext::new(CONTEXT);
        let code = |e: Error| e.code();
        match self {
            Statement::Schnorr(b, x) => {
                let p = SchnorrProof::from_bytes(proof).map_err(|e| e.code())?;
                p.verify(&ctx, *b, x).map_err(|e| code(e.into()))
            }
            Statement::Dleq(s) => {
                let p = DleqProof::from_bytes(proof).map_err(|e| e.code())?;
                p.verify(&ctx, s).map_err(|e| code(e.into()))
            }
            Statement::Disjunctive(k, ct, max) => {
                let p = DisjunctiveProof::from_bytes(proof).map_err(|e| e.code())?;
                p.verify(&ctx, k, ct, *max).map_err(|e| code(e.into()))
            }
            Statement::WellFormed(k, ct) => {
                let p = WellFormedProof::from_bytes(proof).map_err(|e| e.code())?;
                p.verify(&ctx, k, ct).map_err(|e| code(e.into()))
            }
            Statement::Range(k, cts, lo, hi) => {
                let p = RangeProof::from_bytes(proof).map_err(|e| e.code())?;
                p.verify(&ctx, k, cts, *lo, *hi, &mut rng("range verification"))
                    .map_err(|e| code(e.into()))
            }
            Statement::Shuffle(k, domain, width, input, output) => {
                let p = ShuffleProof::from_bytes(proof).map_err(|e| e.code())?;
                let rows = input.len() / (*width).max(1);
                let generators = ShuffleGenerators::derive(domain, rows);
                shuffle::verify(
                    &ctx,
                    k,
                    &generators,
                    input,
                    output,
                    *width,
                    &p,
                    &mut rng("shuffle verification"),
                )
                .map_err(|e| e.code())
            }
        }
    }

    /// The transcript challenge of a proof of this statement (sigma proofs only).
    fn challenge(&self, proof: &[u8], ctx: &ProofContext) -> Option<Scalar> {
        match self {
            Statement::Schnorr(b, x) => SchnorrProof::from_bytes(proof)
                .ok()
                .map(|p| p.challenge(ctx, *b, x)),
            Statement::Dleq(s) => DleqProof::from_bytes(proof)
                .ok()
                .map(|p| p.challenge(ctx, s)),
            Statement::Disjunctive(k, ct, _) => DisjunctiveProof::from_bytes(proof)
                .ok()
                .map(|p| p.challenge(ctx, k, ct)),
            Statement::WellFormed(k, ct) => WellFormedProof::from_bytes(proof)
                .ok()
                .map(|p| p.challenge(ctx, k, ct)),
            Statement::Range(..) | Statement::Shuffle(..) => None,
        }
    }

    /// The same statement with its "first" public point replaced by `p`.
    fn altered(&self, p: Point) -> Statement {
        match self.clone() {
            Statement::Schnorr(b, _) => Statement::Schnorr(b, p),
            Statement::Dleq(mut s) => {
                s.public2 = p;
                Statement::Dleq(s)
            }
            Statement::Disjunctive(k, mut ct, m) => {
                ct.b = p;
                Statement::Disjunctive(k, ct, m)
            }
            Statement::WellFormed(k, mut ct) => {
                ct.a = p;
                Statement::WellFormed(k, ct)
            }
            Statement::Range(k, mut cts, lo, hi) => {
                if let Some(c) = cts.first_mut() {
                    c.b = p;
                }
                Statement::Range(k, cts, lo, hi)
            }
            Statement::Shuffle(k, d, w, input, mut output) => {
                if let Some(c) = output.first_mut() {
                    c.b = p;
                }
                Statement::Shuffle(k, d, w, input, output)
            }
        }
    }
}

/// A made proof: its statement, bytes under [`CONTEXT`] and under [`OTHER_CONTEXT`].
struct Made {
    name: &'static str,
    statement: Statement,
    proof: Vec<u8>,
    other: Vec<u8>,
    /// Offset of a scalar in the encoding (to make it non-canonical).
    scalar_at: usize,
    /// Offset of a commitment point in the encoding.
    point_at: usize,
    /// Offset of an explicit challenge in the encoding, if the proof carries one.
    challenge_at: Option<usize>,
}

struct Keys {
    sk: SecretKey,
    ek: EncryptionKey,
}

fn keys() -> Keys {
    let sk = SecretKey::random(&mut rng("proofs/key"));
    let ek = sk.public_key().precompute();
    Keys { sk, ek }
}

fn made(k: &Keys) -> Gen<Vec<Made>> {
    let ctx = ProofContext::new(CONTEXT);
    let other = ProofContext::new(OTHER_CONTEXT);
    let pk = *k.ek.public_key();
    let mut r = rng("proofs/provers");
    let mut out = Vec::new();
    let e = |e: Error| e.to_string();

    for base in [Base::G, Base::H] {
        let x = Scalar::random(&mut r);
        let public = Point::new(match base {
            Base::G => group::generator_g() * x,
            Base::H => group::generator_h().point() * x,
        });
        out.push(Made {
            name: if base == Base::G {
                "schnorr (base G)"
            } else {
                "schnorr (base H)"
            },
            statement: Statement::Schnorr(base, public),
            proof: SchnorrProof::prove(&ctx, base, &x, &public, &mut r)
                .to_bytes()
                .to_vec(),
            other: SchnorrProof::prove(&other, base, &x, &public, &mut r)
                .to_bytes()
                .to_vec(),
            scalar_at: 32,
            point_at: 0,
            challenge_at: None,
        });
    }

    let a = Point::new(group::generator_g() * Scalar::random(&mut r));
    let xi = k.sk.as_scalar();
    let st = DleqStatement {
        base1: *group::generator_h(),
        public1: Point::new(group::generator_h().point() * xi),
        base2: a,
        public2: Point::new(a.point() * xi),
    };
    out.push(Made {
        name: "dleq (a partial decryption)",
        statement: Statement::Dleq(st),
        proof: DleqProof::prove(&ctx, &st, xi, &mut r).to_bytes().to_vec(),
        other: DleqProof::prove(&other, &st, xi, &mut r)
            .to_bytes()
            .to_vec(),
        scalar_at: 64,
        point_at: 0,
        challenge_at: None,
    });

    for (v, max) in [(0u64, 1u64), (1, 1), (2, 3)] {
        let nonce = Nonce::random(&mut r);
        let (ct, p) =
            DisjunctiveProof::encrypt_and_prove(&ctx, &k.ek, v, max, &nonce, &mut r).map_err(e)?;
        let q = DisjunctiveProof::prove(&other, &k.ek, &ct, v, max, &nonce, &mut r).map_err(e)?;
        let n = max as usize + 1;
        out.push(Made {
            name: match (v, max) {
                (0, 1) => "disjunctive 0 in 0..=1",
                (1, 1) => "disjunctive 1 in 0..=1",
                _ => "disjunctive 2 in 0..=3",
            },
            statement: Statement::Disjunctive(pk, ct, max),
            proof: p.to_bytes(),
            other: q.to_bytes(),
            scalar_at: 64 * n + 32 * (n - 1),
            point_at: 0,
            challenge_at: Some(64 * n),
        });
    }

    let nonce = Nonce::random(&mut r);
    let v = 42u64;
    let ct = k.ek.encrypt(v, &nonce);
    let vs = Scalar::from(v);
    out.push(Made {
        name: "well-formedness of an encryption of 42",
        statement: Statement::WellFormed(pk, ct),
        proof: WellFormedProof::prove(&ctx, &k.ek, &ct, &vs, &nonce, &mut r)
            .to_bytes()
            .to_vec(),
        other: WellFormedProof::prove(&other, &k.ek, &ct, &vs, &nonce, &mut r)
            .to_bytes()
            .to_vec(),
        scalar_at: 96,
        point_at: 0,
        challenge_at: None,
    });

    for (values, lo, hi) in [(vec![7u64], 0u64, 10u64), (vec![3, 100], 2, 200)] {
        let nonces: Vec<Nonce> = values.iter().map(|_| Nonce::random(&mut r)).collect();
        let cts: Vec<Ciphertext> = values
            .iter()
            .zip(&nonces)
            .map(|(v, n)| k.ek.encrypt(*v, n))
            .collect();
        let refs: Vec<&Nonce> = nonces.iter().collect();
        let p = RangeProof::prove(&ctx, &k.ek, &cts, &values, &refs, lo, hi, &mut r).map_err(e)?;
        let q =
            RangeProof::prove(&other, &k.ek, &cts, &values, &refs, lo, hi, &mut r).map_err(e)?;
        out.push(Made {
            name: if values.len() == 1 {
                "range: 7 in [0, 10]"
            } else {
                "range: 3 and 100 in [2, 200]"
            },
            statement: Statement::Range(pk, cts, lo, hi),
            proof: p.to_bytes(),
            other: q.to_bytes(),
            scalar_at: 4 + 96,
            point_at: 4,
            challenge_at: None,
        });
    }

    // A shuffle of 3 rows of 2 ciphertexts (Terelius–Wikström proof).
    let (rows, width) = (3usize, 2usize);
    let input: Vec<Ciphertext> = (0..rows * width)
        .map(|i| k.ek.encrypt(i as u64 + 1, &Nonce::random(&mut r)))
        .collect();
    let generators = ShuffleGenerators::derive(SHUFFLE_DOMAIN, rows);
    let witness = ShuffleWitness::random(rows, width, &mut r);
    let m = |e: ostracon::mixnet::MixError| e.to_string();
    let (output, proof) =
        shuffle::shuffle(&ctx, &k.ek, &generators, &input, width, &witness, &mut r).map_err(m)?;
    let (_, other_proof) =
        shuffle::shuffle(&other, &k.ek, &generators, &input, width, &witness, &mut r).map_err(m)?;
    // Points: N commitments, N chain, 3 t, 2w t4, N t̂; then scalars s₁ first.
    let scalar_at = 8 + 32 * (3 * rows + 3 + 2 * width);
    out.push(Made {
        name: "shuffle: 3 rows of 2",
        statement: Statement::Shuffle(pk, SHUFFLE_DOMAIN.to_vec(), width, input, output),
        proof: proof.to_bytes(),
        other: other_proof.to_bytes(),
        scalar_at,
        point_at: 8,
        challenge_at: None,
    });
    Ok(out)
}

/// The domain the shuffle vector's generators are derived from
/// (`ShuffleGenerators::derive(SHUFFLE_DOMAIN, rows)`).
pub const SHUFFLE_DOMAIN: &[u8] = b"ostracon test vectors: shuffle generators";

fn case(m: &Made, comment: &str, statement: &Statement, proof: &[u8]) -> Case {
    let mut c = Case::outcome(format!("{}: {comment}", m.name), statement.check(proof))
        .with("statement", statement.to_json())
        .with("proof", hex(proof));
    if !c.is_invalid() {
        if let Some(ch) = statement.challenge(proof, &ProofContext::new(CONTEXT)) {
            c = c.with("challenge", hex(ch.as_bytes()));
        }
    }
    c
}

fn kind_of(s: &Statement) -> &'static str {
    match s {
        Statement::Schnorr(..) => "SchnorrProof",
        Statement::Dleq(..) => "DleqProof",
        Statement::Disjunctive(..) => "DisjunctiveProof",
        Statement::WellFormed(..) => "WellFormedProof",
        Statement::Range(..) => "RangeProof",
        Statement::Shuffle(..) => "ShuffleProof",
    }
}

fn expect_invalid(c: Case, what: &str) -> Gen<Case> {
    if c.is_invalid() {
        Ok(c)
    } else {
        Err(format!("mutated proof accepted: {what}"))
    }
}

/// `proofs.json`: each proof type, valid and in invalid variants.
pub fn proofs() -> Gen<Value> {
    let k = keys();
    let all = made(&k)?;
    let mut groups: Vec<Group> = Vec::new();
    let stranger = Point::new(group::generator_g() * Scalar::from(0x5eedu64));
    for m in &all {
        let kind = kind_of(&m.statement);
        if groups.last().map(|g| g_kind(g)) != Some(kind) {
            groups.push(Group::new(kind).with("context", hex(CONTEXT)));
        }
        let g = groups.last_mut().ok_or("no group")?;
        let st = &m.statement;
        let ok = case(m, "valid", st, &m.proof);
        if ok.is_invalid() {
            return Err(format!("{}: valid proof rejected", m.name));
        }
        g.push(ok);
        // A proof answering another transcript's challenge.
        if let Some(at) = m.challenge_at {
            let mut p = m.proof.clone();
            let mut cb = [0u8; 32];
            cb.copy_from_slice(&p[at..at + 32]);
            let c = Scalar::from_canonical_bytes(cb)
                .into_option()
                .ok_or("non-canonical challenge")?
                + Scalar::ONE;
            p[at..at + 32].copy_from_slice(c.as_bytes());
            g.push(expect_invalid(
                case(
                    m,
                    "a branch challenge changed, so they no longer sum to the transcript's",
                    st,
                    &p,
                )
                .flag("WrongChallenge"),
                m.name,
            )?);
        }
        g.push(expect_invalid(
            case(
                m,
                "made under another context: its challenge is not this transcript's",
                st,
                &m.other,
            )
            .flag("WrongChallenge"),
            m.name,
        )?);
        g.push(expect_invalid(
            case(
                m,
                "valid proof, one statement point replaced",
                &st.altered(stranger),
                &m.proof,
            )
            .flag("WrongStatement"),
            m.name,
        )?);
        let mut p = m.proof.clone();
        let mut sb = [0u8; 32];
        sb.copy_from_slice(&p[m.scalar_at..m.scalar_at + 32]);
        let s = Scalar::from_canonical_bytes(sb)
            .into_option()
            .ok_or("non-canonical scalar")?;
        p[m.scalar_at..m.scalar_at + 32].copy_from_slice(&unreduced(&s));
        g.push(expect_invalid(
            case(m, "a response replaced by the same residue plus ℓ", st, &p)
                .flag("NonCanonicalScalar"),
            m.name,
        )?);
        let mut p = m.proof.clone();
        p[m.point_at..m.point_at + 32].copy_from_slice(&[0u8; 32]);
        g.push(expect_invalid(
            case(m, "a commitment replaced by the identity", st, &p).flag("IdentityPoint"),
            m.name,
        )?);
        g.push(expect_invalid(
            case(m, "last byte removed", st, &m.proof[..m.proof.len() - 1]).flag("Truncated"),
            m.name,
        )?);
        let mut p = m.proof.clone();
        p.push(0);
        g.push(expect_invalid(
            case(m, "one byte appended", st, &p).flag("TrailingBytes"),
            m.name,
        )?);
    }
    file(
        "zero-knowledge proofs: Schnorr, DLEQ, disjunctive (CDS), well-formedness, bulletproofs range, shuffle (Terelius–Wikström)",
        &[
            ("WrongChallenge", "The proof's responses answer a challenge other than the one the verifier's transcript yields (made under another context, or an explicit branch challenge altered)."),
            ("WrongStatement", "A valid proof checked against a statement with one public point replaced."),
            ("NonCanonicalScalar", "A scalar of the proof is encoded as its residue plus ℓ; decoding refuses it."),
            ("IdentityPoint", "A commitment of the proof is replaced by the identity point."),
            ("Truncated", "The proof's encoding lacks its last byte."),
            ("TrailingBytes", "A byte is appended to the proof's encoding."),
        ],
        groups,
    )
}

fn g_kind(g: &Group) -> &'static str {
    g.kind()
}

/// `transcript.json`: context fingerprints, and the challenge of each proof label as
/// every statement element changes.
pub fn transcript() -> Gen<Value> {
    let k = keys();
    let all = made(&k)?;
    let mut ctxs = Group::new("ContextFingerprint").with("label", "fingerprint");
    let base = [0x11u8; 32];
    let steps: [(&str, Vec<Value>); 5] = [
        ("base hash only", vec![]),
        (
            "ballot id",
            vec![json!({"label": "ballot", "bytes": hex(b"ballot-1")})],
        ),
        (
            "another ballot id",
            vec![json!({"label": "ballot", "bytes": hex(b"ballot-2")})],
        ),
        (
            "SEL(ballot-1, no previous code, contest 0, option 1) (spec §3.2)",
            vec![
                json!({"label": "ballot", "bytes": hex(b"ballot-1")}),
                json!({"label": "previous-code", "bytes": ""}),
                json!({"label": "contest", "u64": 0}),
                json!({"label": "option", "u64": 1}),
            ],
        ),
        (
            "TOT(ballot-1, no previous code, contest 0): total binds an empty message (spec §3.2)",
            vec![
                json!({"label": "ballot", "bytes": hex(b"ballot-1")}),
                json!({"label": "previous-code", "bytes": ""}),
                json!({"label": "contest", "u64": 0}),
                json!({"label": "total", "bytes": ""}),
            ],
        ),
    ];
    for (comment, binds) in steps {
        let mut ctx = ProofContext::new(&base);
        for b in &binds {
            let label = label_of(b["label"].as_str().unwrap_or_default())?;
            ctx = match (b.get("bytes"), b.get("u64")) {
                (Some(h), _) => ctx.bind(
                    label,
                    &ostracon::hex::decode(h.as_str().unwrap_or_default(), "bind")
                        .map_err(|e| e.to_string())?,
                ),
                (_, Some(n)) => ctx.bind_u64(label, n.as_u64().unwrap_or_default()),
                _ => return Err("bad bind".into()),
            };
        }
        ctxs.push(
            Case::valid(comment)
                .with("domain", hex(&base))
                .with("binds", Value::Array(binds))
                .with("fingerprint", hex(&ctx.fingerprint(b"fingerprint"))),
        );
    }

    let mut groups = vec![ctxs];
    let ctx = ProofContext::new(CONTEXT);
    let stranger = Point::new(group::generator_g() * Scalar::from(0x5eedu64));
    for m in all
        .iter()
        .filter(|m| !matches!(m.statement, Statement::Range(..) | Statement::Shuffle(..)))
    {
        let label = match m.statement {
            Statement::Schnorr(..) => labels::SCHNORR,
            Statement::Dleq(..) => labels::DLEQ,
            Statement::Disjunctive(..) => labels::DISJUNCTIVE,
            Statement::WellFormed(..) => labels::WELLFORMED,
            Statement::Range(..) | Statement::Shuffle(..) => labels::RANGE,
        };
        let mut g = Group::new("Challenge")
            .with("proofLabel", String::from_utf8_lossy(label))
            .with("kind", kind_of(&m.statement))
            .with("context", hex(CONTEXT))
            .with("proof", hex(&m.proof));
        let mut seen = Vec::new();
        let variants: Vec<(&str, Statement)> = vec![
            ("the proof's own statement", m.statement.clone()),
            (
                "one statement point replaced",
                m.statement.altered(stranger),
            ),
        ]
        .into_iter()
        .chain(more_variants(&m.statement))
        .collect();
        for (comment, st) in variants {
            let ch = st.challenge(&m.proof, &ctx).ok_or("no challenge")?;
            if seen.contains(&ch) {
                return Err(format!("{}: two statements give one challenge", m.name));
            }
            seen.push(ch);
            g.push(
                Case::valid(format!("{}: {comment}", m.name))
                    .with("statement", st.to_json())
                    .with("challenge", hex(ch.as_bytes())),
            );
        }
        groups.push(g);
    }
    file(
        "Fiat–Shamir transcripts: proof contexts and the challenge of each proof label",
        &[],
        groups,
    )
}

/// Further one-element changes of a statement (every element the transcript absorbs).
fn more_variants(s: &Statement) -> Vec<(&'static str, Statement)> {
    let p = Point::new(group::generator_g() * Scalar::from(77u64));
    match s.clone() {
        Statement::Schnorr(b, x) => vec![(
            "the other base",
            Statement::Schnorr(if b == Base::G { Base::H } else { Base::G }, x),
        )],
        Statement::Dleq(st) => vec![
            (
                "base1 replaced",
                Statement::Dleq(DleqStatement { base1: p, ..st }),
            ),
            (
                "public1 replaced",
                Statement::Dleq(DleqStatement { public1: p, ..st }),
            ),
            (
                "base2 replaced",
                Statement::Dleq(DleqStatement { base2: p, ..st }),
            ),
        ],
        Statement::Disjunctive(k, ct, m) => {
            let mut a = ct;
            a.a = p;
            vec![
                ("ciphertext A replaced", Statement::Disjunctive(k, a, m)),
                (
                    "public key replaced",
                    Statement::Disjunctive(PublicKey::from_point(p).unwrap_or(k), ct, m),
                ),
            ]
        }
        Statement::WellFormed(k, ct) => {
            let mut b = ct;
            b.b = p;
            vec![
                ("ciphertext B replaced", Statement::WellFormed(k, b)),
                (
                    "public key replaced",
                    Statement::WellFormed(PublicKey::from_point(p).unwrap_or(k), ct),
                ),
            ]
        }
        Statement::Range(..) | Statement::Shuffle(..) => vec![],
    }
}

fn label_of(name: &str) -> Gen<&'static [u8]> {
    Ok(match name {
        "ballot" => labels::BALLOT,
        "contest" => labels::CONTEST,
        "option" => labels::OPTION,
        "total" => labels::TOTAL,
        "previous-code" => labels::PREVIOUS_CODE,
        other => return Err(format!("unknown label {other}")),
    })
}
