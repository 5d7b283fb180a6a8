//! Ballots: plaintext selections, encryption with proofs, tracking codes, validation
//! and the Benaloh challenge.
//!
//! # Encryption
//! A plaintext ballot gives each contest a vector of values, one per option. It is
//! checked against the contest's rule first (errors name the contest). Then every
//! value `v_{c,o}` is encrypted with a nonce derived from one 32-byte *master nonce*:
//!
//! ```text
//! r_{c,o} = SHA-512("ostracon/v1/ballot-nonce" ‖ base hash ‖ len(id) ‖ id ‖ master ‖ c ‖ o) mod ℓ
//! ```
//!
//! so revealing the master nonce opens the whole ballot. Each contest carries the proofs
//! its rule needs ([`VoteRule::proof_plan`](crate::manifest::VoteRule::proof_plan)): a
//! range proof per option (disjunctive for small ranges, one aggregated bulletproof
//! for large ones), and a proof on the homomorphic sum of the options that the total is
//! within the rule's bounds. Every proof is bound to the election's base hash, the ballot
//! id, the contest index and the option index (or `total`), so it cannot be moved.
//!
//! # Tracking code
//! `SHA-256("ostracon/v1/tracking-code" ‖ canonical ballot bytes)`; the ballot bytes
//! include the base hash and, on polling-place devices, the previous ballot's code. The
//! voter sees it before choosing to cast or challenge; its human form is the first 80
//! bits in Crockford base32, `XXXX-XXXX-XXXX-XXXX`.
//!
//! # Challenge (Benaloh)
//! Instead of casting, the voter may challenge: the [`BallotOpening`] (master nonce and
//! plaintext) is published, any device re-encrypts and compares with
//! [`verify_opening`], and the ballot is never counted.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::election::Election;
use crate::elgamal::{Ciphertext, Nonce, RawCiphertext};
use crate::error::{BallotError, BallotErrorKind, DecodeError, DecodeErrorKind, Error, ProofKind};
use crate::group::{self, Reader};
use crate::labels;
use crate::manifest::{RangeMethod, VoteRule};
use crate::mixnet::encoding;
use crate::proofs::batch;
use crate::proofs::disjunctive::{self, BOrHalf, DisjunctiveItem, Precommit};
use crate::proofs::{DisjunctiveProof, RangeProof};
use crate::transcript::ProofContext;

/// Longest ballot id, in bytes.
pub const MAX_BALLOT_ID: usize = 256;
/// Version byte of the canonical ballot encoding.
pub const BALLOT_VERSION: u8 = 1;

/// A voter's choices, keyed by contest id. A contest left out is an abstention (all
/// zeros, if the rule allows it).
///
/// * Homomorphic contests (approval, cumulative, score): one value per option, in
///   manifest order.
/// * Ranked contests: the ranking, as option indices, most preferred first (at most one
///   per option, none repeated); see [`PlaintextBallot::with_ranking`].
/// * Write-in contests: the UTF-8 bytes of the text, one value per byte; see
///   [`PlaintextBallot::with_write_in`].
///
/// The values are the vote: they are zeroized on drop and `Debug` shows only the
/// contest ids.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlaintextBallot(pub BTreeMap<String, Vec<u64>>);

impl Zeroize for PlaintextBallot {
    /// Clears every contest's values (the ids stay).
    fn zeroize(&mut self) {
        self.0.values_mut().for_each(Zeroize::zeroize);
    }
}

