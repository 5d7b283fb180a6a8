//! Who may vote, and who vouches for it: the voter registry's commitment.
//!
//! The registry (voter ids, weights, signature keys) decides who may cast and with what
//! weight; whether cast ballots must be signed is an election parameter. A board that
//! could edit either would add ballots for voters who never voted. So the board never
//! decides them alone: the election's [`RegistryCommitment`], part of the ceremony
//! context and so of the base hash, says which registry counts:
//!
//! * [`RegistryCommitment::Open`]: no registry; anyone may cast, anonymously, weight 1,
//!   unsigned. A record that carries a registry anyway is refused.
//! * [`RegistryCommitment::Fixed`]: the registry's fingerprint
//!   ([`Voters::fingerprint`]) was known before the key ceremony and is in the ceremony
//!   context; the record's registry must have exactly that fingerprint.
//! * [`RegistryCommitment::Attested`]: the registry is fixed after the ceremony, before
//!   voting opens, by at least `t` trustees, each signing the base hash and the
//!   fingerprint with its key share ([`RegistryAttestation`]). A board alone (or up to
//!   `t − 1` trustees with it) cannot produce them for another registry.
//!
//! [`open_registry`] applies the rule; the verifier (check 6), the ballot box when it
//! opens, and `ostracon trustee attest-registry` all call it.

use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};

use crate::board::VoterRegistry;
use crate::election::Election;
use crate::error::DecodeError;
use crate::keyceremony::KeyShare;
use crate::labels;
use crate::proofs::schnorr::{Base, SchnorrProof};
use crate::record::Voters;
use crate::transcript::ProofContext;

/// How the election commits its voter registry (an election parameter, in the ceremony
/// context).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum RegistryCommitment {
    /// No registry: anyone may cast, anonymously, with weight 1 and no signature.
    #[default]
    Open,
    /// The registry whose fingerprint ([`Voters::fingerprint`]) is this, fixed before
    /// the key ceremony.
    Fixed {
        /// The registry's fingerprint, hex in JSON.
        #[serde(with = "crate::hex::serde32")]
        fingerprint: [u8; 32],
    },
    /// A registry attested by at least `t` trustees after the ceremony
    /// ([`RegistryAttestation`]).
    Attested,
}

impl RegistryCommitment {
    /// The byte naming the mode in the ceremony context and the binary header:
    /// 0 open, 1 fixed, 2 attested.
    pub fn mode_byte(&self) -> u8 {
        match self {
            RegistryCommitment::Open => 0,
            RegistryCommitment::Fixed { .. } => 1,
            RegistryCommitment::Attested => 2,
        }
    }

    /// The canonical encoding: the mode byte, then the 32-byte fingerprint for
    /// [`RegistryCommitment::Fixed`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = alloc::vec![self.mode_byte()];
        if let RegistryCommitment::Fixed { fingerprint } = self {
            out.extend_from_slice(fingerprint);
        }
        out
    }

    /// Whether this is [`RegistryCommitment::Open`] (no registry).
    pub fn is_open(&self) -> bool {
        matches!(self, RegistryCommitment::Open)
    }

    /// Whether the election has a registry.
    pub fn has_registry(&self) -> bool {
        !matches!(self, RegistryCommitment::Open)
    }
}

/// Why a registry is not the one the election commits, or an attestation is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// A registry was given for an election that has none (open).
    Unannounced,
    /// The election commits a registry and none was given.
    Missing,
    /// The registry is not readable (a bad key, a repeated voter id).
    Malformed(DecodeError),
    /// Signatures are required but a voter has no key (it could never cast).
    MissingKey {
        /// The voter.
        voter: alloc::string::String,
    },
    /// The registry's fingerprint is not the one fixed in the election.
    Mismatch {
        /// The fingerprint the election fixes, hex.
        expected: alloc::string::String,
        /// The registry's, hex.
        found: alloc::string::String,
    },
    /// Attestations given for an election whose registry is not attested.
    UnexpectedAttestation,
    /// An attestation names a trustee outside `1..=n`.
    UnknownTrustee {
        /// The index it names.
        trustee: u32,
    },
    /// An attestation is over another registry than the one given.
    OtherRegistry {
        /// The attesting trustee.
        trustee: u32,
    },
    /// An attestation's signature does not verify under the trustee's verification
    /// share (forged, altered, or made for another election).
    InvalidSignature {
        /// The trustee it names.
        trustee: u32,
    },
    /// Two attestations by the same trustee.
    DuplicateAttestation {
        /// The trustee.
        trustee: u32,
    },
    /// Fewer distinct trustees attested than the threshold.
    TooFewAttestations {
        /// Distinct trustees whose attestation verified.
        found: usize,
        /// The threshold `t`.
        required: u32,
    },
    /// The key share given to sign belongs to another election.
    ForeignKeyShare,
}

