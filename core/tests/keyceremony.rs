//! The key ceremony end to end through its message API, its complaint path, and the
//! rejection of tampered messages.

use ostracon::curve25519_dalek::ristretto::RistrettoPoint;
use ostracon::curve25519_dalek::scalar::Scalar;
use ostracon::curve25519_dalek::traits::Identity;
use ostracon::dlog::DlogTable;
use ostracon::elgamal::{Ciphertext, Nonce};
use ostracon::group::{self, Point};
use ostracon::keyceremony::{
    Announcement, AnnouncementFault, CeremonyError, CeremonyParams, CeremonyTranscript,
    CommunicationKey, Complaint, DeliveryFault, EncryptedShare, FalseComplaint, KeyShare, Outcome,
    Phase, PublicCeremony, ShareFault, Trustee, Verdict,
};
use ostracon::threshold::{self, PartialDecryption};
use ostracon::transcript::ProofContext;
use ostracon::Error;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn params(n: u32, t: u32) -> CeremonyParams {
    CeremonyParams::new(n, t, [0x5a; 32]).unwrap()
}

/// Sends a message over the "wire": canonical bytes, checked to be canonical, and JSON.
fn wire_announcement(a: &Announcement) -> Announcement {
    let bytes = a.to_bytes();
    let back = Announcement::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let json = serde_json::to_string(&back).unwrap();
    let back2: Announcement = serde_json::from_str(&json).unwrap();
    assert_eq!(back2, *a);
    back
}

fn wire_share(s: &EncryptedShare) -> EncryptedShare {
    let bytes = s.to_bytes();
    let back = EncryptedShare::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let json = serde_json::to_string(&back).unwrap();
    assert_eq!(serde_json::from_str::<EncryptedShare>(&json).unwrap(), *s);
    back
}

fn wire_complaint(c: &Complaint) -> Complaint {
    let bytes = c.to_bytes();
    let back = Complaint::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let json = serde_json::to_string(&back).unwrap();
    assert_eq!(serde_json::from_str::<Complaint>(&json).unwrap(), *c);
    back
}

/// Round 1 only: the trustees and their announcements (as received off the wire).
fn announce(params: CeremonyParams, rng: &mut StdRng) -> (Vec<Trustee>, Vec<Announcement>) {
    let trustees: Vec<Trustee> = (1..=params.n())
        .map(|i| Trustee::new(params, i, rng).unwrap())
        .collect();
    let anns = trustees
        .iter()
        .map(|t| wire_announcement(t.announcement()))
        .collect();
    (trustees, anns)
}

/// Round 2: every trustee's outgoing shares, off the wire.
fn send_shares(
    trustees: &mut [Trustee],
    anns: &[Announcement],
    rng: &mut StdRng,
) -> Vec<EncryptedShare> {
    let mut all = Vec::new();
    for t in trustees.iter_mut() {
        assert_eq!(t.phase(), Phase::AwaitingAnnouncements);
        // Announcements in a different order for each trustee: order must not matter.
        let mut mine = anns.to_vec();
        mine.rotate_left(t.index() as usize - 1);
        let shares = t.receive_announcements(&mine, rng).unwrap();
        assert_eq!(shares.len(), anns.len() - 1);
        assert_eq!(t.phase(), Phase::AwaitingShares);
        all.extend(shares.iter().map(wire_share));
    }
    all
}

fn inbox(all: &[EncryptedShare], to: u32) -> Vec<EncryptedShare> {
    all.iter().filter(|s| s.to == to).copied().collect()
}

struct Done {
    ceremony: PublicCeremony,
    keys: Vec<KeyShare>,
}

