//! Fixtures shared by the Rust tests and the examples (which include this file with
//! `#[path]`): elections made by the core's own simulation, never hand-written.

#![allow(dead_code)]

use ostracon::election::{ceremony_context, Election, Parameters};
use ostracon::keyceremony::CeremonyParams;
use ostracon::manifest::{Contest, ContestOption, Manifest, VoteRule};
use ostracon::simulation::{demo_manifest, run_ceremony};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// The voter id and 32-byte key seed of the cross-language tests.
pub const VOTER: &str = "voter-7";
pub const VOTER_SEED: [u8; 32] = [7; 32];

/// An election for `manifest` after a local 2-of-3 key ceremony seeded by `seed`.
pub fn election_for(manifest: Manifest, seed: u64) -> Election {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let params = Parameters::new(3, 2);
    let cparams = CeremonyParams::new(3, 2, ceremony_context(&manifest, &params))
        .expect("ceremony parameters");
    let (ceremony, _, _) = run_ceremony(cparams, &mut rng).expect("key ceremony");
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    Election::new(manifest, params, commitments).expect("election")
}

/// The demo election: five contests (approval, cumulative, score).
pub fn demo_election() -> Election {
    election_for(demo_manifest(), 2026)
}

/// The benchmark's election: one approval contest, 10 options, choose up to 3.
pub fn bench_election() -> Election {
    let options = (0..10)
        .map(|i| ContestOption {
            id: format!("o{i}"),
            label: format!("Option {i}"),
        })
        .collect();
    let manifest = Manifest {
        election_id: "bench-approval-10".into(),
        title: "10 options, choose up to 3".into(),
        contests: vec![Contest {
            id: "board".into(),
            title: "Board (up to 3)".into(),
            options,
            rule: VoteRule::Approval { min: 0, max: 3 },
        }],
    };
    election_for(manifest, 10)
}

/// The benchmark's choices: three of the ten options.
pub const BENCH_PLAINTEXT: &str = r#"{"board":[0,1,0,0,1,0,0,0,1,0]}"#;

/// A valid plaintext of the demo election.
pub const DEMO_PLAINTEXT: &str = r#"{"chair":[0,1,0,0],"board":[1,0,0,1,0,0,0,1,0,0],"budget":[3,1,2],"projects":[7,10],"motion":[1,0,0]}"#;
