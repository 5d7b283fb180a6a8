//! Helpers shared by the integration tests.

use ostracon::record::RecordItem;
use ostracon::verify::{Prepass, Report, Verifier};
use rand::rngs::StdRng;
use rand::SeedableRng;

/// Runs the verifier over record items held in memory (prepass, then every item).
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
