//! Shared fixtures of the fuzz targets: a fixed election and valid proofs, built once
//! from fixed seeds, and the decode → encode identity check.

use std::sync::OnceLock;

use ostracon::election::{ceremony_context, Election, Parameters};
use ostracon::keyceremony::CeremonyParams;
use ostracon::simulation;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// A deterministic RNG.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Asserts that whatever decodes re-encodes to exactly the input: every object has
/// exactly one encoding.
pub fn round_trip<T, E>(
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, E>,
    encode: impl Fn(&T) -> Vec<u8>,
) -> Option<T> {
    let value = decode(bytes).ok()?;
    assert_eq!(encode(&value), bytes, "decode → encode is not the identity");
    Some(value)
}

/// The demo election after a 3-of-5 ceremony from a fixed seed.
pub fn election() -> &'static Election {
    static E: OnceLock<Election> = OnceLock::new();
    E.get_or_init(|| {
        let manifest = simulation::demo_manifest();
        let params = Parameters::new(5, 3);
        let cp = CeremonyParams::new(5, 3, ceremony_context(&manifest, &params))
            .expect("fixed parameters are valid");
        let (ceremony, _, _) =
            simulation::run_ceremony(cp, &mut rng(1)).expect("the fixed ceremony succeeds");
        let commitments = ceremony
            .announcements()
            .iter()
            .map(|a| a.commitments.clone())
            .collect();
        Election::new(manifest, params, commitments).expect("the fixed election is valid")
    })
}
