//! Ballots, tracking codes and challenged-ballot openings for one fixed election.

use ostracon::ballot::{verify_opening, BallotOpening, EncryptedBallot, PlaintextBallot};
use ostracon::election::{ceremony_context, Election, Parameters};
use ostracon::keyceremony::CeremonyParams;
use ostracon::simulation;
use serde_json::{json, Value};

use crate::util::{file, hex, rng, Case, Gen, Group};

/// The fixed election of the ballot vectors: the demo manifest, a 3-of-5 ceremony run
/// from a fixed seed.
pub fn election() -> Gen<Election> {
    let manifest = simulation::demo_manifest();
    let params = Parameters::new(5, 3);
    let cp = CeremonyParams::new(5, 3, ceremony_context(&manifest, &params))
        .map_err(|e| e.to_string())?;
    let (ceremony, _, _) =
        simulation::run_ceremony(cp, &mut rng("ballots/ceremony")).map_err(|e| e.to_string())?;
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    Election::new(manifest, params, commitments).map_err(|e| e.to_string())
}

fn check(election: &Election, bytes: &[u8]) -> Result<String, &'static str> {
    let b = EncryptedBallot::from_bytes(bytes).map_err(|e| e.code())?;
    election
        .validate_ballot(&b)
        .map(|c| c.to_hex())
        .map_err(|e| e.code())
}

fn ballot_case(election: &Election, comment: &str, bytes: &[u8]) -> Case {
    match check(election, bytes) {
        Ok(code) => Case::valid(comment).with("trackingCode", code),
        Err(e) => Case::invalid(comment, e),
    }
    .with("ballot", hex(bytes))
}

fn invalid(c: Case) -> Gen<Case> {
    if c.is_invalid() {
        Ok(c)
    } else {
        Err("a mutated ballot was accepted".into())
    }
}

fn opening_json(o: &BallotOpening) -> Gen<String> {
    serde_json::to_string(o).map_err(|e| e.to_string())
}