/// A full ceremony through the message API.
fn run(n: u32, t: u32, seed: u64) -> Done {
    let mut rng = rng(seed);
    let params = params(n, t);
    let (mut trustees, anns) = announce(params, &mut rng);
    let all = send_shares(&mut trustees, &anns, &mut rng);
    let mut keys = Vec::new();
    for tr in trustees.iter_mut() {
        let Outcome::Finished(key) = tr
            .receive_shares(&inbox(&all, tr.index()), &mut rng)
            .unwrap()
        else {
            panic!("honest ceremony raised complaints");
        };
        assert_eq!(tr.phase(), Phase::Finished);
        // The key share survives its own encoding.
        let bytes = key.to_bytes();
        let back = KeyShare::from_bytes(&bytes).unwrap();
        assert_eq!(*back.to_bytes(), *bytes);
        keys.push(back);
    }
    // The verifier's view: the published transcript, off the wire, verified.
    let transcript = CeremonyTranscript {
        params,
        announcements: anns,
    };
    let bytes = transcript.to_bytes();
    let back = CeremonyTranscript::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let json = serde_json::to_string(&back).unwrap();
    assert_eq!(
        serde_json::from_str::<CeremonyTranscript>(&json).unwrap(),
        back
    );
    let ceremony = back.verify(&mut rng).unwrap();
    for tr in &trustees {
        assert_eq!(tr.public_ceremony(), Some(&ceremony));
    }
    Done { ceremony, keys }
}

fn subsets(n: u32, t: u32) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    for mask in 0u32..(1 << n) {
        if mask.count_ones() == t {
            out.push((1..=n).filter(|i| mask & (1 << (i - 1)) != 0).collect());
        }
    }
    out
}

fn check_ceremony(n: u32, t: u32, seed: u64, sets: &[Vec<u32>]) {
    let done = run(n, t, seed);
    let k = done.ceremony.joint_key();
    let shares = done.ceremony.verification_shares();
    assert_eq!(shares.len(), n as usize);
    for key in &done.keys {
        assert_eq!(key.joint_key(), k, "every trustee derives the same K");
        assert_eq!(key.params(), done.ceremony.params());
        let xi_h = *key.secret().public_key().point();
        assert_eq!(key.public_share(), &xi_h, "Xᵢ = xᵢ·H");
        assert_eq!(
            done.ceremony.verification_share(key.index()).unwrap(),
            xi_h,
            "Xᵢ from the announcements alone"
        );
        assert_eq!(shares[key.index() as usize - 1], xi_h);
    }
    // K = Σⱼ Cⱼ₀.
    let sum: RistrettoPoint = done
        .ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments[0].point())
        .sum();
    assert_eq!(k.point().point(), &sum);

    // Encrypt under K, decrypt with t trustees; t − 1 cannot.
    let mut rng = rng(seed + 1000);
    let ek = k.precompute();
    let values = [0u64, 1, 42, 1000];
    let cts: Vec<Ciphertext> = values
        .iter()
        .map(|&v| ek.encrypt(v, &Nonce::random(&mut rng)))
        .collect();
    let ctx = ProofContext::new(b"test election").bind(b"tally", b"final");
    let partials: Vec<PartialDecryption> = done
        .keys
        .iter()
        .map(|key| {
            let p = PartialDecryption::from_key_share(&ctx, key, &cts, &mut rng);
            PartialDecryption::from_bytes(&p.to_bytes()).unwrap()
        })
        .collect();
    let table = DlogTable::new(1 << 8);
    for set in sets {
        let chosen: Vec<PartialDecryption> = set
            .iter()
            .map(|&i| partials[i as usize - 1].clone())
            .collect();
        let points = threshold::decrypt(&ctx, &done.ceremony, &cts, &chosen, &mut rng).unwrap();
        for (p, &v) in points.iter().zip(&values) {
            assert_eq!(table.find(p, 1 << 12).unwrap(), v, "set {set:?}");
        }
        if t > 1 {
            let fewer = &chosen[..t as usize - 1];
            let wrong = threshold::combine(t - 1, &cts, fewer).unwrap();
            for (p, &v) in wrong.iter().zip(&values) {
                assert_ne!(*p, Scalar::from(v) * group::generator_g(), "set {set:?}");
            }
            assert_eq!(
                threshold::decrypt(&ctx, &done.ceremony, &cts, fewer, &mut rng).unwrap_err(),
                threshold::ThresholdError::TooFewPartials {
                    needed: t,
                    found: t as usize - 1
                }
            );
        }
    }
}

