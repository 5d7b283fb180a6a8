//! Zero-knowledge proofs, all non-interactive over merlin transcripts.
