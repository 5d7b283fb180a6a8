//! Every domain-separation label of the protocol, in one place.
//!
//! Labels carry the protocol version. Changing any of them changes every hash and every
//! proof: they are part of the wire format, pinned by the test vectors.

/// Protocol name and version, the first thing every transcript absorbs.
pub const PROTOCOL: &[u8] = b"ostracon/v1";

/// Hashed to the group to obtain the generator `H`.
pub const GENERATOR_H: &[u8] = b"ostracon/v1/generator/H";

/// Merlin transcript label of every proof transcript.
pub const TRANSCRIPT: &[u8] = b"ostracon/v1/transcript";

/// Domain separator of the Schnorr proof of knowledge of a discrete logarithm.
pub const SCHNORR: &[u8] = b"schnorr-pok v1";
/// Domain separator of the Chaum–Pedersen equality-of-discrete-logarithms proof.
pub const DLEQ: &[u8] = b"dleq v1";
/// Domain separator of the disjunctive (CDS) range proof over `0..=L`.
pub const DISJUNCTIVE: &[u8] = b"disjunctive v1";
/// Domain separator of the well-formedness proof (knowledge of plaintext and nonce).
pub const WELLFORMED: &[u8] = b"wellformed v1";
/// Domain separator of the bulletproofs range proof over `[a, b]`.
pub const RANGE: &[u8] = b"range v1";

/// Transcript field: a context label chosen by the caller (election, ballot, contest...).
pub const CONTEXT: &[u8] = b"ctx";
/// Transcript field: the base point(s) of a statement.
pub const BASE: &[u8] = b"base";
/// Transcript field: the public key `K`.
pub const KEY: &[u8] = b"K";
/// Transcript field: first component of a ciphertext.
pub const CT_A: &[u8] = b"ct.A";
/// Transcript field: second component of a ciphertext.
pub const CT_B: &[u8] = b"ct.B";
/// Transcript field: a public point whose discrete log is proved.
pub const PUBLIC: &[u8] = b"X";
/// Transcript field: a second public point (DLEQ).
pub const PUBLIC2: &[u8] = b"M";
/// Transcript field: a commitment of the prover.
pub const COMMIT: &[u8] = b"commit";
/// Transcript field: a challenge.
pub const CHALLENGE: &[u8] = b"c";
/// Transcript field: a count or size.
pub const SIZE: &[u8] = b"n";

/// Key ceremony: domain of every ceremony proof and derivation.
pub const CEREMONY: &[u8] = b"ostracon/v1/keyceremony";
/// Key ceremony: binds the trustee index a proof or share belongs to.
pub const TRUSTEE: &[u8] = b"trustee";
/// Key ceremony: binds the recipient of an encrypted share.
pub const RECIPIENT: &[u8] = b"recipient";
/// Key ceremony: binds a polynomial coefficient's index.
pub const COEFFICIENT: &[u8] = b"coefficient";
/// Key ceremony: proof of possession of a trustee's communication key.
pub const COMM_KEY: &[u8] = b"comm-key";
/// Key ceremony: HKDF salt/info for share-encryption keys.
pub const SHARE_KDF: &[u8] = b"ostracon/v1/keyceremony/share-aead";
/// Key ceremony: a complaint's proof that the revealed Diffie–Hellman secret is correct.
pub const COMPLAINT: &[u8] = b"complaint";
/// Threshold decryption: binds a partial decryption's proofs.
pub const PARTIAL_DECRYPTION: &[u8] = b"ostracon/v1/partial-decryption";

/// Hash prefix of the ceremony context.
pub const CEREMONY_CONTEXT: &[u8] = b"ostracon/v1/ceremony-context";
/// Hash prefix of the election base hash.
pub const BASE_HASH: &[u8] = b"ostracon/v1/base-hash";
/// Hash prefix of a ballot's tracking code.
pub const TRACKING_CODE: &[u8] = b"ostracon/v1/tracking-code";
/// Hash prefix of the derivation of a selection nonce from a ballot's master nonce.
pub const BALLOT_NONCE: &[u8] = b"ostracon/v1/ballot-nonce";
/// Hash prefix of the voter registry's fingerprint.
pub const REGISTRY: &[u8] = b"ostracon/v1/registry";
/// Proof context field: the registry fingerprint a trustee attests.
pub const REGISTRY_ATTESTATION: &[u8] = b"registry-attestation";
/// Hash prefix of the board's genesis head.
pub const BOARD_GENESIS: &[u8] = b"ostracon/v1/board/genesis";
/// Hash prefix of each board chain link.
pub const BOARD_ENTRY: &[u8] = b"ostracon/v1/board/entry";
/// Prefix of the message a voter signs (Ed25519) to cast a ballot.
pub const VOTER_SIGNATURE: &[u8] = b"ostracon/v1/voter-signature";
/// Proof context field: ballot id.
pub const BALLOT: &[u8] = b"ballot";
/// Proof context field: the tracking code a ballot chains from (empty for none).
pub const PREVIOUS_CODE: &[u8] = b"previous-code";
/// Proof context field: contest index.
pub const CONTEST: &[u8] = b"contest";
/// Proof context field: option index.
pub const OPTION: &[u8] = b"option";
/// Proof context field: the contest total (instead of an option).
pub const TOTAL: &[u8] = b"total";
/// Proof context field: the aggregated range proof over all options of a contest.
pub const ALL_OPTIONS: &[u8] = b"all";
/// Proof context field: the index of a ciphertext in a partial decryption.
pub const CIPHERTEXT: &[u8] = b"ciphertext";
/// Transcript field: the protocol name and version at the start of every context.
pub const PROTOCOL_FIELD: &[u8] = b"protocol";
/// Domain separator of the Terelius–Wikström proof of a shuffle.
pub const SHUFFLE: &[u8] = b"shuffle-tw v1";
/// Hash prefix of the shuffle proof's independent generators `U`, `Hᵢ`.
pub const SHUFFLE_GENERATORS: &[u8] = b"ostracon/v1/shuffle/generator";
/// Transcript field: digest of a shuffle's input rows.
pub const SHUFFLE_INPUT: &[u8] = b"shuffle.in";
/// Transcript field: digest of a shuffle's output rows.
pub const SHUFFLE_OUTPUT: &[u8] = b"shuffle.out";
/// Transcript field: digest of a shuffle proof's commitment chain.
pub const SHUFFLE_CHAIN: &[u8] = b"shuffle.chain";
/// Proof context field: the mixnet path of a contest.
pub const MIXNET: &[u8] = b"ostracon/v1/mixnet";
/// Proof context field: the position of a shuffle in its mix chain.
pub const MIX_STEP: &[u8] = b"mix-step";
/// Transcript field: a proof's domain separator.
pub const DOMAIN_SEPARATOR: &[u8] = b"dom-sep";
/// Domain separator of the derivation of single-verification weights.
pub const VERIFICATION_WEIGHTS: &[u8] = b"verification weights";
/// Transcript field: a statement point (verification weights).
pub const STATEMENT: &[u8] = b"stmt";
/// Transcript field: a proof's encoding (verification weights).
pub const PROOF: &[u8] = b"proof";
/// Transcript output: the seed of the verification weights.
pub const SEED: &[u8] = b"seed";