#[test]
fn ceremony_1_of_1() {
    check_ceremony(1, 1, 1, &[vec![1]]);
}

#[test]
fn ceremony_2_of_3() {
    check_ceremony(3, 2, 2, &subsets(3, 2));
}

#[test]
fn ceremony_3_of_5() {
    check_ceremony(5, 3, 3, &subsets(5, 3));
}

#[test]
fn ceremony_5_of_9() {
    check_ceremony(
        9,
        5,
        4,
        &[
            vec![1, 2, 3, 4, 5],
            vec![5, 6, 7, 8, 9],
            vec![9, 2, 7, 4, 1],
        ],
    );
}

#[test]
fn invalid_parameters_and_indices() {
    for (n, t) in [(0, 0), (3, 0), (3, 4), (256, 2), (256, 256)] {
        assert_eq!(
            CeremonyParams::new(n, t, [0; 32]).unwrap_err(),
            CeremonyError::InvalidParams { n, t }
        );
    }
    CeremonyParams::new(255, 255, [0; 32]).unwrap();
    let p = params(3, 2);
    let mut r = rng(5);
    for i in [0, 4] {
        assert_eq!(
            Trustee::new(p, i, &mut r).unwrap_err(),
            CeremonyError::InvalidTrustee { trustee: i }
        );
    }
    // Parameter decoding refuses invalid (n, t).
    let mut bytes = p.to_bytes();
    assert_eq!(CeremonyParams::from_bytes(&bytes).unwrap(), p);
    bytes[4] = 9; // t = 9 > n
    assert!(CeremonyParams::from_bytes(&bytes).is_err());
}

/// Applies `tamper` to the announcements of a fresh 3-of-5 ceremony and checks that
/// both the verifier and a trustee reject them with `expected`, leaving the trustee able
/// to continue with the genuine set.
fn assert_rejected(
    tamper: impl FnOnce(&mut Vec<Announcement>, &mut StdRng),
    expected: CeremonyError,
) {
    let mut r = rng(7);
    let p = params(5, 3);
    let (mut trustees, anns) = announce(p, &mut r);
    let mut bad = anns.clone();
    tamper(&mut bad, &mut r);
    assert_eq!(
        PublicCeremony::verify(p, bad.clone(), &mut r).unwrap_err(),
        expected
    );
    // Trustee 5 is never the tampered one below.
    let t5 = &mut trustees[4];
    assert_eq!(
        t5.receive_announcements(&bad, &mut r).unwrap_err(),
        expected
    );
    assert_eq!(t5.phase(), Phase::AwaitingAnnouncements);
    t5.receive_announcements(&anns, &mut r).unwrap();
}

fn fault(trustee: u32, fault: AnnouncementFault) -> CeremonyError {
    CeremonyError::Announcement { trustee, fault }
}

#[test]
fn bad_schnorr_proofs_are_rejected() {
    assert_rejected(
        |a, _| a[2].proofs[1] = a[2].proofs[0],
        fault(
            3,
            AnnouncementFault::InvalidCoefficientProof { coefficient: 1 },
        ),
    );
    assert_rejected(
        |a, _| a[1].comm_key_proof = a[0].comm_key_proof,
        fault(2, AnnouncementFault::InvalidCommKeyProof),
    );
    // A commitment replaced by another valid point: its proof no longer matches.
    assert_rejected(
        |a, _| a[0].commitments[2] = *group::generator_h(),
        fault(
            1,
            AnnouncementFault::InvalidCoefficientProof { coefficient: 2 },
        ),
    );
    // A communication key swapped for another trustee's: proofs are bound to it.
    assert_rejected(
        |a, _| a[3].comm_key = a[0].comm_key,
        fault(4, AnnouncementFault::InvalidCommKeyProof),
    );
}