impl RegistryError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Unannounced => "registry.unannounced",
            RegistryError::Missing => "registry.missing",
            RegistryError::Malformed(_) => "registry.malformed",
            RegistryError::MissingKey { .. } => "registry.missing_key",
            RegistryError::Mismatch { .. } => "registry.mismatch",
            RegistryError::UnexpectedAttestation => "registry.unexpected_attestation",
            RegistryError::UnknownTrustee { .. } => "registry.unknown_trustee",
            RegistryError::OtherRegistry { .. } => "registry.other_registry",
            RegistryError::InvalidSignature { .. } => "registry.invalid_signature",
            RegistryError::DuplicateAttestation { .. } => "registry.duplicate_attestation",
            RegistryError::TooFewAttestations { .. } => "registry.too_few_attestations",
            RegistryError::ForeignKeyShare => "registry.foreign_key_share",
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Unannounced => {
                f.write_str("the election has no voter registry (open), but a registry was given")
            }
            RegistryError::Missing => {
                f.write_str("the election commits a voter registry, but none was given")
            }
            RegistryError::Malformed(e) => write!(f, "voter registry: {e}"),
            RegistryError::MissingKey { voter } => {
                write!(f, "signatures are required but voter {voter:?} has no key")
            }
            RegistryError::Mismatch { expected, found } => write!(
                f,
                "the registry's fingerprint {found} is not the one the election fixes ({expected})"
            ),
            RegistryError::UnexpectedAttestation => f.write_str(
                "registry attestations given, but the election's registry is not attested",
            ),
            RegistryError::UnknownTrustee { trustee } => {
                write!(
                    f,
                    "registry attestation names trustee {trustee}, not of this ceremony"
                )
            }
            RegistryError::OtherRegistry { trustee } => write!(
                f,
                "trustee {trustee}'s attestation is over another registry"
            ),
            RegistryError::InvalidSignature { trustee } => write!(
                f,
                "trustee {trustee}'s registry attestation does not verify"
            ),
            RegistryError::DuplicateAttestation { trustee } => {
                write!(f, "trustee {trustee} attested the registry twice")
            }
            RegistryError::TooFewAttestations { found, required } => write!(
                f,
                "the registry is attested by {found} distinct trustees; {required} are required"
            ),
            RegistryError::ForeignKeyShare => {
                f.write_str("the key share belongs to another election")
            }
        }
    }
}

impl core::error::Error for RegistryError {}

/// A trustee's attestation of the voter registry: a Schnorr proof of knowledge of its
/// key share `xᵢ` (base `H`, public `Xᵢ`, its verification share) in the
/// [`attestation_context`] of the election and the registry's fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryAttestation {
    /// The attesting trustee (its ceremony index, from 1).
    pub trustee: u32,
    /// The fingerprint of the registry attested, hex in JSON.
    #[serde(with = "crate::hex::serde32")]
    pub registry: [u8; 32],
    /// The signature.
    pub signature: SchnorrProof,
}

/// The context of trustee `trustee`'s attestation of the registry with fingerprint
/// `fingerprint`: the election's context (so its base hash), then
/// `("registry-attestation", fingerprint)` and `("trustee", LE64(trustee))`.
pub fn attestation_context(
    election: &Election,
    fingerprint: &[u8; 32],
    trustee: u32,
) -> ProofContext {
    election
        .context()
        .bind(labels::REGISTRY_ATTESTATION, fingerprint)
        .bind_u64(labels::TRUSTEE, u64::from(trustee))
}

impl RegistryAttestation {
    /// Encoded length: trustee (4) ‖ fingerprint (32) ‖ signature (64).
    pub const LEN: usize = 4 + 32 + SchnorrProof::LEN;