/// `ballots.json`.
pub fn ballots() -> Gen<Value> {
    let election = election()?;
    let plaintexts = [
        PlaintextBallot::new()
            .with("chair", vec![0, 1, 0, 0])
            .with("board", vec![1, 0, 0, 1, 0, 0, 0, 1, 0, 0])
            .with("budget", vec![4, 2, 0])
            .with("projects", vec![10, 3])
            .with("motion", vec![1, 0, 0]),
        PlaintextBallot::new()
            .with("chair", vec![0, 0, 0, 1])
            .with("board", vec![0; 10])
            .with("budget", vec![0, 0, 0])
            .with("projects", vec![0, 0])
            .with("motion", vec![0, 0, 1]),
        PlaintextBallot::new()
            .with("chair", vec![1, 0, 0, 0])
            .with("board", vec![0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
            .with("budget", vec![1, 1, 4])
            .with("projects", vec![5, 9])
            .with("motion", vec![0, 1, 0]),
    ];
    let mut r = rng("ballots/encrypt");
    let mut made: Vec<(EncryptedBallot, BallotOpening)> = Vec::new();
    let mut valid = Group::new("BallotValidation").with("election", election.to_json());
    for (i, p) in plaintexts.iter().enumerate() {
        let id = format!("ballot-{:03}", i + 1);
        // The second ballot is chained to the first (a polling-place device).
        let previous = (i == 1).then(|| made[0].0.tracking_code());
        let mut master = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut r, &mut master);
        let (b, o) = election
            .encrypt_ballot_with_nonce(&id, p, previous, &master, &mut r)
            .map_err(|e| e.to_string())?;
        let bytes = b.to_bytes();
        let code = b.tracking_code();
        let mut c = ballot_case(&election, &format!("{id}: a valid ballot"), &bytes)
            .with("ballotId", id.clone())
            .with(
                "plaintext",
                serde_json::to_value(p).map_err(|e| e.to_string())?,
            )
            .with("masterNonce", hex(&master))
            .with("trackingCodeHuman", code.human());
        if let Some(prev) = previous {
            c = c.with("previousCode", prev.to_hex()).flag("Chained");
        }
        if c.is_invalid() {
            return Err(format!("{id} does not validate"));
        }
        valid.push(c);
        made.push((b, o));
    }
    let (b1, o1) = &made[0];
    let (b2, _) = &made[1];
    let (b3, o3) = &made[2];

    let mut copied = b1.clone();
    copied.ballot_id = "ballot-999".into();
    valid.push(invalid(
        ballot_case(
            &election,
            "ballot-001's ciphertexts and proofs under another ballot id",
            &copied.to_bytes(),
        )
        .flag("CopiedProof"),
    )?);
    let mut swapped = b1.clone();
    swapped.contests[0].selection_proofs = b3.contests[0].selection_proofs.clone();
    swapped.contests[0].selections = b3.contests[0].selections.clone();
    valid.push(invalid(
        ballot_case(
            &election,
            "contest 'chair' (ciphertexts and proofs) copied from ballot-003",
            &swapped.to_bytes(),
        )
        .flag("CopiedProof"),
    )?);
    let mut tampered = b1.clone();
    tampered.contests[0].selections[0] = b1.contests[0].selections[1];
    valid.push(invalid(
        ballot_case(
            &election,
            "a ciphertext replaced by another option's",
            &tampered.to_bytes(),
        )
        .flag("TamperedCiphertext"),
    )?);
    let mut garbage = b1.clone();
    garbage.contests[3].selections[0] = election.encryption_key().encrypt(
        1_000_000,
        &election.selection_nonce("ballot-001", &[7u8; 32], 3, 0),
    );
    valid.push(invalid(
        ballot_case(
            &election,
            "a score replaced by an encryption of 1000000 (tally overflow)",
            &garbage.to_bytes(),
        )
        .flag("TamperedCiphertext"),
    )?);
    let mut other = b1.clone();
    other.election[0] ^= 1;
    valid.push(invalid(
        ballot_case(
            &election,
            "made for another election (base hash differs)",
            &other.to_bytes(),
        )
        .flag("WrongElection"),
    )?);
    let mut short = b1.clone();
    short.contests.pop();
    valid.push(invalid(
        ballot_case(&election, "one contest missing", &short.to_bytes()).flag("Malformed"),
    )?);
    let bytes = b2.to_bytes();
    valid.push(invalid(
        ballot_case(
            &election,
            "ballot-002 without its last byte",
            &bytes[..bytes.len() - 1],
        )
        .flag("Truncated"),
    )?);
    let mut long = bytes.clone();
    long.push(0);
    valid.push(invalid(
        ballot_case(&election, "ballot-002 with a byte appended", &long).flag("TrailingBytes"),
    )?);
    let mut v2 = bytes.clone();
    v2[0] = 2;
    valid.push(invalid(
        ballot_case(&election, "unknown encoding version 2", &v2).flag("UnknownVersion"),
    )?);

    let mut openings = Group::new("ChallengeOpening").with("election", election.to_json());
    let opening_case = |comment: &str, b: &EncryptedBallot, o: &BallotOpening| -> Gen<Case> {
        let r = verify_opening(&election, b, o).map_err(|e| e.code());
        Ok(
            Case::outcome(comment, r.as_ref().map(|_| ()).map_err(|e| *e))
                .with("ballot", hex(&b.to_bytes()))
                .with("trackingCode", b.tracking_code().to_hex())
                .with("opening", opening_json(o)?)
                .with(
                    "plaintext",
                    serde_json::to_value(o.plaintext(&election)).map_err(|e| e.to_string())?,
                ),
        )
    };
    openings.push(opening_case(
        "ballot-001 opened by its master nonce",
        b1,
        o1,
    )?);
    openings.push(opening_case(
        "ballot-003 opened by its master nonce",
        b3,
        o3,
    )?);
    let mut lie = o1.clone();
    lie.selections[0] = vec![1, 0, 0, 0];
    openings.push(invalid(
        opening_case("ballot-001 with a false plaintext for 'chair'", b1, &lie)?
            .flag("FalseOpening"),
    )?);
    let mut lie = o1.clone();
    lie.master_nonce[0] ^= 1;
    openings.push(invalid(
        opening_case("ballot-001 with another master nonce", b1, &lie)?.flag("FalseOpening"),
    )?);
    openings.push(invalid(
        opening_case("ballot-003's opening presented for ballot-001", b1, o3)?.flag("FalseOpening"),
    )?);

    file(
        "encrypted ballots, tracking codes (SHA-256 of the canonical ballot) and Benaloh challenge openings",
        &[
            ("Chained", "The ballot carries the previous ballot's tracking code from the same device."),
            ("CopiedProof", "Ciphertexts and proofs from a valid ballot presented under another ballot id or in another ballot; proofs are bound to the ballot id, contest and option."),
            ("TamperedCiphertext", "A ciphertext replaced while its proofs are kept."),
            ("WrongElection", "The ballot names another election's base hash."),
            ("Malformed", "The ballot's shape does not match the manifest."),
            ("Truncated", "The encoding lacks its last byte."),
            ("TrailingBytes", "A byte is appended to the encoding."),
            ("UnknownVersion", "The encoding's version byte is not 1."),
            ("FalseOpening", "A challenge opening (master nonce and plaintext) that does not re-encrypt to the ballot."),
        ],
        vec![valid, openings],
    )
    .map(|mut v| {
        v["note"] = json!("Ballots are checked by decoding the bytes (decode.* codes) and then validating them against the election (ballot.* codes).");
        v
    })
}