impl Drop for PlaintextBallot {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for PlaintextBallot {}

impl core::fmt::Debug for PlaintextBallot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PlaintextBallot")
            .field("contests", &self.0.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PlaintextBallot {
    /// An empty ballot (every contest abstained).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the values of a contest.
    #[must_use]
    pub fn with(mut self, contest: &str, values: Vec<u64>) -> Self {
        self.0.insert(contest.into(), values);
        self
    }

    /// Sets the ranking of a ranked contest (option indices, most preferred first).
    #[must_use]
    pub fn with_ranking(self, contest: &str, ranking: &[u32]) -> Self {
        self.with(contest, ranking.iter().map(|&o| u64::from(o)).collect())
    }

    /// Sets the text of a write-in contest.
    #[must_use]
    pub fn with_write_in(self, contest: &str, text: &str) -> Self {
        self.with(contest, text.bytes().map(u64::from).collect())
    }
}

/// The row of a ranked or write-in contest from the plaintext's values (a ranking or
/// the bytes of a text).
fn mixnet_row(
    rule: &VoteRule,
    options: usize,
    values: Option<&Vec<u64>>,
) -> Result<Vec<u64>, String> {
    let values: &[u64] = values.map_or(&[], |v| v.as_slice());
    match *rule {
        VoteRule::Ranked { .. } => {
            let ranking = values
                .iter()
                .map(|&v| {
                    u32::try_from(v).map_err(|_| {
                        String::from("the ranking names an option that does not exist")
                    })
                })
                .collect::<Result<Vec<u32>, String>>()?;
            encoding::encode_ranking(&ranking, options)
        }
        VoteRule::WriteIn { max_len } => {
            let bytes = values
                .iter()
                .map(|&v| {
                    u8::try_from(v).map_err(|_| {
                        String::from("a value of the write-in is not a byte of UTF-8 text")
                    })
                })
                .collect::<Result<Vec<u8>, String>>()?;
            let text = core::str::from_utf8(&bytes)
                .map_err(|_| String::from("the write-in is not valid UTF-8"))?;
            encoding::encode_write_in(text, max_len)
        }
        _ => Err("not a ranked or write-in contest".into()),
    }
}

impl Election {
    /// Checks a plaintext ballot against every contest's rule and returns the values in
    /// manifest order. The error names the contest and what is wrong.
    pub fn check_selection(&self, ballot: &PlaintextBallot) -> Result<Vec<Vec<u64>>, Error> {
        let m = self.manifest();
        for id in ballot.0.keys() {
            if m.contest_index(id).is_none() {
                return Err(Error::InvalidSelection {
                    contest: id.clone(),
                    reason: "no such contest".into(),
                });
            }
        }
        let mut out = Vec::with_capacity(m.contests.len());
        for c in &m.contests {
            let n = c.options.len();
            let bad = |reason: String| Error::InvalidSelection {
                contest: c.id.clone(),
                reason,
            };
            if !c.rule.is_homomorphic() {
                out.push(mixnet_row(&c.rule, n, ballot.0.get(&c.id)).map_err(bad)?);
                continue;
            }
            let values = match ballot.0.get(&c.id) {
                Some(v) if v.len() != n => {
                    return Err(bad(format!("{} values given for {n} options", v.len())))
                }
                Some(v) => v.clone(),
                None => alloc::vec![0; n],
            };
            let max = c.rule.option_max();
            if let Some(i) = values.iter().position(|v| *v > max) {
                return Err(bad(format!(
                    "option '{}' is over the maximum of {max} per option",
                    c.options[i].id
                )));
            }
            if let Some((lo, hi)) = c.rule.total_bounds() {
                let total: u64 = values.iter().sum();
                if total < lo || total > hi {
                    let unit = if matches!(c.rule, VoteRule::Approval { .. }) {
                        "selections"
                    } else {
                        "points"
                    };
                    return Err(bad(format!("the {unit} must total between {lo} and {hi}")));
                }
            }
            out.push(values);
        }
        Ok(out)
    }

    /// The nonce of contest `c`, option `o` of ballot `id` with this master nonce.
    pub fn selection_nonce(&self, ballot_id: &str, master: &[u8; 32], c: usize, o: usize) -> Nonce {
        let mut h = Sha512::new();
        h.update(labels::BALLOT_NONCE);
        h.update(self.base_hash());
        h.update((ballot_id.len() as u32).to_le_bytes());
        h.update(ballot_id.as_bytes());
        h.update(master);
        h.update((c as u32).to_le_bytes());
        h.update((o as u32).to_le_bytes());
        let mut wide: [u8; 64] = h.finalize().into();
        let r = Scalar::from_bytes_mod_order_wide(&wide);
        wide.zeroize();
        Nonce::from_scalar(r)
    }

    /// The context of the aggregated range proof over all options of contest `c`.
    fn all_options_context(
        &self,
        ballot_id: &str,
        previous_code: Option<&TrackingCode>,
        c: usize,
    ) -> ProofContext {
        Target::AllOptions.context(&self.ballot_context(ballot_id, previous_code), c)
    }

    /// The context every proof of ballot `id` extends: the election's, bound to the
    /// ballot id and to the tracking code the ballot chains from (empty for none). A
    /// ballot's proofs therefore hold only for the `previous_code` it was made with:
    /// re-issued under another code (which changes its tracking code) it fails them.
    fn ballot_context(
        &self,
        ballot_id: &str,
        previous_code: Option<&TrackingCode>,
    ) -> ProofContext {
        self.context()
            .bind(labels::BALLOT, ballot_id.as_bytes())
            .bind(
                labels::PREVIOUS_CODE,
                previous_code.map_or(&[][..], |c| &c.0[..]),
            )
    }

    /// The context of option `o` of contest `c` in ballot `id` chaining from
    /// `previous_code` (`o = None`: the total).
    pub fn selection_context(
        &self,
        ballot_id: &str,
        previous_code: Option<&TrackingCode>,
        c: usize,
        o: Option<usize>,
    ) -> ProofContext {
        let target = o.map_or(Target::Total, Target::Option);
        target.context(&self.ballot_context(ballot_id, previous_code), c)
    }

    /// Encrypts a ballot with a fresh master nonce. Returns the ballot and the secrets
    /// that open it (keep them until the voter casts or challenges).
    pub fn encrypt_ballot(
        &self,
        ballot_id: &str,
        plaintext: &PlaintextBallot,
        previous_code: Option<TrackingCode>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(EncryptedBallot, BallotOpening), Error> {
        let mut master = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *master);
        self.encrypt_ballot_with_nonce(ballot_id, plaintext, previous_code, &master, rng)
    }

    /// Encrypts a ballot with the given master nonce (proof randomness still comes from
    /// `rng`). The same inputs always give the same ciphertexts.
    pub fn encrypt_ballot_with_nonce(
        &self,
        ballot_id: &str,
        plaintext: &PlaintextBallot,
        previous_code: Option<TrackingCode>,
        master: &[u8; 32],
        rng: &mut impl CryptoRngCore,
    ) -> Result<(EncryptedBallot, BallotOpening), Error> {
        self.encrypt_with(ballot_id, plaintext, previous_code, master, None, rng)
    }

    /// Does ahead of time every part of encrypting ballot `ballot_id` that does not
    /// depend on the voter's choices — all the fixed-base multiplications of the
    /// ciphertexts and of their 0/1 (or `0..=L`) proofs — so that
    /// [`Election::encrypt_precomputed`] has little left to do once the voter has
    /// chosen. A booth calls it when the ballot is shown.
    ///
    /// Draws a fresh master nonce. The result holds secrets (zeroized on drop, `Debug`
    /// redacted) and serves one encryption: it is consumed.
    ///
    /// # Errors
    /// A malformed ballot id, or a contest that cannot be proved (as for
    /// [`Election::encrypt_ballot`]).
    pub fn precompute_ballot(
        &self,
        ballot_id: &str,
        rng: &mut impl CryptoRngCore,
    ) -> Result<PrecomputedBallot, Error> {
        check_ballot_id(ballot_id).map_err(Error::invalid_input)?;
        let mut master = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *master);
        let ek = self.encryption_key();
        let mut contests = Vec::with_capacity(self.manifest().contests.len());
        for (ci, contest) in self.manifest().contests.iter().enumerate() {
            let plan = self.plan(contest)?;
            let width = contest.width();
            let mut a_halves = Vec::with_capacity(width);
            let mut rk_halves = Vec::with_capacity(width);
            for o in 0..width {
                let r = self.selection_nonce(ballot_id, &master, ci, o);
                let r_half = Zeroizing::new(r.as_scalar() * group::half());
                a_halves.push(&*r_half * group::table_h());
                rk_halves.push(ek.mul_k(&r_half));
            }
            let a = group::Point::from_halves(&a_halves);
            let options = match plan.per_option {
                RangeMethod::Disjunctive(max) => (0..width)
                    .map(|_| Precommit::new(ek, max, rng))
                    .collect::<Result<Vec<_>, _>>()?,
                RangeMethod::Bulletproof { .. } => Vec::new(),
            };
            let total = match plan.total {
                Some((_, _, RangeMethod::Disjunctive(max))) => Some(Precommit::new(ek, max, rng)?),
                _ => None,
            };
            contests.push(PrecomputedContest {
                encryptions: a.into_iter().zip(rk_halves).collect(),
                options,
                total,
            });
        }
        Ok(PrecomputedBallot {
            election: *self.base_hash(),
            ballot_id: ballot_id.into(),
            master,
            contests,
        })
    }

    /// Encrypts the voter's choices with a [`PrecomputedBallot`] of this election: the
    /// same ballot (ciphertexts, tracking code, opening) as
    /// [`Election::encrypt_ballot_with_nonce`] with the precomputation's ballot id and
    /// master nonce, with fresh proofs, at a fraction of the cost (what is left is
    /// additions, encodings and hashing; bulletproof range proofs are still made here).
    ///
    /// # Errors
    /// A precomputation for another election; otherwise as
    /// [`Election::encrypt_ballot`].
    pub fn encrypt_precomputed(
        &self,
        mut pre: PrecomputedBallot,
        plaintext: &PlaintextBallot,
        previous_code: Option<TrackingCode>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(EncryptedBallot, BallotOpening), Error> {
        if pre.election != *self.base_hash() || pre.contests.len() != self.manifest().contests.len()
        {
            return Err(Error::invalid_input(
                "the ballot was precomputed for another election",
            ));
        }
        let master = pre.master.clone();
        let ballot_id = core::mem::take(&mut pre.ballot_id);
        let contests = core::mem::take(&mut pre.contests);
        self.encrypt_with(
            &ballot_id,
            plaintext,
            previous_code,
            &master,
            Some(contests),
            rng,
        )
    }

    fn plan(
        &self,
        contest: &crate::manifest::Contest,
    ) -> Result<crate::manifest::ProofPlan, Error> {
        contest
            .rule
            .proof_plan(contest.options.len())
            .ok_or_else(|| {
                Error::invalid_manifest(format!(
                    "contest '{}' cannot be proved in one range proof",
                    contest.id
                ))
            })
    }

    fn encrypt_with(
        &self,
        ballot_id: &str,
        plaintext: &PlaintextBallot,
        previous_code: Option<TrackingCode>,
        master: &[u8; 32],
        pre: Option<Vec<PrecomputedContest>>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(EncryptedBallot, BallotOpening), Error> {
        check_ballot_id(ballot_id).map_err(Error::invalid_input)?;
        let values = self.check_selection(plaintext)?;
        let ek = self.encryption_key();
        let prev = previous_code.as_ref();
        let mut pre = pre.map(Vec::into_iter);
        let mut contests = Vec::with_capacity(values.len());
        for (ci, (contest, vals)) in self.manifest().contests.iter().zip(&values).enumerate() {
            let plan = self.plan(contest)?;
            let mut pc = match pre.as_mut().map(Iterator::next) {
                None => None,
                Some(Some(pc)) if pc.encryptions.len() == vals.len() => Some(pc),
                Some(_) => {
                    return Err(Error::invalid_input(
                        "the ballot was precomputed for another election",
                    ))
                }
            };
            let nonces: Vec<Nonce> = (0..vals.len())
                .map(|o| self.selection_nonce(ballot_id, master, ci, o))
                .collect();
            let (selections, selection_proofs) = match (plan.per_option, pc.as_mut()) {
                (RangeMethod::Disjunctive(max), Some(pc)) if pc.options.len() == vals.len() => {
                    let mut cts = Vec::with_capacity(vals.len());
                    let mut proofs = Vec::with_capacity(vals.len());
                    let options = core::mem::take(&mut pc.options);
                    for (o, (((v, r), (a, rk_half)), precommit)) in vals
                        .iter()
                        .zip(&nonces)
                        .zip(&pc.encryptions)
                        .zip(options)
                        .enumerate()
                    {
                        let ctx = self.selection_context(ballot_id, prev, ci, Some(o));
                        let b = disjunctive::b_half(*v, max, rk_half);
                        let (b, p) = DisjunctiveProof::prove_precommitted(
                            &ctx,
                            ek.public_key(),
                            a,
                            BOrHalf::Half(b),
                            *v,
                            r,
                            precommit,
                        )?;
                        cts.push(Ciphertext { a: *a, b });
                        proofs.push(p);
                    }
                    (cts, SelectionProofs::Disjunctive(proofs))
                }
                (RangeMethod::Disjunctive(max), _) => {
                    let mut cts = Vec::with_capacity(vals.len());
                    let mut proofs = Vec::with_capacity(vals.len());
                    for (o, (v, r)) in vals.iter().zip(&nonces).enumerate() {
                        let ctx = self.selection_context(ballot_id, prev, ci, Some(o));
                        let (ct, p) =
                            DisjunctiveProof::encrypt_and_prove(&ctx, ek, *v, max, r, rng)?;
                        cts.push(ct);
                        proofs.push(p);
                    }
                    (cts, SelectionProofs::Disjunctive(proofs))
                }
                (RangeMethod::Bulletproof { lo, hi }, pc) => {
                    let cts: Vec<Ciphertext> = match pc {
                        Some(pc) => {
                            let halves: Vec<_> = vals
                                .iter()
                                .zip(&pc.encryptions)
                                .map(|(v, (_, rk_half))| {
                                    let v_half = Zeroizing::new(Scalar::from(*v) * group::half());
                                    &*v_half * group::table_g() + rk_half
                                })
                                .collect();
                            group::Point::from_halves(&halves)
                                .into_iter()
                                .zip(&pc.encryptions)
                                .map(|(b, (a, _))| Ciphertext { a: *a, b })
                                .collect()
                        }
                        None => vals
                            .iter()
                            .zip(&nonces)
                            .map(|(v, r)| ek.encrypt(*v, r))
                            .collect(),
                    };
                    let ctx = self.all_options_context(ballot_id, prev, ci);
                    let refs: Vec<&Nonce> = nonces.iter().collect();
                    let p = RangeProof::prove(&ctx, ek, &cts, vals, &refs, lo, hi, rng)?;
                    (cts, SelectionProofs::Range(Box::new(p)))
                }
            };
            let total_proof = match plan.total {
                None => None,
                Some((lo, _, method)) => {
                    let total: u64 = vals.iter().sum();
                    let r_sum =
                        Zeroizing::new(nonces.iter().map(|r| *r.as_scalar()).sum::<Scalar>());
                    let r_sum = Nonce::from_scalar(*r_sum);
                    let raw: RawCiphertext = selections.iter().map(Ciphertext::raw).sum();
                    let ctx = self.selection_context(ballot_id, prev, ci, None);
                    Some(match method {
                        RangeMethod::Disjunctive(max) => {
                            let shifted = shift(&raw, lo);
                            let precommit = pc
                                .as_mut()
                                .and_then(|pc| pc.total.take())
                                .filter(|p| p.max() == max);
                            TotalProof::Disjunctive(match precommit {
                                Some(precommit) => {
                                    DisjunctiveProof::prove_precommitted(
                                        &ctx,
                                        ek.public_key(),
                                        &shifted.a,
                                        BOrHalf::Encoded(shifted.b),
                                        total - lo,
                                        &r_sum,
                                        precommit,
                                    )?
                                    .1
                                }
                                None => DisjunctiveProof::prove(
                                    &ctx,
                                    ek,
                                    &shifted,
                                    total - lo,
                                    max,
                                    &r_sum,
                                    rng,
                                )?,
                            })
                        }
                        RangeMethod::Bulletproof { lo, hi } => {
                            let ct = raw.to_ciphertext();
                            TotalProof::Range(Box::new(RangeProof::prove(
                                &ctx,
                                ek,
                                &[ct],
                                &[total],
                                &[&r_sum],
                                lo,
                                hi,
                                rng,
                            )?))
                        }
                    })
                }
            };
            contests.push(EncryptedContest {
                selections,
                selection_proofs,
                total_proof,
            });
        }
        let ballot = EncryptedBallot {
            election: *self.base_hash(),
            ballot_id: ballot_id.into(),
            previous_code,
            contests,
        };
        Ok((
            ballot,
            BallotOpening {
                master_nonce: *master,
                selections: values,
            },
        ))
    }

    /// Fully validates a ballot: election, shape against the manifest, and every proof
    /// (one multiscalar multiplication for all disjunctive proofs). Deterministic: the
    /// batch weights are derived from the ballot's tracking code.
    pub fn validate_ballot(&self, ballot: &EncryptedBallot) -> Result<TrackingCode, BallotError> {
        let code = ballot.tracking_code();
        let mut rng = ChaCha20Rng::from_seed(code.0);
        let checks = self.prepare_checks(ballot, &mut rng)?;
        let items: Vec<DisjunctiveItem<'_>> = checks.iter().map(Check::item).collect();
        if let Some(&bad) = batch::failing_sequential(&items, &mut rng).first() {
            return Err(checks[bad].error(self, ballot));
        }
        Ok(code)
    }

    /// Validates many ballots at once: all their disjunctive proofs go into one batch,
    /// verified in parallel chunks with the `std` feature. Returns one result per ballot.
    pub fn validate_ballots(
        &self,
        ballots: &[EncryptedBallot],
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Result<TrackingCode, BallotError>> {
        let refs: Vec<&EncryptedBallot> = ballots.iter().collect();
        let codes = tracking_codes(&refs);
        self.validate_with_codes(&refs, &codes, rng)
    }

    /// [`Self::validate_ballots`] for ballots whose tracking codes the caller already
    /// computed (`codes[i]` must be `ballots[i].tracking_code()`).
    pub fn validate_with_codes(
        &self,
        ballots: &[&EncryptedBallot],
        codes: &[TrackingCode],
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Result<TrackingCode, BallotError>> {
        let one = |(b, code): (&&EncryptedBallot, &TrackingCode)| {
            let mut rng = ChaCha20Rng::from_seed(code.0);
            self.prepare_checks(b, &mut rng)
        };
        #[cfg(feature = "std")]
        let prepared: Vec<Result<Vec<Check>, BallotError>> = {
            use rayon::prelude::*;
            ballots.par_iter().zip(codes.par_iter()).map(one).collect()
        };
        #[cfg(not(feature = "std"))]
        let prepared: Vec<Result<Vec<Check>, BallotError>> =
            ballots.iter().zip(codes).map(one).collect();
        let mut results: Vec<Result<TrackingCode, BallotError>> = Vec::with_capacity(ballots.len());
        let mut all: Vec<(usize, &Check)> = Vec::new();
        for (i, (p, code)) in prepared.iter().zip(codes).enumerate() {
            match p {
                Ok(checks) => {
                    results.push(Ok(*code));
                    all.extend(checks.iter().map(|c| (i, c)));
                }
                Err(e) => results.push(Err(e.clone())),
            }
        }
        let items: Vec<DisjunctiveItem<'_>> = all.iter().map(|(_, c)| c.item()).collect();
        for bad in batch::failing(&items, rng) {
            let (i, check) = all[bad];
            if results[i].is_ok() {
                results[i] = Err(check.error(self, ballots[i]));
            }
        }
        results
    }

    /// Checks the ballot's shape, verifies its bulletproofs, and lists its disjunctive
    /// proofs for batch verification.
    fn prepare_checks(
        &self,
        ballot: &EncryptedBallot,
        rng: &mut ChaCha20Rng,
    ) -> Result<Vec<Check>, BallotError> {
        let id = ballot.ballot_id.as_str();
        let err = |kind| BallotError::new(id, kind);
        if &ballot.election != self.base_hash() {
            return Err(err(BallotErrorKind::WrongElection));
        }
        check_ballot_id(id).map_err(|m| err(BallotErrorKind::Malformed(m)))?;
        let m = self.manifest();
        if ballot.contests.len() != m.contests.len() {
            return Err(err(BallotErrorKind::Malformed(format!(
                "{} contests; the manifest has {}",
                ballot.contests.len(),
                m.contests.len()
            ))));
        }
        let key = self.joint_key();
        let bctx = self.ballot_context(id, ballot.previous_code.as_ref());
        let mut checks = Vec::new();
        for (ci, (contest, enc)) in m.contests.iter().zip(&ballot.contests).enumerate() {
            let in_contest = |kind| BallotError {
                contest: Some(contest.id.clone()),
                ..err(kind)
            };
            let malformed = |msg: &str| in_contest(BallotErrorKind::Malformed(msg.into()));
            let Some(plan) = contest.rule.proof_plan(contest.options.len()) else {
                return Err(malformed("the contest cannot be proved in one range proof"));
            };
            if enc.selections.len() != contest.width() {
                return Err(malformed(
                    "number of selections differs from the contest's width",
                ));
            }
            match (&enc.selection_proofs, plan.per_option) {
                (SelectionProofs::Disjunctive(proofs), RangeMethod::Disjunctive(max)) => {
                    if proofs.len() != enc.selections.len() {
                        return Err(malformed(
                            "number of selection proofs differs from the number of options",
                        ));
                    }
                    for (o, (ct, p)) in enc.selections.iter().zip(proofs).enumerate() {
                        if p.max() != max {
                            return Err(malformed("selection proof has the wrong bound"));
                        }
                        checks.push(Check {
                            contest: ci,
                            option: Some(o),
                            ctx: Target::Option(o).context(&bctx, ci),
                            key: *key,
                            ct: *ct,
                            max,
                            proof: p.clone(),
                        });
                    }
                }
                (SelectionProofs::Range(p), RangeMethod::Bulletproof { lo, hi }) => {
                    let ctx = Target::AllOptions.context(&bctx, ci);
                    p.verify(&ctx, key, &enc.selections, lo, hi, rng)
                        .map_err(|e| in_contest(BallotErrorKind::Proof(e.kind)))?;
                }
                _ => {
                    return Err(malformed(
                        "selection proofs of the wrong kind for the contest's rule",
                    ))
                }
            }
            match (&enc.total_proof, plan.total) {
                (None, None) => {}
                (Some(tp), Some((lo, _, method))) => {
                    let raw: RawCiphertext = enc.selections.iter().map(Ciphertext::raw).sum();
                    let ctx = Target::Total.context(&bctx, ci);
                    match (tp, method) {
                        (TotalProof::Disjunctive(p), RangeMethod::Disjunctive(max)) => {
                            if p.max() != max {
                                return Err(malformed("total proof has the wrong bound"));
                            }
                            checks.push(Check {
                                contest: ci,
                                option: None,
                                ctx,
                                key: *key,
                                ct: shift(&raw, lo),
                                max,
                                proof: p.clone(),
                            });
                        }
                        (TotalProof::Range(p), RangeMethod::Bulletproof { lo, hi }) => {
                            p.verify(&ctx, key, &[raw.to_ciphertext()], lo, hi, rng)
                                .map_err(|e| in_contest(BallotErrorKind::Proof(e.kind)))?;
                        }
                        _ => {
                            return Err(malformed(
                                "total proof of the wrong kind for the contest's rule",
                            ))
                        }
                    }
                }
                (None, Some(_)) => return Err(malformed("the contest's total proof is missing")),
                (Some(_), None) => return Err(malformed("unexpected total proof")),
            }
        }
        Ok(checks)
    }
}

/// The tracking codes of many ballots (in parallel with `std`).
pub fn tracking_codes(ballots: &[&EncryptedBallot]) -> Vec<TrackingCode> {
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        ballots.par_iter().map(|b| b.tracking_code()).collect()
    }
    #[cfg(not(feature = "std"))]
    {
        ballots.iter().map(|b| b.tracking_code()).collect()
    }
}

/// What a proof of a contest speaks of.
#[derive(Clone, Copy)]
enum Target {
    /// One option.
    Option(usize),
    /// The contest total.
    Total,
    /// All options at once (aggregated range proof).
    AllOptions,
}

impl Target {
    /// The context of this target in contest `c`, extending a ballot's context.
    fn context(self, ballot: &ProofContext, c: usize) -> ProofContext {
        let ctx = ballot.clone().bind_u64(labels::CONTEST, c as u64);
        match self {
            Target::Option(o) => ctx.bind_u64(labels::OPTION, o as u64),
            Target::Total => ctx.bind(labels::TOTAL, b""),
            Target::AllOptions => ctx.bind(labels::OPTION, labels::ALL_OPTIONS),
        }
    }
}

/// `(A, B − lo·G)`: the encryption of `v − lo`.
fn shift(raw: &RawCiphertext, lo: u64) -> Ciphertext {
    let mut s = *raw;
    if lo != 0 {
        s.b -= &Scalar::from(lo) * group::table_g();
    }
    s.to_ciphertext()
}

fn check_ballot_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_BALLOT_ID {
        return Err(format!("ballot id must be 1 to {MAX_BALLOT_ID} bytes"));
    }
    Ok(())
}

/// One disjunctive proof to verify, with where it sits in its ballot.
struct Check {
    contest: usize,
    option: Option<usize>,
    ctx: ProofContext,
    key: crate::elgamal::PublicKey,
    ct: Ciphertext,
    max: u64,
    proof: DisjunctiveProof,
}

impl Check {
    fn item(&self) -> DisjunctiveItem<'_> {
        self.proof.item(&self.ctx, &self.key, &self.ct, self.max)
    }

    fn error(&self, election: &Election, ballot: &EncryptedBallot) -> BallotError {
        let c = &election.manifest().contests[self.contest];
        BallotError {
            ballot: ballot.ballot_id.clone(),
            contest: Some(c.id.clone()),
            option: Some(match self.option {
                Some(o) if c.rule.is_homomorphic() => c
                    .options
                    .get(o)
                    .map_or_else(|| format!("#{o}"), |x| x.id.clone()),
                Some(o) => format!("(rank {})", o + 1),
                None => "(total)".into(),
            }),
            kind: BallotErrorKind::Proof(ProofKind::Disjunctive),
        }
    }
}

/// The proofs on a contest's options.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectionProofs {
    /// No selections (ranked and write-in contests).
    None,
    /// One disjunctive proof per option.
    Disjunctive(Vec<DisjunctiveProof>),
    /// One aggregated range proof for all options.
    Range(Box<RangeProof>),
}

/// The proof on a contest's total.
#[derive(Clone, Debug, PartialEq)]
pub enum TotalProof {
    /// Disjunctive proof on the total shifted by `−min`.
    Disjunctive(DisjunctiveProof),
    /// Range proof on the total.
    Range(Box<RangeProof>),
}

/// One contest of an encrypted ballot.
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedContest {
    /// One ciphertext per option.
    pub selections: Vec<Ciphertext>,
    /// Range proofs of the options.
    pub selection_proofs: SelectionProofs,
    /// Proof of the total, when the rule bounds it.
    pub total_proof: Option<TotalProof>,
}

/// An encrypted ballot.
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedBallot {
    /// The election's base hash.
    pub election: [u8; 32],
    /// Ballot id, unique in the election.
    pub ballot_id: String,
    /// The previous ballot's tracking code on the same device, when chained.
    pub previous_code: Option<TrackingCode>,
    /// One entry per manifest contest.
    pub contests: Vec<EncryptedContest>,
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

fn get_bytes<'a>(r: &mut Reader<'a>, max: usize) -> Result<&'a [u8], DecodeError> {
    let n = r.u32()? as usize;
    if n > max {
        return Err(DecodeError::new("ballot", DecodeErrorKind::InvalidValue));
    }
    r.take(n)
}