#[test]
fn wrong_counts_and_identities_are_rejected() {
    assert_rejected(
        |a, _| {
            a[3].commitments.pop();
            a[3].proofs.pop();
        },
        fault(
            4,
            AnnouncementFault::CommitmentCount {
                expected: 3,
                found: 2,
            },
        ),
    );
    assert_rejected(
        |a, _| {
            let extra = a[1].proofs[0];
            a[1].proofs.push(extra);
        },
        fault(
            2,
            AnnouncementFault::ProofCount {
                expected: 3,
                found: 4,
            },
        ),
    );
    assert_rejected(
        |a, _| a[0].commitments[0] = Point::new(RistrettoPoint::identity()),
        fault(1, AnnouncementFault::IdentityCommitment),
    );
    assert_rejected(
        |a, _| a[2].comm_key = Point::new(RistrettoPoint::identity()),
        fault(3, AnnouncementFault::IdentityCommKey),
    );
}

#[test]
fn wrong_indices_are_rejected() {
    assert_rejected(
        |a, _| a[3].trustee = 6,
        fault(6, AnnouncementFault::IndexOutOfRange),
    );
    assert_rejected(
        |a, _| a[3].trustee = 0,
        fault(0, AnnouncementFault::IndexOutOfRange),
    );
    assert_rejected(
        |a, _| a[3].trustee = 2,
        fault(2, AnnouncementFault::Duplicate),
    );
    assert_rejected(
        |a, _| {
            a.remove(2);
        },
        fault(3, AnnouncementFault::Missing),
    );
    // Trustees 1 and 2 swap labels: every proof is bound to the index.
    assert_rejected(
        |a, _| {
            a[0].trustee = 2;
            a[1].trustee = 1;
        },
        fault(1, AnnouncementFault::InvalidCommKeyProof),
    );
}

#[test]
fn announcements_replayed_from_another_ceremony_are_rejected() {
    // Same n and t, another context.
    assert_rejected(
        |a, r| {
            let other = CeremonyParams::new(5, 3, [0x77; 32]).unwrap();
            a[2] = Trustee::new(other, 3, r).unwrap().announcement().clone();
        },
        fault(3, AnnouncementFault::InvalidCommKeyProof),
    );
    // Same context, another n.
    assert_rejected(
        |a, r| {
            a[1] = Trustee::new(params(6, 3), 2, r)
                .unwrap()
                .announcement()
                .clone();
        },
        fault(2, AnnouncementFault::InvalidCommKeyProof),
    );
}

#[test]
fn a_substituted_own_announcement_is_noticed() {
    let mut r = rng(8);
    let p = params(3, 2);
    let (mut trustees, mut anns) = announce(p, &mut r);
    let genuine = anns.clone();
    // Someone replaces trustee 1's announcement with a valid one of their own making.
    anns[0] = Trustee::new(p, 1, &mut r).unwrap().announcement().clone();
    PublicCeremony::verify(p, anns.clone(), &mut r).unwrap();
    assert_eq!(
        trustees[0]
            .receive_announcements(&anns, &mut r)
            .unwrap_err(),
        fault(1, AnnouncementFault::NotOurs)
    );
    trustees[0].receive_announcements(&genuine, &mut r).unwrap();
}

#[test]
fn calls_out_of_order_are_refused() {
    let mut r = rng(9);
    let p = params(2, 2);
    let (mut trustees, anns) = announce(p, &mut r);
    assert_eq!(
        trustees[0].receive_shares(&[], &mut r).unwrap_err(),
        CeremonyError::OutOfOrder {
            call: "receive_shares",
            phase: Phase::AwaitingAnnouncements
        }
    );
    assert!(trustees[0].public_ceremony().is_none());
    let all = send_shares(&mut trustees, &anns, &mut r);
    assert_eq!(
        trustees[0]
            .receive_announcements(&anns, &mut r)
            .unwrap_err(),
        CeremonyError::OutOfOrder {
            call: "receive_announcements",
            phase: Phase::AwaitingShares
        }
    );
    let inbox1 = inbox(&all, 1);
    trustees[0].receive_shares(&inbox1, &mut r).unwrap();
    assert_eq!(
        trustees[0].receive_shares(&inbox1, &mut r).unwrap_err(),
        CeremonyError::OutOfOrder {
            call: "receive_shares",
            phase: Phase::Finished
        }
    );
    let e: Error = trustees[0]
        .receive_shares(&inbox1, &mut r)
        .unwrap_err()
        .into();
    assert_eq!(e.code(), "input.invalid");
}

