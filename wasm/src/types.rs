//! TypeScript declarations of the plain objects the API takes and returns. Field
//! names of objects that are core JSON documents (manifest, opening, report) are the
//! core's JSON names (snake_case), so the same document reads the same in every
//! language; objects made by this binding use camelCase.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/**
 * What every function of this package throws: an `Error` with `name`
 * `"OstraconError"`, the core's stable machine-readable `code` (e.g.
 * `"selection.invalid"`, `"ballot.proof"`, `"decode.truncated"`, `"input.invalid"`) and
 * its message (naming the ballot, contest and option). `ballot`, `contest` and `option`
 * repeat where the problem is, when the core says it.
 */
export interface OstraconError extends Error {
  name: "OstraconError";
  code: string;
  ballot?: string;
  contest?: string;
  option?: string;
}

/**
 * A voter's choices, per contest id. A contest left out is an abstention.
 * - approval, cumulative, score: one value per option, in manifest order;
 * - ranked: the ranking, as option indices, most preferred first (e.g. `[2, 0]`);
 * - write-in: the UTF-8 bytes of the text (`Array.from(new TextEncoder().encode(text))`).
 */
export type Plaintext = Record<string, number[]>;

/** How a contest may be filled (the core's `VoteRule`). */
export type VoteRule =
  | { type: "approval"; min: number; max: number }
  | { type: "cumulative"; per_option: number; min: number; max: number }
  | { type: "score"; max: number }
  | { type: "ranked"; seats: number }
  | { type: "write_in"; max_len: number };

/** An option of a contest. */
export interface ContestOption { id: string; label: string }

/** A contest (a question on the ballot). */
export interface Contest { id: string; title: string; options: ContestOption[]; rule: VoteRule }

/** The election manifest (the core's JSON). */
export interface Manifest { election_id: string; title: string; contests: Contest[] }

/** A challenged ballot's opening (the core's JSON): master nonce (hex) and values per contest in manifest order. */
export interface BallotOpeningJson { master_nonce: string; selections: number[][] }

/** A ballot that validated: its id and tracking code (human form and full hex). */
export interface BallotCheck { ballotId: string; trackingCode: string; trackingCodeHex: string }

/** A challenge that verified: the ballot and the choices its opening reveals. */
export interface ChallengeCheck extends BallotCheck { choices: Plaintext }

/** What `cast()` returns for the ballot box. `signature` (hex) signs the tracking code as `voter`. */
export interface CastSubmission extends BallotCheck { ballot: Uint8Array; voter?: string; signature?: string }

/** Where a booth ballot is in its life. */
export type BallotState = "pending" | "challenged" | "cast";

/** One numbered check of the universal verifier. */
export interface VerifierCheck { id: number; name: string }

/** One decrypted ranked or write-in ballot. */
export type MixedBallot = { ranking: number[] } | { text: string } | { invalid: string };

/** What a round of an instant-runoff or STV count decided. */
export type RoundAction =
  | { type: "elected"; options: number[] }
  | { type: "surplus"; option: number }
  | { type: "eliminated"; option: number }
  | { type: "no_winner" };

/** One round: votes per option index (whole ballots for IRV, millionths for STV). */
export interface Round { tallies: number[]; exhausted: number; action: RoundAction }

/** An instant-runoff (one seat) or STV count. */
export interface Count {
  seats: number; ballots: number; blank: number; quota: number;
  elected: number[]; rounds: Round[]; lost: number;
}

/** A ranked or write-in contest's result: the decrypted ballots (sorted) and their count or texts. */
export interface MixnetResult { contest: string; ballots: MixedBallot[]; count?: Count; texts?: [string, number][] }

/**
 * The decrypted results (the core's JSON): per contest, `[optionId, total]` pairs (empty
 * for ranked and write-in contests), and the ranked and write-in results in `mixnet`.
 */
export interface Results {
  contests: { contest: string; counts: [string, number][] }[];
  mixnet?: MixnetResult[];
}

/** The universal verifier's report (the core's JSON, plus `ok` and `summary`). */
export interface VerificationReport {
  /** Whether every check passed. */
  ok: boolean;
  /** Human summary: one line per check, then the failures. */
  summary: string;
  /** Per check number: passes and failures. */
  checks: Record<string, { passed: number; failed: number }>;
  failures: { check: number; object: string; reason: string }[];
  counts: { entries: number; cast: number; challenged: number; superseded: number; counted: number };
  base_hash: string | null;
  results: Results | null;
}
"#;