/// Bound on the size of one encoded proof inside a ballot.
const MAX_PROOF_BYTES: usize = 1 << 20;

impl EncryptedBallot {
    /// Canonical binary encoding.
    ///
    /// `version (1) ‖ election (32) ‖ id (u32 len ‖ UTF-8) ‖ previous code (0 | 1 ‖ 32) ‖
    /// contests (u32)`, then per contest: `selections (u32) ‖ ciphertexts (64 each) ‖
    /// selection proofs (tag 0 none | 1 disjunctive: per option u32 len ‖ bytes | 2 range:
    /// u32 len ‖ bytes) ‖ total proof (tag 0 | 1 | 2, then u32 len ‖ bytes)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.contests.len() * 1024);
        out.push(BALLOT_VERSION);
        out.extend_from_slice(&self.election);
        put_bytes(&mut out, self.ballot_id.as_bytes());
        match &self.previous_code {
            None => out.push(0),
            Some(c) => {
                out.push(1);
                out.extend_from_slice(&c.0);
            }
        }
        out.extend_from_slice(&(self.contests.len() as u32).to_le_bytes());
        for c in &self.contests {
            out.extend_from_slice(&(c.selections.len() as u32).to_le_bytes());
            for ct in &c.selections {
                out.extend_from_slice(&ct.to_bytes());
            }
            match &c.selection_proofs {
                SelectionProofs::None => out.push(0),
                SelectionProofs::Disjunctive(ps) => {
                    out.push(1);
                    for p in ps {
                        put_bytes(&mut out, &p.to_bytes());
                    }
                }
                SelectionProofs::Range(p) => {
                    out.push(2);
                    put_bytes(&mut out, &p.to_bytes());
                }
            }
            match &c.total_proof {
                None => out.push(0),
                Some(TotalProof::Disjunctive(p)) => {
                    out.push(1);
                    put_bytes(&mut out, &p.to_bytes());
                }
                Some(TotalProof::Range(p)) => {
                    out.push(2);
                    put_bytes(&mut out, &p.to_bytes());
                }
            }
        }
        out
    }

    /// Decodes the canonical encoding strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        const WHAT: &str = "ballot";
        let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
        let mut r = Reader::new(bytes, WHAT);
        if r.u8()? != BALLOT_VERSION {
            return Err(bad);
        }
        let election = r.array::<32>()?;
        let ballot_id =
            String::from_utf8(get_bytes(&mut r, MAX_BALLOT_ID)?.to_vec()).map_err(|_| bad)?;
        let previous_code = match r.u8()? {
            0 => None,
            1 => Some(TrackingCode(r.array()?)),
            _ => return Err(bad),
        };
        let n = r.u32()? as usize;
        if n > crate::manifest::MAX_CONTESTS {
            return Err(bad);
        }
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            let k = r.u32()? as usize;
            if k > crate::manifest::MAX_OPTIONS {
                return Err(bad);
            }
            let mut selections = Vec::with_capacity(k);
            for _ in 0..k {
                selections.push(Ciphertext::read(&mut r)?);
            }
            let selection_proofs = match r.u8()? {
                0 => SelectionProofs::None,
                1 => SelectionProofs::Disjunctive(
                    (0..k)
                        .map(|_| DisjunctiveProof::from_bytes(get_bytes(&mut r, MAX_PROOF_BYTES)?))
                        .collect::<Result<_, _>>()?,
                ),
                2 => SelectionProofs::Range(Box::new(RangeProof::from_bytes(get_bytes(
                    &mut r,
                    MAX_PROOF_BYTES,
                )?)?)),
                _ => return Err(bad),
            };
            let total_proof = match r.u8()? {
                0 => None,
                1 => Some(TotalProof::Disjunctive(DisjunctiveProof::from_bytes(
                    get_bytes(&mut r, MAX_PROOF_BYTES)?,
                )?)),
                2 => Some(TotalProof::Range(Box::new(RangeProof::from_bytes(
                    get_bytes(&mut r, MAX_PROOF_BYTES)?,
                )?))),
                _ => return Err(bad),
            };
            contests.push(EncryptedContest {
                selections,
                selection_proofs,
                total_proof,
            });
        }
        r.finish()?;
        Ok(Self {
            election,
            ballot_id,
            previous_code,
            contests,
        })
    }

    /// The tracking code: `SHA-256("ostracon/v1/tracking-code" ‖ canonical bytes)`.
    pub fn tracking_code(&self) -> TrackingCode {
        TrackingCode::of_bytes(&self.to_bytes())
    }
}

