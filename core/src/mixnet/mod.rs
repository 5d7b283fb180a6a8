//! The mixnet path, for contests that cannot be tallied homomorphically: ranked
//! ballots (instant-runoff, single transferable vote) and write-ins.
//!
//! 1. Each cast ballot contributes one **row** of ciphertexts for the contest (a ranked
//!    ballot: one ciphertext per rank; a write-in: one per two bytes of text; see
//!    [`encoding`]).
//! 2. Trustees in turn re-encrypt and permute the rows, prove it and sign the step ([`shuffle`]); [`verify_chain`] checks the chain of shuffles from
//!    the board's rows to the final list.
//! 3. Trustees decrypt every ciphertext of the final list with proofs
//!    ([`crate::threshold`]); the values decode to rankings or text ([`encoding`]).
//! 4. The rankings are counted ([`count`]): instant-runoff for one seat, STV (weighted
//!    inclusive Gregory) for several, round by round.
//!
//! Every proof is bound to the election and to the contest and position of its shuffle
//! ([`mix_context`]), so a shuffle cannot be replayed elsewhere in the chain. Every
//! shuffle is made by a trustee and signed with its key share over the step
//! ([`signature_context`]), and a list is decrypted only once at least the election's
//! `mixers` distinct trustees (by default `t`) have shuffled it: a host, or any
//! coalition of fewer than `t` trustees, cannot undo the permutation.
//!
//! [`MixList`] follows one contest through steps 1–3 with the record's order rules:
//! the verifier, a ballot box importing the trustees' work and a trustee about to
//! shuffle or decrypt all use it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRngCore;

use crate::elgamal::{Ciphertext, PublicKey};
use crate::error::{Error, ProofError, ProofKind};
use crate::group::Point;
use crate::keyceremony::KeyShare;
use crate::labels;
use crate::proofs::schnorr::{Base, SchnorrProof};
use crate::threshold::ThresholdError;
use crate::transcript::ProofContext;

pub mod count;
pub mod encoding;
mod list;
pub mod shuffle;

pub use list::MixList;
pub use shuffle::{ShuffleGenerators, ShuffleProof, ShuffleWitness};

/// What went wrong on the mixnet path.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MixError {
    /// A list does not hold whole rows of the expected width, or sizes disagree.
    Shape {
        /// Which list.
        what: &'static str,
        /// Rows found (or expected).
        rows: usize,
        /// Row width.
        width: usize,
        /// Length found.
        len: usize,
    },
    /// The witness's permutation is not a permutation of `0..N`.
    NotAPermutation,
    /// Fewer shuffle generators than rows.
    Generators {
        /// Rows to cover.
        needed: usize,
        /// Generators derived.
        have: usize,
    },
    /// The shuffle proof does not verify.
    InvalidShuffle,
    /// A step's mixer is not a trustee of the election (its index is outside `1..=n`).
    UnknownMixer {
        /// The index the step names.
        mixer: u32,
    },
    /// A step's signature does not verify under the verification share of the trustee
    /// it names: the step was made, or altered, by someone else.
    InvalidSignature {
        /// The trustee the step names.
        mixer: u32,
    },
    /// The key share given to shuffle or decrypt belongs to another election.
    ForeignKeyShare,
    /// A list shuffled by fewer distinct trustees than the election requires: whoever
    /// made the other shuffles (or all of them) could undo the permutation.
    TooFewMixers {
        /// Distinct trustees among the chain's mixers.
        distinct: usize,
        /// Distinct trustees required (the election's `mixers`).
        required: u32,
    },
    /// A trustee that requires its own shuffle in the chain before it decrypts found none.
    NotMixedBy {
        /// The trustee.
        trustee: u32,
    },
    /// Step `step` of a mix chain does not verify.
    InvalidStep {
        /// Index of the failing step (0 = the first shuffle).
        step: usize,
        /// Why.
        reason: alloc::boxed::Box<MixError>,
    },
    /// A row offered to a list that is already shuffled (rows come before the first
    /// shuffle).
    InputClosed,
    /// A shuffle offered for a list whose final-list decryption has begun.
    AfterDecryption,
    /// A shuffle of a list without rows.
    EmptyList,
    /// A decryption of a list that has rows but no shuffle yet (decrypting the board's
    /// own rows would reveal how each voter voted).
    NotMixed,
    /// A partial decryption of the final list is refused (unknown trustee, proof,
    /// lengths), or too few of them to decrypt.
    Decryption(ThresholdError),
    /// A ciphertext of the final list does not decrypt to a value of the contest's
    /// encoding.
    NotAValue {
        /// The row (0-based) in the final list.
        row: usize,
        /// The values allowed are `0..bound`.
        bound: u64,
    },
}

