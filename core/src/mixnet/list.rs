//! One contest's list on its way through the mixnet: the counted ballots' rows, the
//! chain of shuffles, the trustees' partial decryptions of the final list, the result.
//!
//! [`MixList`] keeps the order rules of the record (spec §12.1) in one place for every
//! party that follows a chain — the verifier, a ballot box importing the trustees'
//! work, a trustee about to shuffle or decrypt: rows are added before the first
//! shuffle, each shuffle is verified as the next step of the chain, partial
//! decryptions come after the last shuffle and are verified against the final list.

use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use super::{decryption_context, mix_context, shuffle, MixError, MixStep, MixnetResult};
use super::{encoding, ShuffleGenerators};
use crate::ballot::EncryptedBallot;
use crate::dlog::DlogTable;
use crate::election::Election;
use crate::elgamal::Ciphertext;
use crate::keyceremony::{KeyShare, PublicCeremony};
use crate::manifest::Manifest;
use crate::threshold::{self, PartialDecryption, ThresholdError};

/// A ranked or write-in contest's list: its input rows (one row of `width`
/// ciphertexts per counted ballot, in board order), the shuffles taken so far and the
/// partial decryptions of the final list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MixList {
    contest: u32,
    width: usize,
    steps: u32,
    mixers: Vec<u32>,
    rows: Vec<Ciphertext>,
    partials: Vec<PartialDecryption>,
}

impl MixList {
    /// An empty list for contest number `contest` (its index in the manifest), whose
    /// rows have `width` ciphertexts.
    pub fn new(contest: u32, width: usize) -> Self {
        Self {
            contest,
            width,
            steps: 0,
            mixers: Vec::new(),
            rows: Vec::new(),
            partials: Vec::new(),
        }
    }

    /// One empty list per ranked or write-in contest of `manifest`, in manifest order
    /// (none when every contest is tallied homomorphically).
    pub fn for_manifest(manifest: &Manifest) -> Vec<Self> {
        manifest
            .contests
            .iter()
            .zip(0u32..)
            .filter(|(c, _)| !c.rule.is_homomorphic())
            .map(|(c, i)| Self::new(i, c.width()))
            .collect()
    }

    /// A list whose input is `rows` (row-major, `width` ciphertexts per row).
    ///
    /// # Errors
    /// [`MixError::Shape`] when `rows` is not whole rows of a nonzero width.
    pub fn with_rows(contest: u32, width: usize, rows: Vec<Ciphertext>) -> Result<Self, MixError> {
        if width == 0 || rows.len() % width != 0 {
            return Err(MixError::Shape {
                what: "input",
                rows: rows.len() / width.max(1),
                width,
                len: rows.len(),
            });
        }
        Ok(Self {
            rows,
            ..Self::new(contest, width)
        })
    }

    /// The contest's index in the manifest.
    pub fn contest(&self) -> u32 {
        self.contest
    }

    /// Ciphertexts per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Shuffles taken so far.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// The trustee who made each shuffle so far, in chain order.
    pub fn mixers(&self) -> &[u32] {
        &self.mixers
    }

    /// How many distinct trustees have shuffled the list.
    pub fn distinct_mixers(&self) -> usize {
        super::distinct_mixers(self.mixers.iter().copied())
    }

    /// Whether trustee `trustee` made one of the shuffles.
    pub fn is_mixed_by(&self, trustee: u32) -> bool {
        self.mixers.contains(&trustee)
    }

    /// Whether the list may be decrypted: it has no rows, or at least `required`
    /// distinct trustees (the election's [`mixers`](crate::election::Parameters::mixers))
    /// have shuffled it.
    ///
    /// # Errors
    /// [`MixError::TooFewMixers`].
    pub fn check_mixers(&self, required: u32) -> Result<(), MixError> {
        let distinct = self.distinct_mixers();
        if !self.rows.is_empty() && distinct < required as usize {
            return Err(MixError::TooFewMixers { distinct, required });
        }
        Ok(())
    }

    /// The current list: the input before the first shuffle, then the last shuffle's
    /// output.
    pub fn rows(&self) -> &[Ciphertext] {
        &self.rows
    }

    /// Rows in the list (the number of counted ballots).
    pub fn row_count(&self) -> usize {
        self.rows.len() / self.width.max(1)
    }

    /// The partial decryptions of the final list taken so far (each verified or
    /// restored), one per trustee.
    pub fn partials(&self) -> &[PartialDecryption] {
        &self.partials
    }

    /// Whether trustee `trustee`'s partial decryption of the final list is taken.
    pub fn is_decrypted_by(&self, trustee: u32) -> bool {
        self.partials.iter().any(|p| p.trustee == trustee)
    }

    /// Whether the list is final and decrypted by at least `t` trustees, so that
    /// [`MixList::result`] can succeed: shuffled by the election's number of distinct
    /// mixers (an empty list needs neither shuffle nor decryption).
    pub fn is_ready(&self, params: &crate::election::Parameters) -> bool {
        self.rows.is_empty()
            || (self.steps > 0
                && self.check_mixers(params.mixers()).is_ok()
                && self.partials.len() >= params.threshold as usize)
    }