crate::serde_bytes::serde_via_bytes!(EncryptedBallot, "ballot");

/// A ballot's tracking (confirmation) code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackingCode(pub [u8; 32]);

/// Crockford's base32 alphabet: no I, L, O or U.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl TrackingCode {
    /// The code of a ballot given its canonical bytes.
    pub fn of_bytes(ballot: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(labels::TRACKING_CODE);
        h.update(ballot);
        Self(h.finalize().into())
    }

    /// Full hash as lowercase hex (what verifiers compare).
    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }

    /// Parses the hex form.
    pub fn from_hex(s: &str) -> Result<Self, DecodeError> {
        let b = crate::hex::decode(s, "tracking code")?;
        Ok(Self(b.try_into().map_err(|b: Vec<u8>| {
            DecodeError::new(
                "tracking code",
                DecodeErrorKind::WrongLength {
                    expected: 32,
                    found: b.len(),
                },
            )
        })?))
    }

    /// Human form: the first 80 bits in Crockford base32, in four groups of four.
    pub fn human(&self) -> String {
        let mut bits: u128 = 0;
        for b in &self.0[..10] {
            bits = (bits << 8) | u128::from(*b);
        }
        let mut s = String::with_capacity(19);
        for i in 0..16 {
            if i > 0 && i % 4 == 0 {
                s.push('-');
            }
            let idx = ((bits >> (75 - 5 * i)) & 31) as usize;
            s.push(CROCKFORD[idx] as char);
        }
        s
    }

    /// Whether `human` (any case, with or without dashes; `O`→0, `I`/`L`→1 as in
    /// Crockford) is this code's human form.
    pub fn matches_human(&self, human: &str) -> bool {
        Self::parse_human(human).is_ok_and(|p| self.0[..HUMAN_BYTES] == p)
    }

    /// The first 80 bits (10 bytes) of a tracking code, from its human form: 16
    /// Crockford base32 symbols, any case, dashes and spaces ignored, `O` read as 0 and
    /// `I`/`L` as 1. A ballot box finds the full code by this prefix.
    pub fn parse_human(human: &str) -> Result<[u8; HUMAN_BYTES], DecodeError> {
        let invalid =
            || DecodeError::new("tracking code (human form)", DecodeErrorKind::InvalidValue);
        let mut bits: u128 = 0;
        let mut count = 0usize;
        for c in human.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            let v = CROCKFORD
                .iter()
                .position(|&x| char::from(x) == c)
                .ok_or_else(invalid)?;
            count += 1;
            if count > 16 {
                return Err(invalid());
            }
            bits = (bits << 5) | v as u128;
        }
        if count != 16 {
            return Err(invalid());
        }
        let mut out = [0u8; HUMAN_BYTES];
        for (i, b) in out.iter_mut().enumerate() {
            *b = (bits >> (72 - 8 * i)) as u8;
        }
        Ok(out)
    }
}

