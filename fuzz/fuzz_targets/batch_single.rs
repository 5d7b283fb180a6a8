//! Batch verification ≡ single verification on mutated proofs: a batch of valid proofs
//! with one mutated proof (or a mutated statement) must name exactly the proofs that
//! fail on their own.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::elgamal::{Ciphertext, EncryptionKey, Nonce, SecretKey};
use ostracon::group::{self, Point};
use ostracon::proofs::{
    batch, Base, DisjunctiveProof, DleqProof, DleqStatement, SchnorrProof, WellFormedProof,
};
use ostracon::transcript::ProofContext;
use ostracon_fuzz::rng;

struct Fixture {
    ctx: ProofContext,
    ek: EncryptionKey,
    /// (ciphertext, disjunctive proof bytes, well-formedness proof bytes), L = 2.
    cts: Vec<(Ciphertext, Vec<u8>, Vec<u8>)>,
    /// (public point, Schnorr proof bytes) on base H.
    schnorr: Vec<(Point, Vec<u8>)>,
    /// (statement, DLEQ proof bytes).
    dleq: Vec<(DleqStatement, Vec<u8>)>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut r = rng(5);
        let ctx = ProofContext::new(b"fuzz");
        let sk = SecretKey::random(&mut r);
        let ek = sk.public_key().precompute();
        let cts = (0..3u64)
            .map(|v| {
                let n = Nonce::random(&mut r);
                let (ct, p) = DisjunctiveProof::encrypt_and_prove(&ctx, &ek, v, 2, &n, &mut r)
                    .expect("v ≤ 2");
                let w = WellFormedProof::prove(&ctx, &ek, &ct, &Scalar::from(v), &n, &mut r);
                (ct, p.to_bytes(), w.to_bytes().to_vec())
            })
            .collect();
        let schnorr = (0..3)
            .map(|_| {
                let x = Scalar::random(&mut r);
                let pt = Point::new(group::generator_h().point() * x);
                (
                    pt,
                    SchnorrProof::prove(&ctx, Base::H, &x, &pt, &mut r)
                        .to_bytes()
                        .to_vec(),
                )
            })
            .collect();
        let dleq = (0..3)
            .map(|_| {
                let a = Point::new(group::generator_g() * Scalar::random(&mut r));
                let st = DleqStatement {
                    base1: *group::generator_h(),
                    public1: Point::new(group::generator_h().point() * sk.as_scalar()),
                    base2: a,
                    public2: Point::new(a.point() * sk.as_scalar()),
                };
                (
                    st,
                    DleqProof::prove(&ctx, &st, sk.as_scalar(), &mut r)
                        .to_bytes()
                        .to_vec(),
                )
            })
            .collect();
        Fixture {
            ctx,
            ek,
            cts,
            schnorr,
            dleq,
        }
    })
}

fn mutate(bytes: &[u8], edits: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for e in edits.chunks_exact(3) {
        if out.is_empty() {
            break;
        }
        let at = usize::from(u16::from_le_bytes([e[0], e[1]])) % out.len();
        out[at] ^= e[2];
    }
    out
}

fn check<T: batch::BatchItem>(items: &[T]) {
    let single: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.verify_single())
        .map(|(i, _)| i)
        .collect();
    let mut batched = batch::failing(items, &mut rng(6));
    batched.sort_unstable();
    assert_eq!(batched, single, "batch and single verification disagree");
    let seq = batch::failing_sequential(items, &mut rng(7));
    assert_eq!(
        seq, single,
        "sequential batch and single verification disagree"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, edits)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let key = f.ek.public_key();
    let victim = usize::from(sel >> 2) % 3;
    match sel % 4 {
        0 => {
            let bytes: Vec<Vec<u8>> = f
                .cts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == victim {
                        mutate(&c.1, edits)
                    } else {
                        c.1.clone()
                    }
                })
                .collect();
            let Ok(proofs) = bytes
                .iter()
                .map(|b| DisjunctiveProof::from_bytes(b))
                .collect::<Result<Vec<_>, _>>()
            else {
                return;
            };
            let items: Vec<_> = proofs
                .iter()
                .zip(&f.cts)
                .map(|(p, c)| p.item(&f.ctx, key, &c.0, 2))
                .collect();
            check(&items);
        }
        1 => {
            // The statement mutated instead: a ciphertext with one component changed.
            let mut cts: Vec<Ciphertext> = f.cts.iter().map(|c| c.0).collect();
            let mut raw = cts[victim].to_bytes().to_vec();
            raw = mutate(&raw, edits);
            let Ok(ct) = Ciphertext::from_bytes(&raw) else {
                return;
            };
            cts[victim] = ct;
            let proofs: Vec<WellFormedProof> = f
                .cts
                .iter()
                .map(|c| WellFormedProof::from_bytes(&c.2).expect("fixture"))
                .collect();
            let items: Vec<_> = proofs
                .iter()
                .zip(&cts)
                .map(|(p, c)| p.item(&f.ctx, key, c))
                .collect();
            check(&items);
        }
        2 => {
            let Ok(proofs) = f
                .schnorr
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    SchnorrProof::from_bytes(&if i == victim {
                        mutate(&s.1, edits)
                    } else {
                        s.1.clone()
                    })
                })
                .collect::<Result<Vec<_>, _>>()
            else {
                return;
            };
            let items: Vec<_> = proofs
                .iter()
                .zip(&f.schnorr)
                .map(|(p, s)| p.item(&f.ctx, Base::H, &s.0))
                .collect();
            check(&items);
        }
        _ => {
            let Ok(proofs) = f
                .dleq
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    DleqProof::from_bytes(&if i == victim {
                        mutate(&s.1, edits)
                    } else {
                        s.1.clone()
                    })
                })
                .collect::<Result<Vec<_>, _>>()
            else {
                return;
            };
            let items: Vec<_> = proofs
                .iter()
                .zip(&f.dleq)
                .map(|(p, s)| p.item(&f.ctx, &s.0))
                .collect();
            check(&items);
        }
    }
});