impl MixError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            MixError::Shape { .. } => "mix.shape",
            MixError::NotAPermutation => "mix.not_a_permutation",
            MixError::Generators { .. } => "mix.generators",
            MixError::InvalidShuffle => "mix.invalid_shuffle",
            MixError::UnknownMixer { .. } => "mix.unknown_mixer",
            MixError::InvalidSignature { .. } => "mix.invalid_signature",
            MixError::ForeignKeyShare => "mix.foreign_key_share",
            MixError::TooFewMixers { .. } => "mix.too_few_mixers",
            MixError::NotMixedBy { .. } => "mix.not_mixed_by",
            MixError::InvalidStep { .. } => "mix.invalid_step",
            MixError::InputClosed => "mix.input_closed",
            MixError::AfterDecryption => "mix.after_decryption",
            MixError::EmptyList => "mix.empty_list",
            MixError::NotMixed => "mix.not_mixed",
            MixError::Decryption(_) => "mix.decryption",
            MixError::NotAValue { .. } => "mix.not_a_value",
        }
    }
}

impl fmt::Display for MixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MixError::Shape {
                what,
                rows,
                width,
                len,
            } => write!(
                f,
                "{what}: {len} entries do not form the expected rows ({rows} rows of width {width})"
            ),
            MixError::NotAPermutation => f.write_str("the witness is not a permutation"),
            MixError::Generators { needed, have } => write!(
                f,
                "shuffle generators cover {have} rows, {needed} are needed"
            ),
            MixError::InvalidShuffle => f.write_str("the shuffle proof does not verify"),
            MixError::UnknownMixer { mixer } => {
                write!(f, "mixer {mixer} is not a trustee of this election")
            }
            MixError::InvalidSignature { mixer } => write!(
                f,
                "the step is not signed by trustee {mixer}, the mixer it names"
            ),
            MixError::ForeignKeyShare => {
                f.write_str("the key share belongs to another election")
            }
            MixError::TooFewMixers { distinct, required } => write!(
                f,
                "shuffled by {distinct} distinct trustee(s), {required} required: the \
                 other shufflers could undo the permutation"
            ),
            MixError::NotMixedBy { trustee } => write!(
                f,
                "trustee {trustee} has not shuffled this list and requires its own shuffle"
            ),
            MixError::InvalidStep { step, reason } => write!(f, "mix step {step}: {reason}"),
            MixError::InputClosed => {
                f.write_str("the list is already shuffled: rows are added before the first shuffle")
            }
            MixError::AfterDecryption => f.write_str(
                "the final list is already being decrypted: no further shuffle",
            ),
            MixError::EmptyList => f.write_str("no counted ballot: nothing to shuffle"),
            MixError::NotMixed => f.write_str(
                "not shuffled yet: decrypting the board's own rows would reveal how each voter voted",
            ),
            MixError::Decryption(e) => write!(f, "{e}"),
            MixError::NotAValue { row, bound } => {
                write!(f, "row {row}: decryption is not a value below {bound}")
            }
        }
    }
}

impl core::error::Error for MixError {}

impl From<MixError> for Error {
    /// A failed shuffle proof becomes [`Error::Proof`]; everything else
    /// [`Error::InvalidInput`] with the full message.
    fn from(e: MixError) -> Self {
        match e {
            MixError::InvalidShuffle => Error::Proof(ProofError::new(ProofKind::Shuffle)),
            MixError::InvalidStep { step, ref reason }
                if matches!(**reason, MixError::InvalidShuffle) =>
            {
                Error::Proof(ProofError::at(ProofKind::Shuffle, step))
            }
            MixError::Decryption(e) => e.into(),
            other => Error::InvalidInput(alloc::format!("{other}")),
        }
    }
}

/// The proof context of shuffle number `step` (0-based) of contest `contest`, from the
/// election's context.
pub fn mix_context(election: &ProofContext, contest: u32, step: u32) -> ProofContext {
    election
        .clone()
        .bind(labels::MIXNET, &[])
        .bind_u64(labels::CONTEST, u64::from(contest))
        .bind_u64(labels::MIX_STEP, u64::from(step))
}