#[test]
fn malformed_deliveries_are_refused_and_recoverable() {
    let mut r = rng(10);
    let p = params(4, 2);
    let (mut trustees, anns) = announce(p, &mut r);
    let all = send_shares(&mut trustees, &anns, &mut r);
    let good = inbox(&all, 3);
    let t3 = &mut trustees[2];
    let delivery = |from, fault| CeremonyError::Delivery { from, fault };

    let missing = good[1..].to_vec();
    assert_eq!(
        t3.receive_shares(&missing, &mut r).unwrap_err(),
        delivery(good[0].from, DeliveryFault::Missing)
    );
    let mut dup = good.clone();
    dup.push(good[0]);
    assert_eq!(
        t3.receive_shares(&dup, &mut r).unwrap_err(),
        delivery(good[0].from, DeliveryFault::Duplicate)
    );
    let mut misaddressed = good.clone();
    misaddressed[1] = inbox(&all, 2)[0];
    assert_eq!(
        t3.receive_shares(&misaddressed, &mut r).unwrap_err(),
        delivery(
            misaddressed[1].from,
            DeliveryFault::WrongRecipient { to: 2 }
        )
    );
    let mut from_self = good.clone();
    from_self[0].from = 3;
    assert_eq!(
        t3.receive_shares(&from_self, &mut r).unwrap_err(),
        delivery(3, DeliveryFault::FromSelf)
    );
    let mut unknown = good.clone();
    unknown[0].from = 5;
    assert_eq!(
        t3.receive_shares(&unknown, &mut r).unwrap_err(),
        delivery(5, DeliveryFault::UnknownSender)
    );
    assert_eq!(t3.phase(), Phase::AwaitingShares);
    assert!(matches!(
        t3.receive_shares(&good, &mut r).unwrap(),
        Outcome::Finished(_)
    ));
}

#[test]
fn a_cheating_trustee_is_named_by_the_complaint() {
    let mut r = rng(11);
    let p = params(5, 3);
    let comm4 = CommunicationKey::random(&mut r);
    let mut trustees: Vec<Trustee> = (1..=5)
        .map(|i| {
            if i == 4 {
                Trustee::with_comm_key(p, i, comm4.clone(), &mut r).unwrap()
            } else {
                Trustee::new(p, i, &mut r).unwrap()
            }
        })
        .collect();
    let anns: Vec<Announcement> = trustees
        .iter()
        .map(|t| wire_announcement(t.announcement()))
        .collect();
    let mut all = send_shares(&mut trustees, &anns, &mut r);

    // Trustee 2 sends trustee 4 a bad share.
    let bad = all.iter_mut().find(|s| s.from == 2 && s.to == 4).unwrap();
    bad.ciphertext[5] ^= 1;
    let bad = *bad;

    let mut complaints = Vec::new();
    for tr in trustees.iter_mut() {
        match tr.receive_shares(&inbox(&all, tr.index()), &mut r).unwrap() {
            Outcome::Finished(_) => assert_ne!(tr.index(), 4),
            Outcome::Complaints(c) => {
                assert_eq!(tr.index(), 4);
                assert_eq!(tr.phase(), Phase::Aborted);
                complaints.extend(c.iter().map(wire_complaint));
            }
        }
    }
    assert_eq!(complaints.len(), 1);
    let complaint = complaints[0];
    assert_eq!((complaint.accuser, complaint.accused), (4, 2));

    // Anyone checks it from public data: the published transcript and the share.
    let public = CeremonyTranscript {
        params: p,
        announcements: anns.clone(),
    }
    .verify(&mut r)
    .unwrap();
    let verdict = complaint.verify(&public, &bad).unwrap();
    assert_eq!(
        verdict,
        Verdict::AccusedAtFault {
            accused: 2,
            fault: ShareFault::Undecryptable
        }
    );
    assert_eq!(verdict.at_fault(), 2);

    // The complaint does not concern other shares.
    let other = *all.iter().find(|s| s.from == 3 && s.to == 4).unwrap();
    assert_eq!(
        complaint.verify(&public, &other).unwrap_err(),
        CeremonyError::ComplaintMismatch {
            accuser: 4,
            accused: 2,
            from: 3,
            to: 4
        }
    );

    // A false complaint against honest trustee 3 names the accuser.
    let c3 = Complaint::new(&p, 4, &comm4, 3, &anns[2].comm_key, &mut r).unwrap();
    assert_eq!(
        c3.verify(&public, &other).unwrap(),
        Verdict::AccuserAtFault {
            accuser: 4,
            reason: FalseComplaint::ValidShare
        }
    );
    // A complaint with a made-up secret, or made by someone else in 4's name, too.
    let mut forged = complaint;
    forged.dh_secret = *group::generator_h();
    assert_eq!(
        forged.verify(&public, &bad).unwrap(),
        Verdict::AccuserAtFault {
            accuser: 4,
            reason: FalseComplaint::InvalidProof
        }
    );
    let impostor = CommunicationKey::random(&mut r);
    let fake = Complaint::new(&p, 4, &impostor, 2, &anns[1].comm_key, &mut r).unwrap();
    assert_eq!(fake.verify(&public, &bad).unwrap().at_fault(), 4);
    // Malformed complaints are errors, not verdicts.
    assert_eq!(
        Complaint::new(&p, 4, &comm4, 4, &anns[3].comm_key, &mut r).unwrap_err(),
        CeremonyError::InvalidTrustee { trustee: 4 }
    );
    let mut outside = complaint;
    outside.accused = 9;
    assert_eq!(
        outside.verify(&public, &bad).unwrap_err(),
        CeremonyError::InvalidTrustee { trustee: 9 }
    );
}

