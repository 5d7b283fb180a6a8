//! The encrypted-ballot decoder: strict decoding, round trip, tracking code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::ballot::{EncryptedBallot, TrackingCode};
use ostracon_fuzz::round_trip;

fuzz_target!(|data: &[u8]| {
    if let Some(b) = round_trip(data, EncryptedBallot::from_bytes, EncryptedBallot::to_bytes) {
        assert_eq!(b.tracking_code(), TrackingCode::of_bytes(data));
    }
});