/// The context of the mixer's signature on shuffle number `step` of contest `contest`:
/// [`mix_context`], then the mixer's trustee index and the SHA-512 digests of the
/// step's input list, output list and proof encoding. The signature thus names one
/// trustee and one shuffle of one list; it cannot be moved to another step, list or
/// mixer.
pub fn signature_context(
    election: &ProofContext,
    contest: u32,
    step: u32,
    mixer: u32,
    input: &[Ciphertext],
    output: &[Ciphertext],
    proof: &ShuffleProof,
) -> ProofContext {
    mix_context(election, contest, step)
        .bind_u64(labels::TRUSTEE, u64::from(mixer))
        .bind(labels::SHUFFLE_INPUT, &shuffle::digest_ciphertexts(input))
        .bind(labels::SHUFFLE_OUTPUT, &shuffle::digest_ciphertexts(output))
        .bind(labels::PROOF, &proof.digest())
}

/// One shuffle of a mix chain: the trustee who made it, its output rows, its proof, and
/// the trustee's signature over all of it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixStep {
    /// The trustee who shuffled (its ceremony index, from 1), authenticated by
    /// `signature`.
    pub mixer: u32,
    /// The re-encrypted, permuted rows (row-major).
    pub output: Vec<Ciphertext>,
    /// The proof of the shuffle.
    pub proof: ShuffleProof,
    /// The mixer's signature: a Schnorr proof of knowledge of its key share `xᵢ`
    /// (base `H`, public `Xᵢ`, the trustee's verification share) in the
    /// [`signature_context`] of this step.
    pub signature: SchnorrProof,
}

impl MixStep {
    /// Shuffles `input` as step `step` of `contest`'s chain with a fresh random
    /// permutation and nonces, and signs the step with the trustee's key share.
    ///
    /// # Errors
    /// [`MixError::ForeignKeyShare`] when `signer` is not a share of `key`;
    /// [`MixError::Shape`] or [`MixError::Generators`] for a list the generators or the
    /// width do not fit.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        election: &ProofContext,
        contest: u32,
        step: u32,
        signer: &KeyShare,
        key: &crate::elgamal::EncryptionKey,
        generators: &ShuffleGenerators,
        input: &[Ciphertext],
        width: usize,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, MixError> {
        if signer.joint_key() != key.public_key() {
            return Err(MixError::ForeignKeyShare);
        }
        if width == 0 || input.len() % width != 0 {
            return Err(MixError::Shape {
                what: "input",
                rows: 0,
                width,
                len: input.len(),
            });
        }
        let witness = ShuffleWitness::random(input.len() / width, width, rng);
        let ctx = mix_context(election, contest, step);
        let (output, proof) = shuffle::shuffle(&ctx, key, generators, input, width, &witness, rng)?;
        let mixer = signer.index();
        let sctx = signature_context(election, contest, step, mixer, input, &output, &proof);
        let signature = SchnorrProof::prove(
            &sctx,
            Base::H,
            signer.secret().as_scalar(),
            signer.public_share(),
            rng,
        );
        Ok(Self {
            mixer,
            output,
            proof,
            signature,
        })
    }

    /// Checks the mixer's signature on this step, taken as shuffle number `step` of
    /// `contest` applied to `input`, under `share`, the named trustee's verification
    /// share.
    ///
    /// # Errors
    /// [`MixError::InvalidSignature`].
    pub fn verify_signature(
        &self,
        election: &ProofContext,
        contest: u32,
        step: u32,
        input: &[Ciphertext],
        share: &Point,
    ) -> Result<(), MixError> {
        let sctx = signature_context(
            election,
            contest,
            step,
            self.mixer,
            input,
            &self.output,
            &self.proof,
        );
        self.signature
            .verify(&sctx, Base::H, share)
            .map_err(|_| MixError::InvalidSignature { mixer: self.mixer })
    }
}

