//! Homomorphic tally: aggregation of counted ballots, with weights, in mergeable shards.
//!
//! The encrypted tally of option `o` of contest `c` is `Σ_b w_b · E_b[c][o]` over the
//! counted ballots `b` with public weights `w_b`. Multiplying every ciphertext by its
//! weight would cost a scalar multiplication per option per ballot; instead ballots are
//! summed per distinct weight and each sum is multiplied once: `Σ_w w · (Σ_{b: w_b = w} E_b)`.
//!
//! A [`TallyAccumulator`] over any subset of ballots (a shard) merges associatively and
//! commutatively with others, so aggregation can be mapped and reduced across machines.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use curve25519_dalek::scalar::Scalar;
use serde::{Deserialize, Serialize};

use crate::ballot::EncryptedBallot;
use crate::election::Election;
use crate::elgamal::{Ciphertext, RawCiphertext};
use crate::error::Error;

/// A partial homomorphic aggregate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyAccumulator {
    shape: Vec<usize>,
    by_weight: BTreeMap<u64, Vec<Vec<RawCiphertext>>>,
    ballots: u64,
    total_weight: u128,
}

impl TallyAccumulator {
    /// An empty aggregate for an election.
    pub fn new(election: &Election) -> Self {
        Self {
            shape: election.manifest().tally_shape(),
            by_weight: BTreeMap::new(),
            ballots: 0,
            total_weight: 0,
        }
    }

    fn zero(&self) -> Vec<Vec<RawCiphertext>> {
        self.shape
            .iter()
            .map(|n| alloc::vec![RawCiphertext::zero(); *n])
            .collect()
    }

    /// Adds a (validated) ballot with its weight.
    pub fn add(&mut self, ballot: &EncryptedBallot, weight: u64) -> Result<(), Error> {
        if ballot.contests.len() != self.shape.len()
            || ballot
                .contests
                .iter()
                .zip(&self.shape)
                // 0: a ranked or write-in contest, not summed (it goes through the mixnet).
                .any(|(c, n)| *n != 0 && c.selections.len() != *n)
        {
            return Err(Error::invalid_input(alloc::format!(
                "ballot '{}' does not have the election's shape",
                ballot.ballot_id
            )));
        }
        if weight == 0 {
            return Ok(());
        }
        let zero = self.zero();
        let sums = self.by_weight.entry(weight).or_insert(zero);
        for (sum, c) in sums.iter_mut().zip(&ballot.contests) {
            for (s, ct) in sum.iter_mut().zip(&c.selections) {
                *s += ct.raw();
            }
        }
        self.ballots += 1;
        self.total_weight += u128::from(weight);
        Ok(())
    }

    /// Merges another aggregate (of disjoint ballots) into this one.
    pub fn merge(&mut self, other: &TallyAccumulator) -> Result<(), Error> {
        if self.shape != other.shape {
            return Err(Error::invalid_input("tally shards of different elections"));
        }
        for (w, sums) in &other.by_weight {
            let zero = self.zero();
            let mine = self.by_weight.entry(*w).or_insert(zero);
            for (a, b) in mine.iter_mut().zip(sums) {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += *y;
                }
            }
        }
        self.ballots += other.ballots;
        self.total_weight += other.total_weight;
        Ok(())
    }

    /// Number of ballots added.
    pub fn ballots(&self) -> u64 {
        self.ballots
    }

    /// Sum of the weights of the ballots added.
    pub fn total_weight(&self) -> u128 {
        self.total_weight
    }

    /// The weighted sums, per contest and option.
    pub fn sums(&self) -> Vec<Vec<RawCiphertext>> {
        let mut out = self.zero();
        for (w, sums) in &self.by_weight {
            let ws = Scalar::from(*w);
            for (o, s) in out.iter_mut().zip(sums) {
                for (x, y) in o.iter_mut().zip(s) {
                    *x += if *w == 1 { *y } else { *y * ws };
                }
            }
        }
        out
    }

    /// Canonical encoding (to ship a shard's aggregate between processes):
    /// `contests (u32) ‖ options per contest (u32 each) ‖ ballots (u64) ‖ total weight
    /// (u128) ‖ weights (u32) ‖ per weight: w (u64) ‖ its sums (64 bytes each)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(self.shape.len() as u32).to_le_bytes());
        for n in &self.shape {
            out.extend_from_slice(&(*n as u32).to_le_bytes());
        }
        out.extend_from_slice(&self.ballots.to_le_bytes());
        out.extend_from_slice(&self.total_weight.to_le_bytes());
        out.extend_from_slice(&(self.by_weight.len() as u32).to_le_bytes());
        for (w, sums) in &self.by_weight {
            out.extend_from_slice(&w.to_le_bytes());
            for c in sums {
                for ct in c {
                    out.extend_from_slice(&ct.to_ciphertext().to_bytes());
                }
            }
        }
        out
    }

    /// Decodes [`Self::to_bytes`] strictly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::error::DecodeError> {
        use crate::error::{DecodeError, DecodeErrorKind};
        const WHAT: &str = "tally aggregate";
        let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
        let mut r = crate::group::Reader::new(bytes, WHAT);
        let n = r.u32()? as usize;
        if n > crate::manifest::MAX_CONTESTS {
            return Err(bad);
        }
        let mut shape = Vec::with_capacity(n);
        for _ in 0..n {
            let k = r.u32()? as usize;
            if k > crate::manifest::MAX_OPTIONS {
                return Err(bad);
            }
            shape.push(k);
        }
        let ballots = r.u64()?;
        let total_weight = u128::from_le_bytes(r.array()?);
        let weights = r.u32()? as usize;
        let mut by_weight = BTreeMap::new();
        let mut last = None;
        for _ in 0..weights {
            let w = r.u64()?;
            if last.is_some_and(|l| l >= w) {
                return Err(bad); // strictly increasing: one encoding per aggregate
            }
            last = Some(w);
            let mut sums = Vec::with_capacity(shape.len());
            for k in &shape {
                let mut c = Vec::with_capacity(*k);
                for _ in 0..*k {
                    c.push(Ciphertext::read(&mut r)?.raw());
                }
                sums.push(c);
            }
            by_weight.insert(w, sums);
        }
        r.finish()?;
        Ok(Self {
            shape,
            by_weight,
            ballots,
            total_weight,
        })
    }

    /// The encrypted tally.
    pub fn finish(&self) -> EncryptedTally {
        EncryptedTally {
            ballots: self.ballots,
            total_weight: u64::try_from(self.total_weight).unwrap_or(u64::MAX),
            contests: self
                .sums()
                .iter()
                .map(|c| RawCiphertext::to_ciphertexts(c))
                .collect(),
        }
    }
}