#[test]
fn secrets_are_redacted() {
    let mut r = rng(12);
    let p = params(2, 2);
    let comm = CommunicationKey::random(&mut r);
    let secret_hex = ostracon::hex::encode(comm.to_bytes().as_slice());
    let mut t1 = Trustee::with_comm_key(p, 1, comm.clone(), &mut r).unwrap();
    let mut t2 = Trustee::new(p, 2, &mut r).unwrap();
    let anns = [t1.announcement().clone(), t2.announcement().clone()];
    let s1 = t1.receive_announcements(&anns, &mut r).unwrap();
    let s2 = t2.receive_announcements(&anns, &mut r).unwrap();
    let Outcome::Finished(key) = t1.receive_shares(&s2, &mut r).unwrap() else {
        panic!()
    };
    t2.receive_shares(&s1, &mut r).unwrap();
    let key_hex = ostracon::hex::encode(key.secret().to_bytes().as_slice());
    for dbg in [
        format!("{t1:?}"),
        format!("{comm:?}"),
        format!("{key:?}"),
        format!("{:?}", Outcome::Finished(key.clone())),
    ] {
        assert!(dbg.contains("redacted"), "{dbg}");
        assert!(!dbg.contains(&secret_hex), "{dbg}");
        assert!(!dbg.contains(&key_hex), "{dbg}");
    }
    // The communication key round-trips; zero is refused.
    assert_eq!(
        CommunicationKey::from_bytes(comm.to_bytes().as_slice())
            .unwrap()
            .public_key(),
        comm.public_key()
    );
    assert!(CommunicationKey::from_bytes(&[0u8; 32]).is_err());
}

#[test]
fn errors_convert_into_the_crate_error() {
    let e: Error = CeremonyError::Announcement {
        trustee: 3,
        fault: AnnouncementFault::InvalidCoefficientProof { coefficient: 1 },
    }
    .into();
    assert_eq!(e.code(), "proof.invalid");
    let e: Error = CeremonyError::Delivery {
        from: 2,
        fault: DeliveryFault::Missing,
    }
    .into();
    assert!(e.to_string().contains("trustee 2"), "{e}");
}

