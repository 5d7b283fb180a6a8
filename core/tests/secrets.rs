//! Secrets zeroize on drop and never appear in `Debug` output.

use ostracon::ballot::{BallotOpening, PlaintextBallot};
use ostracon::board;
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::election::{ceremony_context, Parameters};
use ostracon::elgamal::{Nonce, SecretKey};
use ostracon::keyceremony::{CeremonyParams, CommunicationKey, KeyShare, Trustee};
use ostracon::simulation;
use rand::rngs::StdRng;
use rand::SeedableRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

fn zeroizes_on_drop<T: ZeroizeOnDrop>() {}

/// Every way a secret's bytes could be printed: lowercase and uppercase hex, and Rust's
/// array `Debug` (`[1, 2, …]`).
fn renderings(secret: &[u8]) -> Vec<String> {
    let lower: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let upper = lower.to_uppercase();
    let array = format!("{secret:?}");
    // Also any 8-byte window of the hex (a secret printed in part).
    let mut out = vec![lower.clone(), upper, array[1..array.len() - 1].to_string()];
    out.extend(
        (0..secret.len().saturating_sub(8))
            .step_by(8)
            .map(|i| lower[2 * i..2 * i + 16].to_string()),
    );
    out
}

fn assert_hidden(debug: &str, secret: &[u8]) {
    for r in renderings(secret) {
        assert!(
            !debug.contains(&r),
            "Debug output {debug:?} contains secret bytes {r}"
        );
    }
}

#[test]
fn secret_types_zeroize_on_drop() {
    zeroizes_on_drop::<SecretKey>();
    zeroizes_on_drop::<Nonce>();
    zeroizes_on_drop::<BallotOpening>();
    zeroizes_on_drop::<PlaintextBallot>();
    zeroizes_on_drop::<KeyShare>();
    zeroizes_on_drop::<CommunicationKey>();
    zeroizes_on_drop::<board::SigningKey>();
    zeroizes_on_drop::<zeroize::Zeroizing<Scalar>>();
}

#[test]
fn zeroize_clears_secrets() {
    let mut r = StdRng::seed_from_u64(1);
    let mut sk = SecretKey::random(&mut r);
    assert_ne!(*sk.as_scalar(), Scalar::ZERO);
    sk.zeroize();
    assert_eq!(*sk.as_scalar(), Scalar::ZERO);

    let mut n = Nonce::random(&mut r);
    n.zeroize();
    assert_eq!(*n.as_scalar(), Scalar::ZERO);

    let mut o = BallotOpening {
        master_nonce: [7u8; 32],
        selections: vec![vec![1, 0, 1]],
    };
    o.zeroize();
    assert_eq!(o.master_nonce, [0u8; 32]);
    assert!(o.selections.is_empty());
}

#[test]
fn debug_output_contains_no_secret_bytes() {
    let mut r = StdRng::seed_from_u64(2);
    let sk = SecretKey::random(&mut r);
    assert_hidden(&format!("{sk:?}"), &*sk.to_bytes());
    assert_hidden(&format!("{sk:#?}"), &*sk.to_bytes());

    let n = Nonce::random(&mut r);
    assert_hidden(&format!("{n:?}"), n.as_scalar().as_bytes());

    let master = [0x5au8; 32];
    let o = BallotOpening {
        master_nonce: master,
        selections: vec![vec![0, 1, 0]],
    };
    let d = format!("{o:?}");
    assert_hidden(&d, &master);
    assert!(!d.contains("[0, 1, 0]"), "plaintext in {d}");

    let ck = CommunicationKey::random(&mut r);
    assert_hidden(&format!("{ck:?}"), &*ck.to_bytes());

    let voter = board::generate_voter_key(&mut r);
    assert_hidden(&format!("{voter:?}"), voter.as_bytes());

    // Key shares and trustees from a real ceremony.
    let manifest = simulation::demo_manifest();
    let params = Parameters::new(3, 2);
    let cp = CeremonyParams::new(3, 2, ceremony_context(&manifest, &params)).unwrap();
    let (_, _, shares) = simulation::run_ceremony(cp, &mut r).unwrap();
    for k in &shares {
        let secret = k.secret().to_bytes();
        assert_hidden(&format!("{k:?}"), &*secret);
        assert_hidden(&format!("{k:#?}"), &*secret);
    }
    let ck = CommunicationKey::random(&mut r);
    let secret = ck.to_bytes();
    let t = Trustee::with_comm_key(cp, 1, ck, &mut r).unwrap();
    assert_hidden(&format!("{t:?}"), &*secret);

    // Plaintext ballots are not secret types (the voter's own device holds them), but
    // openings are: checked above.
    let _ = PlaintextBallot::new();
}

/// A plaintext ballot is the vote: `Debug` names its contests only, `zeroize` clears
/// the values.
#[test]
fn plaintext_ballots_are_redacted_and_zeroized() {
    let mut p = PlaintextBallot::new()
        .with("chair", vec![0, 7, 0])
        .with_write_in("write-in", "Zoë Quux");
    let debug = format!("{p:?}");
    assert!(
        debug.contains("chair") && debug.contains("write-in"),
        "{debug}"
    );
    for leak in ["7", "Quux", "90", "[0"] {
        assert!(!debug.contains(leak), "{debug} shows {leak}");
    }
    p.zeroize();
    assert!(p.0.values().flatten().all(|&v| v == 0));
    assert!(p.0.contains_key("chair"));
}

#[test]
fn the_check_detects_a_leak() {
    let s = Scalar::from(0x0123_4567_89ab_cdefu64);
    let leaked = format!("{s:?}");
    let caught = std::panic::catch_unwind(|| assert_hidden(&leaked, s.as_bytes()));
    assert!(
        caught.is_err(),
        "a scalar's own Debug output must be caught"
    );
    let hex_leak = format!("key={}", ostracon::hex::encode(s.as_bytes()));
    assert!(std::panic::catch_unwind(|| assert_hidden(&hex_leak, s.as_bytes())).is_err());
}