/// The encrypted tally of an election.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedTally {
    /// Number of ballots counted.
    pub ballots: u64,
    /// Sum of their weights.
    pub total_weight: u64,
    /// Per contest (manifest order), per option, the encrypted weighted sum.
    pub contests: Vec<Vec<Ciphertext>>,
}

impl EncryptedTally {
    /// All ciphertexts, contest by contest.
    pub fn flat(&self) -> Vec<Ciphertext> {
        self.contests.iter().flatten().copied().collect()
    }

    /// The counts from the decrypted points `v·G` (one per ciphertext, contest by
    /// contest), each searched below its contest's bound. On failure, returns the
    /// contest and option indices and the bound of the first value not found.
    pub fn recover(
        &self,
        election: &Election,
        points: &[curve25519_dalek::ristretto::RistrettoPoint],
        table: &crate::dlog::DlogTable,
    ) -> Result<Vec<Vec<u64>>, (usize, usize, u64)> {
        let mut values = Vec::with_capacity(self.contests.len());
        let mut k = 0;
        for (ci, c) in self.contests.iter().enumerate() {
            let bound = self.bound(election, ci);
            let mut v = Vec::with_capacity(c.len());
            for oi in 0..c.len() {
                match points.get(k).map(|p| table.find(p, bound)) {
                    Some(Ok(x)) => v.push(x),
                    _ => return Err((ci, oi, bound)),
                }
                k += 1;
            }
            values.push(v);
        }
        Ok(values)
    }

    /// Decrypts the tally: verifies every partial decryption against the ceremony (in
    /// one batch), combines `t` of them and recovers the counts.
    pub fn decrypt(
        &self,
        election: &Election,
        ceremony: &crate::keyceremony::PublicCeremony,
        partials: &[crate::threshold::PartialDecryption],
        table: &crate::dlog::DlogTable,
        rng: &mut impl rand_core::CryptoRngCore,
    ) -> Result<Results, Error> {
        let flat = self.flat();
        let points = crate::threshold::decrypt(
            &election.decryption_context(),
            ceremony,
            &flat,
            partials,
            rng,
        )
        .map_err(Error::from)?;
        let values = self
            .recover(election, &points, table)
            .map_err(|(_, _, bound)| Error::DlogNotFound { bound })?;
        Ok(Results::from_values(election, &values))
    }

    /// Bound (exclusive) on option `o` of contest `c`'s decrypted value.
    pub fn bound(&self, election: &Election, c: usize) -> u64 {
        let max = election
            .manifest()
            .contests
            .get(c)
            .map(|c| c.rule.option_max())
            .unwrap_or(0);
        self.total_weight.saturating_mul(max).saturating_add(1)
    }
}

/// The decrypted results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    /// Per contest in manifest order (ranked and write-in contests have empty counts
    /// here; their results are in `mixnet`).
    pub contests: Vec<ContestResult>,
    /// Per ranked or write-in contest in manifest order: the decrypted ballots of the
    /// mixnet and their count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mixnet: Vec<crate::mixnet::MixnetResult>,
}

/// One contest's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestResult {
    /// Contest id.
    pub contest: String,
    /// Per option (manifest order): option id and total.
    pub counts: Vec<(String, u64)>,
}

impl Results {
    /// Results from values in manifest order (as decrypted).
    pub fn from_values(election: &Election, values: &[Vec<u64>]) -> Self {
        Self {
            contests: election
                .manifest()
                .contests
                .iter()
                .zip(values)
                .map(|(c, v)| ContestResult {
                    contest: c.id.clone(),
                    counts: c
                        .options
                        .iter()
                        .zip(v)
                        .map(|(o, n)| (o.id.clone(), *n))
                        .collect(),
                })
                .collect(),
            mixnet: Vec::new(),
        }
    }
}