// ---------------------------------------------------------------------------------------
// Decoders
// ---------------------------------------------------------------------------------------

/// Canonical bytes of one message of each type, from a small honest ceremony.
fn sample_messages() -> &'static [(&'static str, Vec<u8>)] {
    static SAMPLES: std::sync::OnceLock<Vec<(&'static str, Vec<u8>)>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(make_samples)
}

fn make_samples() -> Vec<(&'static str, Vec<u8>)> {
    let mut r = rng(13);
    let p = params(3, 2);
    let (mut trustees, anns) = announce(p, &mut r);
    let all = send_shares(&mut trustees, &anns, &mut r);
    let comm = CommunicationKey::random(&mut r);
    let complaint = Complaint::new(&p, 1, &comm, 2, &anns[1].comm_key, &mut r).unwrap();
    let Outcome::Finished(key) = trustees[0].receive_shares(&inbox(&all, 1), &mut r).unwrap()
    else {
        panic!()
    };
    let transcript = CeremonyTranscript {
        params: p,
        announcements: anns.clone(),
    };
    vec![
        ("params", p.to_bytes().to_vec()),
        ("announcement", anns[0].to_bytes()),
        ("share", all[0].to_bytes().to_vec()),
        ("complaint", complaint.to_bytes().to_vec()),
        ("transcript", transcript.to_bytes()),
        ("key share", key.to_bytes().to_vec()),
    ]
}

/// Decodes `bytes` as message type `kind`; if accepted, re-encoding gives them back.
fn decode(kind: &str, bytes: &[u8]) -> bool {
    let again = match kind {
        "params" => CeremonyParams::from_bytes(bytes).map(|m| m.to_bytes().to_vec()),
        "announcement" => Announcement::from_bytes(bytes).map(|m| m.to_bytes()),
        "share" => EncryptedShare::from_bytes(bytes).map(|m| m.to_bytes().to_vec()),
        "complaint" => Complaint::from_bytes(bytes).map(|m| m.to_bytes().to_vec()),
        "transcript" => CeremonyTranscript::from_bytes(bytes).map(|m| m.to_bytes()),
        "key share" => KeyShare::from_bytes(bytes).map(|m| m.to_bytes().to_vec()),
        _ => unreachable!(),
    };
    match again {
        Ok(b) => {
            assert_eq!(b, bytes, "{kind}: decoding is not canonical");
            true
        }
        Err(_) => false,
    }
}

#[test]
fn decoders_reject_truncation_and_trailing_bytes() {
    for (kind, bytes) in sample_messages() {
        assert!(decode(kind, bytes), "{kind}");
        for len in 0..bytes.len() {
            assert!(!decode(kind, &bytes[..len]), "{kind} truncated to {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(!decode(kind, &longer), "{kind} with a trailing byte");
    }
    // Counts above 255 are refused before anything is allocated for them.
    let (_, ann) = &sample_messages()[1];
    let mut big = ann.clone();
    big[100..104].copy_from_slice(&1000u32.to_le_bytes());
    assert!(Announcement::from_bytes(&big).is_err());
    // JSON goes through the same strict decoder.
    assert!(serde_json::from_str::<EncryptedShare>("\"00\"").is_err());
    let params_hex = ostracon::hex::encode(&params(3, 2).to_bytes());
    let ok = format!(r#"{{"params":"{params_hex}","announcements":[]}}"#);
    assert!(serde_json::from_str::<CeremonyTranscript>(&ok).is_ok());
    let extra = format!(r#"{{"params":"{params_hex}","announcements":[],"extra":1}}"#);
    assert!(serde_json::from_str::<CeremonyTranscript>(&extra).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoders_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for kind in ["params", "announcement", "share", "complaint", "transcript", "key share"] {
            decode(kind, &bytes);
        }
    }

    #[test]
    fn decoders_never_panic_on_mutations(which in 0usize..6, pos in any::<usize>(), byte in any::<u8>()) {
        let (kind, mut bytes) = sample_messages()[which].clone();
        let pos = pos % bytes.len();
        bytes[pos] = byte;
        decode(kind, &bytes);
    }
}