    /// Appends the row of a counted ballot (its ciphertexts for this contest).
    ///
    /// # Errors
    /// [`MixError::InputClosed`] after the first shuffle; [`MixError::Shape`] when the
    /// ballot has no such contest or a row of another width.
    pub fn push_ballot(&mut self, ballot: &EncryptedBallot) -> Result<(), MixError> {
        let row = ballot
            .contests
            .get(self.contest as usize)
            .map_or(&[][..], |c| &c.selections[..]);
        self.push_row(row)
    }

    /// Appends the row of a counted board entry: a cast ballot of weight 1 adds its row;
    /// a weight-0 ballot (counted, with no say) adds none. Returns whether a row was
    /// added. Which entries are counted (a voter's latest cast ballot) is the caller's
    /// [`Prepass`](crate::verify::Prepass).
    ///
    /// # Errors
    /// As [`MixList::push_ballot`]; a challenged entry adds no row.
    pub fn push_counted(&mut self, entry: &crate::board::BoardEntry) -> Result<bool, MixError> {
        match entry.kind {
            crate::board::EntryKind::Cast { weight, .. } if weight > 0 => {
                self.push_ballot(&entry.ballot)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Appends one row of `width` ciphertexts.
    ///
    /// # Errors
    /// As [`MixList::push_ballot`].
    pub fn push_row(&mut self, row: &[Ciphertext]) -> Result<(), MixError> {
        if self.steps > 0 {
            return Err(MixError::InputClosed);
        }
        if row.len() != self.width || self.width == 0 {
            return Err(MixError::Shape {
                what: "ballot row",
                rows: 1,
                width: self.width,
                len: row.len(),
            });
        }
        self.rows.extend_from_slice(row);
        Ok(())
    }

    /// Verifies `step` as the next shuffle of the chain (its proof bound to the
    /// election, the contest and the step's position; its signature by the trustee it
    /// names) and takes its output as the current list.
    ///
    /// # Errors
    /// [`MixError::AfterDecryption`] once a partial decryption is taken;
    /// [`MixError::EmptyList`] when there is nothing to shuffle;
    /// [`MixError::InvalidStep`] (naming the step) when the mixer is not a trustee
    /// ([`MixError::UnknownMixer`]), the proof does not verify or the generators do not
    /// cover the rows, or the signature is not the named trustee's
    /// ([`MixError::InvalidSignature`]).
    pub fn push_step(
        &mut self,
        election: &Election,
        generators: &ShuffleGenerators,
        step: MixStep,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), MixError> {
        self.check_can_mix()?;
        let at = |reason| MixError::InvalidStep {
            step: self.steps as usize,
            reason: alloc::boxed::Box::new(reason),
        };
        let share = election
            .verification_share(step.mixer)
            .ok_or_else(|| at(MixError::UnknownMixer { mixer: step.mixer }))?;
        let ctx = mix_context(&election.context(), self.contest, self.steps);
        shuffle::verify(
            &ctx,
            election.joint_key(),
            generators,
            &self.rows,
            &step.output,
            self.width,
            &step.proof,
            rng,
        )
        .map_err(at)?;
        step.verify_signature(
            &election.context(),
            self.contest,
            self.steps,
            &self.rows,
            &share,
        )
        .map_err(at)?;
        self.take_step(step);
        Ok(())
    }

    /// Takes `step` as the next shuffle **without verifying it**: for restoring a list
    /// from storage whose every step was verified by [`MixList::push_step`] before it
    /// was stored.
    pub fn restore_step(&mut self, step: MixStep) {
        self.take_step(step);
    }

    fn take_step(&mut self, step: MixStep) {
        self.rows = step.output;
        self.mixers.push(step.mixer);
        self.steps += 1;
    }

    fn check_can_mix(&self) -> Result<(), MixError> {
        if !self.partials.is_empty() {
            return Err(MixError::AfterDecryption);
        }
        if self.rows.is_empty() {
            return Err(MixError::EmptyList);
        }
        Ok(())
    }

    /// Shuffles the current list as the next step of the chain (a fresh random
    /// permutation and nonces) as trustee `share.index()`, signs the step with the key
    /// share, takes the output as the current list and returns the step to publish.
    ///
    /// # Errors
    /// As [`MixList::push_step`] for the order; [`MixError::ForeignKeyShare`] for a
    /// key share of another election; [`MixError::Generators`] when the generators do
    /// not cover the rows.
    pub fn mix(
        &mut self,
        election: &Election,
        share: &KeyShare,
        generators: &ShuffleGenerators,
        rng: &mut impl CryptoRngCore,
    ) -> Result<MixStep, MixError> {
        self.check_can_mix()?;
        let step = MixStep::run(
            &election.context(),
            self.contest,
            self.steps,
            share,
            election.encryption_key(),
            generators,
            &self.rows,
            self.width,
            rng,
        )?;
        self.rows.clone_from(&step.output);
        self.mixers.push(step.mixer);
        self.steps += 1;
        Ok(step)
    }

    /// A trustee's partial decryption of the current (final) list, with its proofs.
    /// With `require_own_shuffle`, the trustee also refuses unless one of the shuffles
    /// is its own (then the list is anonymous to everyone else, whoever they are).
    ///
    /// # Errors
    /// [`MixError::NotMixed`] when the list has rows but no shuffle yet: decrypting the
    /// board's own rows would reveal how each voter voted;
    /// [`MixError::TooFewMixers`] when fewer distinct trustees than the election's
    /// `mixers` shuffled it; [`MixError::NotMixedBy`] as said;
    /// [`MixError::ForeignKeyShare`] for a key share of another election.
    pub fn partial_decryption(
        &self,
        election: &Election,
        key: &KeyShare,
        require_own_shuffle: bool,
        rng: &mut impl CryptoRngCore,
    ) -> Result<PartialDecryption, MixError> {
        if key.joint_key() != election.joint_key() {
            return Err(MixError::ForeignKeyShare);
        }
        self.check_mixed()?;
        self.check_mixers(election.parameters().mixers())?;
        if require_own_shuffle && !self.rows.is_empty() && !self.is_mixed_by(key.index()) {
            return Err(MixError::NotMixedBy {
                trustee: key.index(),
            });
        }
        let ctx = decryption_context(&election.decryption_context(), self.contest);
        Ok(PartialDecryption::from_key_share(
            &ctx, key, &self.rows, rng,
        ))
    }

    fn check_mixed(&self) -> Result<(), MixError> {
        if self.steps == 0 && !self.rows.is_empty() {
            return Err(MixError::NotMixed);
        }
        Ok(())
    }

    /// Verifies a trustee's partial decryption of the final list and takes it (in
    /// place of an earlier one of the same trustee).
    ///
    /// # Errors
    /// [`MixError::NotMixed`] as for [`MixList::partial_decryption`];
    /// [`MixError::Decryption`] with [`ThresholdError::UnknownTrustee`] for a trustee
    /// outside the ceremony, or the reason its proofs do not verify.
    pub fn add_decryption(
        &mut self,
        election: &Election,
        ceremony: &PublicCeremony,
        partial: PartialDecryption,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), MixError> {
        self.check_mixed()?;
        let trustee = partial.trustee;
        let share = ceremony
            .verification_share(trustee)
            .map_err(|_| MixError::Decryption(ThresholdError::UnknownTrustee { trustee }))?;
        let ctx = decryption_context(&election.decryption_context(), self.contest);
        partial
            .verify(&ctx, &share, &self.rows, rng)
            .map_err(MixError::Decryption)?;
        self.restore_decryption(partial);
        Ok(())
    }

    /// Takes a partial decryption **without verifying it** (in place of an earlier one
    /// of the same trustee): for one known to be valid — restored from storage that
    /// only holds decryptions [`MixList::add_decryption`] verified, or just made with
    /// [`MixList::partial_decryption`].
    pub fn restore_decryption(&mut self, partial: PartialDecryption) {
        self.partials.retain(|p| p.trustee != partial.trustee);
        self.partials.push(partial);
    }

    /// The decrypted values of the final list, row after row, from `threshold` of the
    /// partial decryptions taken.
    ///
    /// # Errors
    /// [`MixError::NotMixed`]; [`MixError::Decryption`] when fewer than `threshold`
    /// decryptions were taken; [`MixError::NotAValue`] (naming the row) when a
    /// ciphertext does not decrypt to a value of the contest's encoding below `bound`.
    pub fn values(
        &self,
        threshold: u32,
        bound: u64,
        table: &DlogTable,
    ) -> Result<Vec<u64>, MixError> {
        self.check_mixed()?;
        if self.rows.is_empty() {
            return Ok(Vec::new());
        }
        let points = threshold::combine(threshold, &self.rows, &self.partials)
            .map_err(MixError::Decryption)?;
        points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                table.find(p, bound).map_err(|_| MixError::NotAValue {
                    row: i / self.width.max(1),
                    bound,
                })
            })
            .collect()
    }

    /// The contest's decrypted ballots and count.
    ///
    /// # Errors
    /// As [`MixList::values`]; [`MixError::TooFewMixers`] as for
    /// [`MixList::partial_decryption`]; [`MixError::Shape`] when the election's manifest has no
    /// ranked or write-in contest of this list's index and width.
    pub fn result(&self, election: &Election, table: &DlogTable) -> Result<MixnetResult, MixError> {
        let contest = election
            .manifest()
            .contests
            .get(self.contest as usize)
            .filter(|c| !c.rule.is_homomorphic() && c.width() == self.width)
            .ok_or(MixError::Shape {
                what: "contest",
                rows: self.row_count(),
                width: self.width,
                len: self.rows.len(),
            })?;
        self.check_mixed()?;
        self.check_mixers(election.parameters().mixers())?;
        let bound = encoding::value_max(&contest.rule, contest.options.len()).unwrap_or(0) + 1;
        let values = self.values(election.parameters().threshold, bound, table)?;
        Ok(MixnetResult::from_rows(contest, &values))
    }
}
