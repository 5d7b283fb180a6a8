//! Helpers shared by the integration tests.

use ostracon::election::{Election, Parameters};
use ostracon::elgamal::SecretKey;
use ostracon::manifest::Manifest;
use ostracon::record::RecordItem;
use ostracon::verify::{Prepass, Report, Verifier};
use rand::rngs::StdRng;
use rand::SeedableRng;

/// Runs the verifier over record items held in memory (prepass, then every item).
#[allow(dead_code)] // not every test file that shares this module uses it
pub fn verify_items(items: &[RecordItem]) -> Report {
    let mut pre = Prepass::new();
    for i in items {
        if let RecordItem::Entry(e) = i {
            pre.note(e);
        }
    }
    let mut v = Verifier::new(pre, &mut StdRng::seed_from_u64(1));
    for i in items {
        v.feed(i.clone());
    }
    v.finish()
}

/// An election for `manifest` with one trustee whose secret (drawn from `seed`) the test
/// knows; with `signing`, its voter registry is attested and voters must sign.
#[allow(dead_code)] // not every test file that shares this module uses it
pub fn one_trustee_election(manifest: Manifest, seed: u64, signing: bool) -> (Election, SecretKey) {
    let sk = SecretKey::random(&mut StdRng::seed_from_u64(seed));
    let mut params = Parameters::new(1, 1);
    if signing {
        params = params
            .with_registry(ostracon::registry::RegistryCommitment::Attested)
            .with_signatures(true);
    }
    let e = Election::new(manifest, params, vec![vec![*sk.public_key().point()]])
        .expect("a valid one-trustee election");
    (e, sk)
}
