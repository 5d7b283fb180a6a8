//! No decoder panics on any input, and what decodes re-encodes to the same bytes.

use ostracon::ballot::EncryptedBallot;
use ostracon::keyceremony::{Announcement, CeremonyTranscript, Complaint, EncryptedShare};
use ostracon::manifest::Manifest;
use ostracon::record::{RecordItem, SliceReader};
use ostracon::tally::TallyAccumulator;
use ostracon::threshold::PartialDecryption;
use ostracon::verify::Partial;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn protocol_decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(b) = EncryptedBallot::from_bytes(&bytes) {
            prop_assert_eq!(b.to_bytes(), bytes.clone());
        }
        if let Ok(m) = Manifest::from_bytes(&bytes) {
            prop_assert_eq!(m.to_bytes(), bytes.clone());
        }
        for tag in 0..=8u8 {
            if let Ok(item) = RecordItem::from_payload(tag, &bytes) {
                prop_assert_eq!(item.payload(), bytes.clone());
            }
        }
        let _ = TallyAccumulator::from_bytes(&bytes);
        let _ = Partial::from_bytes(&bytes);
        let _ = PartialDecryption::from_bytes(&bytes);
        let _ = Announcement::from_bytes(&bytes);
        let _ = CeremonyTranscript::from_bytes(&bytes);
        let _ = EncryptedShare::from_bytes(&bytes);
        let _ = Complaint::from_bytes(&bytes);
        if let Ok(mut r) = SliceReader::new(&bytes) {
            for _ in 0..8 {
                match r.next_item() { Ok(Some(_)) => {}, _ => break }
            }
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = RecordItem::from_json_line(s);
            let _ = Manifest::from_json(s.as_bytes());
            let _ = ostracon::election::Election::from_json(s.as_bytes());
        }
    }

    #[test]
    fn framed_records_with_random_payloads_never_panic(tag in 0u8..9, payload in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = b"OSTRACON".to_vec();
        bytes.extend_from_slice(&ostracon::record::RECORD_VERSION.to_le_bytes());
        bytes.push(tag);
        bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&payload);
        let mut r = SliceReader::new(&bytes).unwrap();
        let _ = r.next_item();
        let _ = ostracon::verify::verify_bytes(&bytes, &mut rand::rngs::OsRng);
    }
}