/// Bytes of a tracking code shown in its human form (80 bits).
pub const HUMAN_BYTES: usize = 10;

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.human())
    }
}

impl fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingCode({})", self.to_hex())
    }
}

impl TrackingCode {
    fn to_bytes(self) -> [u8; 32] {
        self.0
    }

    fn from_bytes(b: &[u8]) -> Result<Self, DecodeError> {
        b.try_into().map(Self).map_err(|_| {
            DecodeError::new(
                "tracking code",
                DecodeErrorKind::WrongLength {
                    expected: 32,
                    found: b.len(),
                },
            )
        })
    }
}

crate::serde_bytes::serde_via_bytes!(TrackingCode, "tracking code");

/// The vote-independent part of one ballot's encryption, made ahead of time by
/// [`Election::precompute_ballot`] and consumed by [`Election::encrypt_precomputed`]:
/// the ballot id, a master nonce, each selection's `r·H` and `r·K`, and each 0/1 (or
/// `0..=L`) proof's commitments before the vote is known.
///
/// Holds secrets: zeroized on drop; `Debug` is redacted. It is neither `Clone` nor
/// serializable, so it cannot be used twice (reusing it would reveal the nonces).
pub struct PrecomputedBallot {
    election: [u8; 32],
    ballot_id: String,
    master: Zeroizing<[u8; 32]>,
    contests: Vec<PrecomputedContest>,
}

