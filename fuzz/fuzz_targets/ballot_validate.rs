//! Ballot validation on arbitrary bytes (the ballot box's entry point), single and in a
//! batch, which must agree; and challenge openings on arbitrary JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::ballot::{verify_opening, BallotOpening, EncryptedBallot};
use ostracon_fuzz::{election, rng};

fuzz_target!(|data: &[u8]| {
    let election = election();
    if let Ok(b) = EncryptedBallot::from_bytes(data) {
        let single = election.validate_ballot(&b).map_err(|e| e.code());
        let batch = election.validate_ballots(&[b.clone()], &mut rng(2));
        assert_eq!(batch.len(), 1);
        assert_eq!(
            single.is_ok(),
            batch[0].is_ok(),
            "single and batch validation disagree"
        );
        let opening = BallotOpening {
            master_nonce: [0u8; 32],
            selections: b
                .contests
                .iter()
                .map(|c| vec![0; c.selections.len()])
                .collect(),
        };
        let _ = verify_opening(election, &b, &opening);
    } else if let Ok(o) = serde_json::from_slice::<BallotOpening>(data) {
        let _ = o.plaintext(election);
    }
});
