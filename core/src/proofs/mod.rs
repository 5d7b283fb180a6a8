//! Zero-knowledge proofs, all non-interactive over merlin transcripts.
//!
//! | proof | statement | used for |
//! |---|---|---|
//! | [`schnorr`] | knowledge of `log_P X` | trustee coefficient commitments |
//! | [`dleq`] | `log_{P₁} X₁ = log_{P₂} X₂` | partial decryptions |
//! | [`disjunctive`] | `(A, B)` encrypts a value in `0..=L` | selections, small totals |
//! | [`wellformed`] | knowledge of `(v, r)` for `(A, B)` | ties range proofs to `A` |
//! | [`range`] | `(A, B)` encrypt values in `[lo, hi]` | scores, large totals |
//!
//! Every proof is made under a [`ProofContext`](crate::transcript::ProofContext) that binds
//! it to its election, ballot, contest and option, and has a canonical byte encoding
//! (`to_bytes` / `from_bytes`, strict) and serde support (hex in JSON). Schnorr, DLEQ,
//! disjunctive and well-formedness proofs also verify in [`batch`]es.

pub mod batch;
pub mod disjunctive;
pub mod dleq;
pub mod range;
pub mod schnorr;
pub mod wellformed;

pub use disjunctive::DisjunctiveProof;
pub use dleq::{DleqProof, DleqStatement};
pub use range::RangeProof;
pub use schnorr::{Base, SchnorrProof};
pub use wellformed::WellFormedProof;