impl PrecomputedBallot {
    /// The ballot id the encryption will carry.
    pub fn ballot_id(&self) -> &str {
        &self.ballot_id
    }
}

impl fmt::Debug for PrecomputedBallot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrecomputedBallot")
            .field("ballot_id", &self.ballot_id)
            .finish_non_exhaustive()
    }
}

/// One contest of a [`PrecomputedBallot`].
struct PrecomputedContest {
    /// Per selection: `A = r·H` encoded and `(r/2)·K`.
    encryptions: Vec<(group::Point, curve25519_dalek::ristretto::RistrettoPoint)>,
    /// Per selection, when options are proved with disjunctive proofs.
    options: Vec<Precommit>,
    /// The total's disjunctive proof, when it has one.
    total: Option<Precommit>,
}

impl Drop for PrecomputedContest {
    fn drop(&mut self) {
        for (_, rk_half) in &mut self.encryptions {
            rk_half.zeroize();
        }
    }
}

/// What opens a ballot: its master nonce and plaintext. Secret until the voter
/// challenges the ballot; public afterwards. Zeroized on drop; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop, Serialize, Deserialize)]
pub struct BallotOpening {
    /// The ballot's master nonce.
    #[serde(with = "crate::hex::serde32")]
    pub master_nonce: [u8; 32],
    /// The values, per contest in manifest order, per option.
    pub selections: Vec<Vec<u64>>,
}