    /// Trustee `share.index()` attests `voters` for `election`.
    ///
    /// # Errors
    /// [`RegistryError::ForeignKeyShare`] when the share is not of this election.
    pub fn sign(
        election: &Election,
        voters: &Voters,
        share: &KeyShare,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, RegistryError> {
        let trustee = share.index();
        if share.joint_key() != election.joint_key()
            || election.verification_share(trustee).as_ref() != Some(share.public_share())
        {
            return Err(RegistryError::ForeignKeyShare);
        }
        let registry = voters.fingerprint();
        let ctx = attestation_context(election, &registry, trustee);
        let signature = SchnorrProof::prove(
            &ctx,
            Base::H,
            share.secret().as_scalar(),
            share.public_share(),
            rng,
        );
        Ok(Self {
            trustee,
            registry,
            signature,
        })
    }

    /// Checks this attestation as one of `election` over the registry with
    /// `fingerprint`.
    ///
    /// # Errors
    /// [`RegistryError::UnknownTrustee`], [`RegistryError::OtherRegistry`],
    /// [`RegistryError::InvalidSignature`].
    pub fn verify(&self, election: &Election, fingerprint: &[u8; 32]) -> Result<(), RegistryError> {
        let trustee = self.trustee;
        let share = election
            .verification_share(trustee)
            .ok_or(RegistryError::UnknownTrustee { trustee })?;
        if &self.registry != fingerprint {
            return Err(RegistryError::OtherRegistry { trustee });
        }
        self.signature
            .verify(
                &attestation_context(election, fingerprint, trustee),
                Base::H,
                &share,
            )
            .map_err(|_| RegistryError::InvalidSignature { trustee })
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.extend_from_slice(&self.trustee.to_le_bytes());
        out.extend_from_slice(&self.registry);
        out.extend_from_slice(&self.signature.to_bytes());
        out
    }

    /// Decodes [`RegistryAttestation::to_bytes`].
    ///
    /// # Errors
    /// A [`DecodeError`] naming the registry attestation.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = crate::group::Reader::new(bytes, "registry attestation");
        let trustee = r.u32()?;
        let registry = r.array::<32>()?;
        let signature = SchnorrProof::from_bytes(r.take(SchnorrProof::LEN)?)?;
        r.finish()?;
        Ok(Self {
            trustee,
            registry,
            signature,
        })
    }
}

/// Checks that a registry with `fingerprint` (absent: no registry) and the trustees'
/// `attestations` are what `election` commits:
///
/// * open: no registry and no attestations;
/// * fixed: the registry has the fixed fingerprint (and there are no attestations);
/// * attested: at least `t` distinct trustees attest the fingerprint, every attestation
///   given being valid (a bad one is refused, not skipped: it names the trustee, or
///   whoever posed as it).
///
/// # Errors
/// A [`RegistryError`] naming what does not hold.
pub fn check_commitment(
    election: &Election,
    fingerprint: Option<&[u8; 32]>,
    attestations: &[RegistryAttestation],
) -> Result<(), RegistryError> {
    let params = election.parameters();
    let Some(fingerprint) = fingerprint else {
        return match params.registry {
            RegistryCommitment::Open if attestations.is_empty() => Ok(()),
            RegistryCommitment::Open => Err(RegistryError::UnexpectedAttestation),
            _ => Err(RegistryError::Missing),
        };
    };
    match params.registry {
        RegistryCommitment::Open => Err(RegistryError::Unannounced),
        RegistryCommitment::Fixed { fingerprint: fixed } => {
            if !attestations.is_empty() {
                return Err(RegistryError::UnexpectedAttestation);
            }
            if &fixed != fingerprint {
                return Err(RegistryError::Mismatch {
                    expected: crate::hex::encode(&fixed),
                    found: crate::hex::encode(fingerprint),
                });
            }
            Ok(())
        }
        RegistryCommitment::Attested => {
            let mut seen = alloc::collections::BTreeSet::new();
            for a in attestations {
                a.verify(election, fingerprint)?;
                if !seen.insert(a.trustee) {
                    return Err(RegistryError::DuplicateAttestation { trustee: a.trustee });
                }
            }
            if seen.len() < params.threshold as usize {
                return Err(RegistryError::TooFewAttestations {
                    found: seen.len(),
                    required: params.threshold,
                });
            }
            Ok(())
        }
    }
}

/// With signatures required by `election`, checks that every voter has a key (a voter
/// without one could never cast).
///
/// # Errors
/// [`RegistryError::MissingKey`] naming the first such voter.
pub fn check_keys(election: &Election, registry: &VoterRegistry) -> Result<(), RegistryError> {
    if election.parameters().require_signatures {
        if let Some((id, _)) = registry.iter().find(|(_, v)| v.key.is_none()) {
            return Err(RegistryError::MissingKey { voter: id.clone() });
        }
    }
    Ok(())
}

/// The registry `election` commits, from what a record (or a ballot box's opening)
/// holds: `voters` (absent: none) and the trustees' `attestations`
/// ([`check_commitment`], then the registry decoded and [`check_keys`]). `Ok(None)`:
/// an open election.
///
/// # Errors
/// A [`RegistryError`] naming what does not hold.
pub fn open_registry(
    election: &Election,
    voters: Option<&Voters>,
    attestations: &[RegistryAttestation],
) -> Result<Option<VoterRegistry>, RegistryError> {
    let fingerprint = voters.map(Voters::fingerprint);
    check_commitment(election, fingerprint.as_ref(), attestations)?;
    let Some(voters) = voters else {
        return Ok(None);
    };
    let registry = voters.to_registry().map_err(RegistryError::Malformed)?;
    check_keys(election, &registry)?;
    Ok(Some(registry))
}
