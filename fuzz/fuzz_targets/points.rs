//! Points, scalars, ciphertexts and public keys: strict decoding, round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::elgamal::{Ciphertext, PublicKey};
use ostracon::group::{decode_scalar, Point};
use ostracon_fuzz::round_trip;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    match sel % 5 {
        0 => {
            round_trip(bytes, |b| Point::decode(b, "p"), |p| p.to_bytes().to_vec());
        }
        1 => {
            if let Some(p) = round_trip(
                bytes,
                |b| Point::decode_nonidentity(b, "p"),
                |p| p.to_bytes().to_vec(),
            ) {
                assert!(!p.is_identity());
            }
        }
        2 => {
            round_trip(bytes, |b| decode_scalar(b, "s"), |s| s.to_bytes().to_vec());
        }
        3 => {
            round_trip(bytes, Ciphertext::from_bytes, |c| c.to_bytes().to_vec());
        }
        _ => {
            round_trip(bytes, PublicKey::from_bytes, |k| k.to_bytes().to_vec());
        }
    }
});
