//! Shared fixtures for the criterion benchmarks of ostracon (see `benches/`).

use ostracon::elgamal::{Ciphertext, EncryptionKey, Nonce, SecretKey};
use ostracon::proofs::DisjunctiveProof;
use ostracon::transcript::ProofContext;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// A deterministic RNG for fixtures.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A random election key with its encryption table.
pub fn key(seed: u64) -> (SecretKey, EncryptionKey) {
    let sk = SecretKey::random(&mut rng(seed));
    let ek = sk.public_key().precompute();
    (sk, ek)
}

/// The proof context of option `i` of a benchmark ballot.
pub fn option_context(i: u64) -> ProofContext {
    ProofContext::new(b"bench election")
        .bind(b"ballot", b"bench")
        .bind_u64(b"option", i)
}

/// `n` encrypted 0/1 selections with their disjunctive proofs, as published bytes.
pub fn encoded_selections(ek: &EncryptionKey, n: usize) -> Vec<([u8; 64], Vec<u8>)> {
    let mut r = rng(99);
    (0..n)
        .map(|i| {
            let nonce = Nonce::random(&mut r);
            let (ct, p) = DisjunctiveProof::encrypt_and_prove(
                &option_context(i as u64),
                ek,
                (i % 2) as u64,
                1,
                &nonce,
                &mut r,
            )
            .expect("in range");
            (ct.to_bytes(), p.to_bytes())
        })
        .collect()
}

/// Decodes what [`encoded_selections`] produced.
pub fn decode_selections(enc: &[([u8; 64], Vec<u8>)]) -> Vec<(Ciphertext, DisjunctiveProof)> {
    enc.iter()
        .map(|(c, p)| {
            (
                Ciphertext::from_bytes(c).expect("valid"),
                DisjunctiveProof::from_bytes(p).expect("valid"),
            )
        })
        .collect()
}