/// Verifies a chain of shuffles of `contest`: step 0 shuffles `input`, each further step
/// shuffles the previous step's output, and each is signed by the trustee it names
/// (`shares[i − 1]` is trustee `i`'s verification share). Returns the final list (the
/// input itself when there are no steps). The first failing step is named.
///
/// How many distinct trustees shuffled is the caller's rule to apply (see
/// [`distinct_mixers`]).
#[allow(clippy::too_many_arguments)]
pub fn verify_chain<'a>(
    election: &ProofContext,
    contest: u32,
    key: &PublicKey,
    shares: &[Point],
    generators: &ShuffleGenerators,
    input: &'a [Ciphertext],
    width: usize,
    steps: &'a [MixStep],
    rng: &mut impl CryptoRngCore,
) -> Result<&'a [Ciphertext], MixError> {
    let mut current = input;
    for (i, step) in steps.iter().enumerate() {
        let at = |reason| MixError::InvalidStep {
            step: i,
            reason: alloc::boxed::Box::new(reason),
        };
        let share = (step.mixer as usize)
            .checked_sub(1)
            .and_then(|k| shares.get(k))
            .ok_or_else(|| at(MixError::UnknownMixer { mixer: step.mixer }))?;
        let ctx = mix_context(election, contest, i as u32);
        shuffle::verify(
            &ctx,
            key,
            generators,
            current,
            &step.output,
            width,
            &step.proof,
            rng,
        )
        .map_err(at)?;
        step.verify_signature(election, contest, i as u32, current, share)
            .map_err(at)?;
        current = &step.output;
    }
    Ok(current)
}

/// The number of distinct trustees among `mixers`.
pub fn distinct_mixers(mixers: impl IntoIterator<Item = u32>) -> usize {
    let set: alloc::collections::BTreeSet<u32> = mixers.into_iter().collect();
    set.len()
}

/// The proof context of the trustees' partial decryptions of contest `contest`'s final
/// mixed list, from the election's decryption context.
pub fn decryption_context(election_decryption: &ProofContext, contest: u32) -> ProofContext {
    election_decryption
        .clone()
        .bind(labels::MIXNET, &[])
        .bind_u64(labels::CONTEST, u64::from(contest))
}

/// One decrypted ballot of a ranked or write-in contest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixedBallot {
    /// A ranking: option indices, most preferred first (empty: blank).
    Ranking(Vec<u32>),
    /// A write-in text (empty: blank).
    Text(String),
    /// A row that does not decode (which valid ballot proofs rule out), with why.
    Invalid(String),
}

/// The result of a ranked or write-in contest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixnetResult {
    /// Contest id.
    pub contest: String,
    /// Every decrypted ballot, sorted: the order of the final mixed list carries no
    /// information, and sorting makes the result canonical.
    pub ballots: Vec<MixedBallot>,
    /// Ranked contests: the instant-runoff (one seat) or STV count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<count::Count>,
    /// Write-in contests: each distinct non-empty text with its number of ballots, most
    /// first (ties in byte order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<(String, u64)>,
}

impl MixnetResult {
    /// Decodes the decrypted rows of `contest` (values row after row, `width` per row,
    /// in any order) and counts them.
    pub fn from_rows(contest: &crate::manifest::Contest, values: &[u64]) -> Self {
        use crate::manifest::VoteRule;
        let n = contest.options.len();
        let width = contest.width().max(1);
        let ballots: Vec<MixedBallot> = values
            .chunks(width)
            .map(|row| match contest.rule {
                VoteRule::Ranked { .. } => encoding::decode_ranking(row, n)
                    .map_or_else(MixedBallot::Invalid, MixedBallot::Ranking),
                _ => encoding::decode_write_in(row)
                    .map_or_else(MixedBallot::Invalid, MixedBallot::Text),
            })
            .collect();
        let mut ballots = ballots;
        ballots.sort_unstable();
        let mut result = Self {
            contest: contest.id.clone(),
            ballots,
            count: None,
            texts: Vec::new(),
        };
        match contest.rule {
            VoteRule::Ranked { seats } => {
                let rankings: Vec<Vec<u32>> = result
                    .ballots
                    .iter()
                    .filter_map(|b| match b {
                        MixedBallot::Ranking(r) => Some(r.clone()),
                        _ => None,
                    })
                    .collect();
                result.count = Some(if seats == 1 {
                    count::irv(&rankings, n)
                } else {
                    count::stv(&rankings, n, seats)
                });
            }
            _ => {
                let mut by_text: alloc::collections::BTreeMap<&str, u64> = Default::default();
                for b in &result.ballots {
                    if let MixedBallot::Text(t) = b {
                        if !t.is_empty() {
                            *by_text.entry(t.as_str()).or_default() += 1;
                        }
                    }
                }
                let mut texts: Vec<(String, u64)> =
                    by_text.into_iter().map(|(t, k)| (t.into(), k)).collect();
                texts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                result.texts = texts;
            }
        }
        result
    }
}
