//! Election parameters, the base hash, and the public election a booth loads.
//!
//! Two hashes bind everything a proof speaks of:
//!
//! * the **ceremony context** `SHA-256("ostracon/v1/ceremony-context" ‖ protocol ‖ G ‖ H ‖
//!   n ‖ t ‖ mixers ‖ registry ‖ signatures ‖ manifest)`, fixed before the key ceremony, which every ceremony message binds;
//! * the **base hash** `SHA-256("ostracon/v1/base-hash" ‖ ceremony context ‖ K ‖ every
//!   trustee's coefficient commitments)`, fixed after it, from which every ballot proof,
//!   tracking code and partial decryption starts.
//!
//! [`Election`] is the public description a voting booth, a ballot box or a verifier
//! loads: manifest, parameters and ceremony commitments, from which the joint key `K`,
//! each trustee's public share and the base hash are *recomputed*, never trusted.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::elgamal::{EncryptionKey, PublicKey};
use crate::error::Error;
use crate::group::{self, Point};
use crate::labels;
use crate::manifest::Manifest;
use crate::registry::RegistryCommitment;
use crate::transcript::ProofContext;

/// Election parameters fixed before the key ceremony.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// Number of trustees `n`.
    pub trustees: u32,
    /// Number of trustees needed to decrypt `t`.
    pub threshold: u32,
    /// How many distinct trustees must shuffle each ranked or write-in contest before its
    /// list may be decrypted (`t ≤ mixers ≤ n`); absent: `t`. With `t` distinct mixers
    /// the ballots stay anonymous unless `t` trustees collude, the same assumption as the
    /// secrecy of the tally. See [`Parameters::mixers`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mixers: Option<u32>,
    /// How the voter registry is committed (absent: open, no registry). See
    /// [`crate::registry`].
    #[serde(default, skip_serializing_if = "RegistryCommitment::is_open")]
    pub registry: RegistryCommitment,
    /// Whether every cast ballot must carry its voter's Ed25519 signature (needs a
    /// registry).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub require_signatures: bool,
}

impl Parameters {
    /// `t`-of-`n` with the default number of mixers (`t`).
    pub fn new(trustees: u32, threshold: u32) -> Self {
        Self {
            trustees,
            threshold,
            mixers: None,
            registry: RegistryCommitment::Open,
            require_signatures: false,
        }
    }

    /// The same parameters with the voter registry committed as `registry`.
    pub fn with_registry(self, registry: RegistryCommitment) -> Self {
        Self { registry, ..self }
    }

    /// The same parameters with voter signatures required (or not).
    pub fn with_signatures(self, require_signatures: bool) -> Self {
        Self {
            require_signatures,
            ..self
        }
    }

    /// The same parameters with `mixers` distinct trustees required to shuffle each
    /// ranked or write-in contest.
    pub fn with_mixers(self, mixers: u32) -> Self {
        Self {
            mixers: Some(mixers),
            ..self
        }
    }

    /// The number of distinct trustees that must shuffle each ranked or write-in
    /// contest: `mixers`, or `t` when absent.
    pub fn mixers(&self) -> u32 {
        self.mixers.unwrap_or(self.threshold)
    }

    /// Checks `1 ≤ t ≤ n ≤ 255`, `t ≤ mixers ≤ n`, and that signatures are required
    /// only with a registry.
    pub fn validate(&self) -> Result<(), Error> {
        if self.threshold == 0 || self.threshold > self.trustees || self.trustees > 255 {
            return Err(Error::invalid_input(alloc::format!(
                "parameters need 1 ≤ threshold ≤ trustees ≤ 255; got threshold {}, trustees {}",
                self.threshold,
                self.trustees
            )));
        }
        let m = self.mixers();
        if m < self.threshold || m > self.trustees {
            return Err(Error::invalid_input(alloc::format!(
                "parameters need threshold ≤ mixers ≤ trustees; got mixers {m}, threshold {}, trustees {}",
                self.threshold,
                self.trustees
            )));
        }
        if self.require_signatures && !self.registry.has_registry() {
            return Err(Error::invalid_input(
                "parameters require voter signatures but commit no voter registry (open)",
            ));
        }
        Ok(())
    }
}

/// The hash every key-ceremony message binds: protocol, generators, `n`, `t`, the number
/// of mixers, the registry commitment and whether signatures are required, manifest.
pub fn ceremony_context(manifest: &Manifest, params: &Parameters) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(labels::CEREMONY_CONTEXT);
    h.update(labels::PROTOCOL);
    h.update(group::generator_g().compress().as_bytes());
    h.update(group::generator_h().as_bytes());
    h.update(params.trustees.to_le_bytes());
    h.update(params.threshold.to_le_bytes());
    h.update(params.mixers().to_le_bytes());
    h.update(params.registry.to_bytes());
    h.update([u8::from(params.require_signatures)]);
    let m = manifest.to_bytes();
    h.update((m.len() as u64).to_le_bytes());
    h.update(&m);
    h.finalize().into()
}

/// The base hash: ceremony context, joint key and every coefficient commitment.
pub fn base_hash(
    context: &[u8; 32],
    joint_key: &PublicKey,
    commitments: &[Vec<Point>],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(labels::BASE_HASH);
    h.update(context);
    h.update(joint_key.point().as_bytes());
    h.update((commitments.len() as u32).to_le_bytes());
    for c in commitments {
        h.update((c.len() as u32).to_le_bytes());
        for p in c {
            h.update(p.as_bytes());
        }
    }
    h.finalize().into()
}

