//! Every proof decoder (the mixnet's shuffle proof included): strict decoding, round
//! trip. The first byte selects the kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::mixnet::ShuffleProof;
use ostracon::proofs::{DisjunctiveProof, DleqProof, RangeProof, SchnorrProof, WellFormedProof};
use ostracon_fuzz::round_trip;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    match sel % 6 {
        0 => {
            round_trip(bytes, SchnorrProof::from_bytes, |p| p.to_bytes().to_vec());
        }
        1 => {
            round_trip(bytes, DleqProof::from_bytes, |p| p.to_bytes().to_vec());
        }
        2 => {
            round_trip(
                bytes,
                DisjunctiveProof::from_bytes,
                DisjunctiveProof::to_bytes,
            );
        }
        3 => {
            round_trip(bytes, WellFormedProof::from_bytes, |p| {
                p.to_bytes().to_vec()
            });
        }
        4 => {
            round_trip(bytes, RangeProof::from_bytes, RangeProof::to_bytes);
        }
        _ => {
            round_trip(bytes, ShuffleProof::from_bytes, ShuffleProof::to_bytes);
        }
    }
});
