//! Manifests: the canonical binary decoder (round trip) and the JSON loader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::election::Election;
use ostracon::manifest::Manifest;
use ostracon_fuzz::round_trip;

fuzz_target!(|data: &[u8]| {
    if let Some(m) = round_trip(data, Manifest::from_bytes, Manifest::to_bytes) {
        let _ = m.validate();
        let _ = m.tally_shape();
    }
    if let Ok(m) = Manifest::from_json(data) {
        let again = Manifest::from_json(m.to_json().as_bytes()).expect("to_json output loads");
        assert_eq!(again, m);
        assert_eq!(Manifest::from_bytes(&m.to_bytes()).ok(), Some(m));
    }
    if let Ok(e) = Election::from_json(data) {
        let again = Election::from_json(e.to_json().as_bytes()).expect("to_json output loads");
        assert_eq!(again.base_hash(), e.base_hash());
    }
});