/// The public election: what a booth, a ballot box and a verifier load.
#[derive(Clone, Debug)]
pub struct Election {
    manifest: Manifest,
    params: Parameters,
    commitments: Vec<Vec<Point>>,
    joint_key: PublicKey,
    base_hash: [u8; 32],
    encryption_key: EncryptionKey,
}

/// The serialised form of [`Election`] (`election.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionDocument {
    /// Protocol name and version.
    pub protocol: String,
    /// The manifest.
    pub manifest: Manifest,
    /// Parameters.
    pub parameters: Parameters,
    /// Each trustee's coefficient commitments `a_jk·H` (`t` per trustee, trustee order).
    pub commitments: Vec<Vec<Point>>,
    /// The joint key `K` (recomputed and checked on load).
    pub joint_key: PublicKey,
    /// The base hash, hex (recomputed and checked on load).
    pub base_hash: String,
}

impl Election {
    /// Builds the election from the manifest, parameters and the coefficient commitments
    /// of a completed key ceremony. `K` and the trustees' public shares are derived from
    /// the commitments.
    pub fn new(
        manifest: Manifest,
        params: Parameters,
        commitments: Vec<Vec<Point>>,
    ) -> Result<Self, Error> {
        manifest.validate()?;
        params.validate()?;
        if commitments.len() != params.trustees as usize
            || commitments
                .iter()
                .any(|c| c.len() != params.threshold as usize)
        {
            return Err(Error::invalid_input(alloc::format!(
                "expected {} trustees with {} commitments each",
                params.trustees,
                params.threshold
            )));
        }
        let joint_key =
            PublicKey::from_point(Point::new(commitments.iter().map(|c| c[0].point()).sum()))
                .map_err(Error::Decode)?;
        let context = ceremony_context(&manifest, &params);
        let base_hash = base_hash(&context, &joint_key, &commitments);
        let encryption_key = joint_key.precompute();
        Ok(Self {
            manifest,
            params,
            commitments,
            joint_key,
            base_hash,
            encryption_key,
        })
    }

    /// Loads `election.json`, recomputing and checking the key and base hash.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let doc: ElectionDocument = serde_json::from_slice(json)
            .map_err(|e| Error::invalid_input(alloc::format!("election JSON: {e}")))?;
        Self::from_document(doc)
    }

    /// Builds from the serialised form, checking the recomputed values.
    pub fn from_document(doc: ElectionDocument) -> Result<Self, Error> {
        if doc.protocol.as_bytes() != labels::PROTOCOL {
            return Err(Error::Unsupported(alloc::format!(
                "protocol '{}'",
                doc.protocol
            )));
        }
        let e = Self::new(doc.manifest, doc.parameters, doc.commitments)?;
        if e.joint_key != doc.joint_key {
            return Err(Error::invalid_input(
                "election: joint key does not match the commitments",
            ));
        }
        if crate::hex::encode(&e.base_hash) != doc.base_hash.to_ascii_lowercase() {
            return Err(Error::invalid_input(
                "election: base hash does not match its contents",
            ));
        }
        Ok(e)
    }

    /// The serialised form.
    pub fn to_document(&self) -> ElectionDocument {
        ElectionDocument {
            protocol: String::from_utf8_lossy(labels::PROTOCOL).into_owned(),
            manifest: self.manifest.clone(),
            parameters: self.params,
            commitments: self.commitments.clone(),
            joint_key: self.joint_key,
            base_hash: crate::hex::encode(&self.base_hash),
        }
    }

    /// `election.json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_document()).unwrap_or_default()
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The parameters.
    pub fn parameters(&self) -> &Parameters {
        &self.params
    }

    /// The coefficient commitments of the ceremony.
    pub fn commitments(&self) -> &[Vec<Point>] {
        &self.commitments
    }

    /// Trustee `trustee`'s verification share `Xᵢ = xᵢ·H = Σₖ iᵏ·Σⱼ Cⱼₖ` (from 1), from the
    /// ceremony's commitments; `None` for an index outside `1..=n`.
    pub fn verification_share(&self, trustee: u32) -> Option<Point> {
        use curve25519_dalek::ristretto::RistrettoPoint;
        use curve25519_dalek::scalar::Scalar;
        use curve25519_dalek::traits::VartimeMultiscalarMul;
        if trustee == 0 || trustee > self.params.trustees {
            return None;
        }
        let t = self.params.threshold as usize;
        let joint = (0..t).map(|k| {
            self.commitments
                .iter()
                .filter_map(|c| c.get(k))
                .map(Point::point)
                .sum::<RistrettoPoint>()
        });
        let x = Scalar::from(trustee);
        let mut power = Scalar::ONE;
        let powers: Vec<Scalar> = (0..t)
            .map(|_| {
                let p = power;
                power *= x;
                p
            })
            .collect();
        Some(Point::new(RistrettoPoint::vartime_multiscalar_mul(
            powers, joint,
        )))
    }

    /// The joint election key `K`.
    pub fn joint_key(&self) -> &PublicKey {
        &self.joint_key
    }

    /// The encryption key (with its precomputed table).
    pub fn encryption_key(&self) -> &EncryptionKey {
        &self.encryption_key
    }

    /// The base hash.
    pub fn base_hash(&self) -> &[u8; 32] {
        &self.base_hash
    }

    /// The context of the trustees' partial decryptions of the tally (each proof then
    /// binds the trustee index and the ciphertext index within the tally, in contest
    /// then option order).
    pub fn decryption_context(&self) -> ProofContext {
        self.context()
    }

    /// The proof context every proof of this election starts from.
    pub fn context(&self) -> ProofContext {
        ProofContext::new(&self.base_hash)
    }
}
