//! Fiat–Shamir transcripts.
//!
//! One extension trait, [`TranscriptExt`], on `merlin::Transcript`, and [`ProofContext`],
//! the prefix every proof transcript starts from. The discipline, for every proof:
//!
//! 1. the transcript label, then the protocol name and version ([`labels::PROTOCOL`]);
//! 2. the context the caller binds: the election's base hash, then the ballot id, contest
//!    and option (or trustee index...) the proof speaks of;
//! 3. the proof's domain separator, carrying its version and every size (`L`, `n`, `m`);
//! 4. the whole statement: every public point the proof speaks of;
//! 5. only then the prover's commitments, and the challenge.
//!
//! A proof made under one context therefore never verifies under another: it cannot be
//! copied to another ballot, contest or option.
//!
//! [`labels::PROTOCOL`]: crate::labels::PROTOCOL

use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

use crate::group::Point;
use crate::labels;

/// Extension methods on `merlin::Transcript` used by every proof.
pub trait TranscriptExt {
    /// A proof's domain separator with its version-carrying label and its sizes.
    fn proof_domain(&mut self, label: &'static [u8], sizes: &[u64]);
    /// Appends a point's canonical encoding.
    fn append_point(&mut self, label: &'static [u8], point: &Point);
    /// Appends a scalar's canonical encoding.
    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar);
    /// Derives a challenge scalar from 64 bytes of transcript output (uniform mod ℓ).
    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar;
}

impl TranscriptExt for Transcript {
    fn proof_domain(&mut self, label: &'static [u8], sizes: &[u64]) {
        self.append_message(labels::DOMAIN_SEPARATOR, label);
        self.append_u64(labels::SIZE, sizes.len() as u64);
        for s in sizes {
            self.append_u64(labels::SIZE, *s);
        }
    }

    fn append_point(&mut self, label: &'static [u8], point: &Point) {
        self.append_message(label, point.as_bytes());
    }

    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar) {
        self.append_message(label, scalar.as_bytes());
    }

    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar {
        let mut buf = [0u8; 64];
        self.challenge_bytes(label, &mut buf);
        Scalar::from_bytes_mod_order_wide(&buf)
    }
}

/// The context a proof is bound to: a transcript prefix holding the protocol version and
/// whatever the caller binds (base hash, ballot id, contest, option...).
///
/// Cheap to clone; each proof starts from a clone of it.
#[derive(Clone)]
pub struct ProofContext {
    transcript: Transcript,
}

impl ProofContext {
    /// A context bound to the protocol version and `domain` (e.g. an election base hash).
    pub fn new(domain: &[u8]) -> Self {
        let mut transcript = Transcript::new(labels::TRANSCRIPT);
        transcript.append_message(labels::PROTOCOL_FIELD, labels::PROTOCOL);
        transcript.append_message(labels::CONTEXT, domain);
        Self { transcript }
    }

    /// Binds a further labelled value (ballot id, contest index...).
    #[must_use]
    pub fn bind(mut self, label: &'static [u8], value: &[u8]) -> Self {
        self.transcript.append_message(label, value);
        self
    }

    /// Binds a further labelled integer.
    #[must_use]
    pub fn bind_u64(mut self, label: &'static [u8], value: u64) -> Self {
        self.transcript.append_u64(label, value);
        self
    }

    /// A fresh transcript starting from this context.
    pub fn transcript(&self) -> Transcript {
        self.transcript.clone()
    }

    /// 32 bytes of challenge output derived from this context under `label`; lets
    /// callers test that two contexts differ without making a proof.
    pub fn fingerprint(&self, label: &'static [u8]) -> [u8; 32] {
        let mut t = self.transcript.clone();
        let mut out = [0u8; 32];
        t.challenge_bytes(label, &mut out);
        out
    }
}

impl core::fmt::Debug for ProofContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ProofContext({})",
            crate::hex::Hex(&self.fingerprint(b"debug"))
        )
    }
}