impl fmt::Debug for BallotOpening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BallotOpening(<redacted>)")
    }
}

impl BallotOpening {
    /// The plaintext as a [`PlaintextBallot`] keyed by contest id.
    ///
    /// Ranked and write-in contests come back as the ranking and the text's bytes (as
    /// [`PlaintextBallot::with_ranking`] and [`PlaintextBallot::with_write_in`] take
    /// them); a row that does not decode is given as is.
    pub fn plaintext(&self, election: &Election) -> PlaintextBallot {
        PlaintextBallot(
            election
                .manifest()
                .contests
                .iter()
                .zip(&self.selections)
                .map(|(c, row)| {
                    let values = match c.rule {
                        VoteRule::Ranked { .. } => encoding::decode_ranking(row, c.options.len())
                            .map(|r| r.into_iter().map(u64::from).collect()),
                        VoteRule::WriteIn { .. } => encoding::decode_write_in(row)
                            .map(|t| t.bytes().map(u64::from).collect()),
                        _ => Ok(row.clone()),
                    };
                    (c.id.clone(), values.unwrap_or_else(|_| row.clone()))
                })
                .collect(),
        )
    }
}

/// Checks a challenged ballot on any device: re-encrypts the opening's plaintext with
/// the nonces derived from its master nonce and compares every ciphertext.
pub fn verify_opening(
    election: &Election,
    ballot: &EncryptedBallot,
    opening: &BallotOpening,
) -> Result<(), BallotError> {
    let id = ballot.ballot_id.as_str();
    let err = |m: String| BallotError::new(id, BallotErrorKind::BadOpening(m));
    if &ballot.election != election.base_hash() {
        return Err(BallotError::new(id, BallotErrorKind::WrongElection));
    }
    let contests = &election.manifest().contests;
    if opening.selections.len() != contests.len() || ballot.contests.len() != contests.len() {
        return Err(err("number of contests differs".into()));
    }
    let ek = election.encryption_key();
    for (ci, ((contest, values), enc)) in contests
        .iter()
        .zip(&opening.selections)
        .zip(&ballot.contests)
        .enumerate()
    {
        if values.len() != enc.selections.len() {
            return Err(err(format!(
                "contest '{}': number of values differs",
                contest.id
            )));
        }
        for (o, (v, ct)) in values.iter().zip(&enc.selections).enumerate() {
            let r = election.selection_nonce(id, &opening.master_nonce, ci, o);
            if ek.encrypt(*v, &r) != *ct {
                return Err(BallotError {
                    contest: Some(contest.id.clone()),
                    option: contest.options.get(o).map(|x| x.id.clone()),
                    ..err("ciphertext does not re-encrypt from the opening".to_string())
                });
            }
        }
    }
    Ok(())
}
