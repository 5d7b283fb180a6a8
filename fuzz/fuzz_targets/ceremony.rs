//! Key-ceremony and decryption messages: strict decoding, round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::keyceremony::{
    Announcement, CeremonyParams, CeremonyTranscript, Complaint, EncryptedShare, KeyShare,
};
use ostracon::tally::TallyAccumulator;
use ostracon::threshold::PartialDecryption;
use ostracon::verify::Partial;
use ostracon_fuzz::{rng, round_trip};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    match sel % 9 {
        0 => {
            round_trip(bytes, CeremonyParams::from_bytes, |p| p.to_bytes().to_vec());
        }
        1 => {
            round_trip(bytes, Announcement::from_bytes, Announcement::to_bytes);
        }
        2 => {
            round_trip(bytes, EncryptedShare::from_bytes, |s| s.to_bytes().to_vec());
        }
        3 => {
            round_trip(bytes, Complaint::from_bytes, |c| c.to_bytes().to_vec());
        }
        4 => {
            if let Some(t) = round_trip(
                bytes,
                CeremonyTranscript::from_bytes,
                CeremonyTranscript::to_bytes,
            ) {
                // Verifying an arbitrary transcript must fail cleanly or succeed.
                let _ = t.verify(&mut rng(3));
            }
        }
        5 => {
            round_trip(bytes, KeyShare::from_bytes, |k| k.to_bytes().to_vec());
        }
        6 => {
            round_trip(
                bytes,
                PartialDecryption::from_bytes,
                PartialDecryption::to_bytes,
            );
        }
        7 => {
            round_trip(
                bytes,
                TallyAccumulator::from_bytes,
                TallyAccumulator::to_bytes,
            );
        }
        _ => {
            round_trip(bytes, Partial::from_bytes, Partial::to_bytes);
        }
    }
});
