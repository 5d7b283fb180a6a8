//! The universal verifier: numbered checks over an election record.
//!
//! The checks are listed in [`CHECKS`] and documented in `docs/verifier.md`. The
//! verifier never stops at the first failure: it runs every check it can and reports
//! each failure with its check number, the object concerned (ballot id, contest,
//! option, trustee, record position) and the reason, in a machine-readable [`Report`].
//!
//! # Streaming, sharding, memory
//! A record is verified item by item ([`Verifier::feed`]); board entries are buffered
//! in chunks whose proofs are batch-verified together (in parallel under `std`). What
//! is kept across chunks is small: the set of ballot ids and tracking codes, each
//! voter's latest position, and the running aggregate.
//!
//! Counting a voter's *latest* ballot only needs to know, when a ballot is aggregated,
//! whether a later one of the same voter exists. [`Prepass`] computes each voter's
//! latest position in one cheap pass over the entries (no cryptography); the verifier
//! then aggregates exactly the counted ballots.
//!
//! To verify a slice of the board elsewhere, [`Verifier::shard`] verifies entries
//! `[start, end)` and returns a [`Partial`] (checks passed, failures, partial
//! aggregate, chain segment, ids and codes seen). Partials [`Partial::merge`]
//! associatively; the merged partial is then [`Verifier::finish_with`]ed against the
//! record's tail (board summary, tally, decryptions, results).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};

use crate::ballot::{verify_opening, TrackingCode};
use crate::board::{self, BoardEntry, EntryKind, VoterRegistry};
use crate::dlog::DlogTable;
use crate::election::{ceremony_context, Election, Parameters};
use crate::error::BallotErrorKind;
use crate::keyceremony::PublicCeremony;
use crate::mixnet::{MixError, MixList, MixStep, MixnetResult, ShuffleGenerators};
use crate::record::{BoardSummary, Header, RecordItem, RECORD_VERSION};
use crate::registry::RegistryAttestation;
use crate::tally::{EncryptedTally, Results, TallyAccumulator};
use crate::threshold::{self, PartialDecryption, ThresholdError};

/// A numbered check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckInfo {
    /// Check number.
    pub id: u16,
    /// Short name.
    pub name: &'static str,
}

macro_rules! checks {
    ($($konst:ident = $id:literal, $name:literal;)*) => {
        $(
            #[doc = $name]
            pub const $konst: u16 = $id;
        )*
        /// Every check, in order.
        pub const CHECKS: &[CheckInfo] = &[$(CheckInfo { id: $id, name: $name }),*];
    };
}

checks! {
    RECORD_STRUCTURE = 1, "record structure: items present, in order, supported version";
    MANIFEST = 2, "manifest and parameters are valid";
    CEREMONY_CONTEXT = 3, "key ceremony is bound to this manifest and these parameters";
    CEREMONY_PROOFS = 4, "every trustee commitment has a valid Schnorr proof";
    JOINT_KEY = 5, "joint key is the sum of the trustees' constant commitments";
    VOTER_REGISTRY = 6, "voter registry is well formed and the one the election commits (none, its fixed fingerprint, or attested by t trustees)";
    POSITIONS = 7, "board positions are consecutive from 0";
    BALLOT_IDS = 8, "ballot ids are unique";
    TRACKING_CODES = 9, "tracking codes are the hash of their ballot and unique";
    BALLOT_SHAPE = 10, "ballot belongs to this election and matches the manifest";
    BALLOT_PROOFS = 11, "every ballot proof verifies";
    BOARD_CHAIN = 12, "board hash chain links every entry from the genesis head";
    VOTER_SIGNATURES = 13, "cast ballots come from registered voters with valid signatures";
    WEIGHTS = 14, "recorded weights match the registry";
    CHALLENGES = 15, "challenged ballots re-encrypt from their openings and are not counted";
    BOARD_SUMMARY = 16, "board summary matches the last entry";
    TALLY = 17, "encrypted tally is the weighted sum of exactly the counted ballots";
    PARTIAL_DECRYPTIONS = 18, "every partial decryption proof verifies";
    COMBINATION = 19, "at least t trustees decrypted; Lagrange combination yields the tally";
    RESULTS = 20, "results equal the decrypted tally and match the manifest";
    MIX_CHAIN = 21, "every shuffle of a ranked or write-in contest verifies and is signed by the trustee it names, chained from the counted ballots' rows, by at least the election's number of distinct trustees";
    MIX_DECRYPTION = 22, "partial decryptions of each mixed list verify; t of them decrypt every row";
    MIX_RESULTS = 23, "decrypted ranked and write-in ballots and their count equal the results";
}

/// Name of a check.
pub fn check_name(id: u16) -> &'static str {
    CHECKS
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name)
        .unwrap_or("unknown check")
}

/// One failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Check number.
    pub check: u16,
    /// The object concerned, e.g. `ballot b-17, contest mayor, option alice`.
    pub object: String,
    /// What is wrong.
    pub reason: String,
}

/// How often a check ran and failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckCount {
    /// Times it passed.
    pub passed: u64,
    /// Times it failed.
    pub failed: u64,
}

/// Counts of board entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Entries on the board.
    pub entries: u64,
    /// Cast ballots.
    pub cast: u64,
    /// Challenged ballots.
    pub challenged: u64,
    /// Cast ballots superseded by a later ballot of the same voter.
    pub superseded: u64,
    /// Ballots counted in the tally.
    pub counted: u64,
}

/// The verifier's report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Per check number: passes and failures.
    pub checks: BTreeMap<u16, CheckCount>,
    /// Every failure.
    pub failures: Vec<Failure>,
    /// Entry counts.
    pub counts: Counts,
    /// The election's base hash, hex (when the header could be read).
    pub base_hash: Option<String>,
    /// The voter registry's fingerprint, hex ([`crate::record::Voters::fingerprint`];
    /// `None`: the record has no registry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// The verified results (when decryption could be checked).
    pub results: Option<Results>,
}

impl Report {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// The stable code of a record that was read but failed checks.
    pub const CHECK_FAILED: &'static str = "record.check_failed";

    /// `None` when every check passed, else `Some("record.check_failed")`
    /// ([`Report::failed_checks`] says which).
    pub fn code(&self) -> Option<&'static str> {
        (!self.is_ok()).then_some(Self::CHECK_FAILED)
    }

    fn pass(&mut self, check: u16) {
        self.checks.entry(check).or_default().passed += 1;
    }

    fn fail(&mut self, check: u16, object: impl Into<String>, reason: impl Into<String>) {
        self.checks.entry(check).or_default().failed += 1;
        self.failures.push(Failure {
            check,
            object: object.into(),
            reason: reason.into(),
        });
    }

    fn check(
        &mut self,
        check: u16,
        ok: bool,
        object: impl Into<String>,
        reason: impl Into<String>,
    ) {
        if ok {
            self.pass(check)
        } else {
            self.fail(check, object, reason)
        }
    }

    /// Merges another report's checks and failures into this one.
    pub fn absorb(&mut self, other: Report) {
        for (k, v) in other.checks {
            let e = self.checks.entry(k).or_default();
            e.passed += v.passed;
            e.failed += v.failed;
        }
        self.failures.extend(other.failures);
        self.counts.entries += other.counts.entries;
        self.counts.cast += other.counts.cast;
        self.counts.challenged += other.counts.challenged;
        self.counts.superseded += other.counts.superseded;
        self.counts.counted += other.counts.counted;
    }

    /// The failed check numbers, sorted and deduplicated.
    pub fn failed_checks(&self) -> Vec<u16> {
        let s: BTreeSet<u16> = self.failures.iter().map(|f| f.check).collect();
        s.into_iter().collect()
    }

    /// A human summary: one line per check, then the failures.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for c in CHECKS {
            let cc = self.checks.get(&c.id).copied().unwrap_or_default();
            let status = if cc.failed > 0 {
                "FAILED"
            } else if cc.passed > 0 {
                "passed"
            } else {
                "not run"
            };
            s.push_str(&format!(
                "{:>3}  {:<7} {:>9} ok {:>6} bad  {}\n",
                c.id, status, cc.passed, cc.failed, c.name
            ));
        }
        let c = self.counts;
        s.push_str(&format!(
            "entries {}: {} cast ({} superseded, {} counted), {} challenged\n",
            c.entries, c.cast, c.superseded, c.counted, c.challenged
        ));
        if let Some(b) = &self.base_hash {
            s.push_str(&format!("base hash {b}\n"));
        }
        s.push_str(&format!(
            "registry  {}\n",
            self.registry
                .as_deref()
                .unwrap_or("none (anyone may cast, weight 1)")
        ));
        for f in self.failures.iter().take(200) {
            s.push_str(&format!(
                "check {} failed: {}: {}\n",
                f.check, f.object, f.reason
            ));
        }
        if self.failures.len() > 200 {
            s.push_str(&format!(
                "... and {} more failures\n",
                self.failures.len() - 200
            ));
        }
        s.push_str(if self.is_ok() {
            "VALID: every check passed\n"
        } else {
            "INVALID\n"
        });
        s
    }
}

/// What a cheap first pass over the entries learns: each voter's latest cast position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepass {
    latest: BTreeMap<String, u64>,
}

impl Prepass {
    /// An empty prepass.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes one entry.
    pub fn note(&mut self, entry: &BoardEntry) {
        if let EntryKind::Cast { voter: Some(v), .. } = &entry.kind {
            self.note_cast(entry.position, v);
        }
    }

    /// Notes a cast ballot of `voter` at `position`.
    pub fn note_cast(&mut self, position: u64, voter: &str) {
        match self.latest.get_mut(voter) {
            Some(p) => *p = (*p).max(position),
            None => {
                self.latest.insert(voter.into(), position);
            }
        }
    }

    /// Merges another prepass (of other entries).
    pub fn merge(&mut self, other: &Prepass) {
        for (v, p) in &other.latest {
            let e = self.latest.entry(v.clone()).or_insert(*p);
            if *p > *e {
                *e = *p;
            }
        }
    }

    /// Whether `entry` is counted: a cast ballot that is its voter's latest (or has no
    /// voter id). Challenged ballots never are.
    pub fn is_counted(&self, entry: &BoardEntry) -> bool {
        match &entry.kind {
            EntryKind::Challenged { .. } => false,
            EntryKind::Cast { voter: None, .. } => true,
            EntryKind::Cast { voter: Some(v), .. } => self.latest.get(v) == Some(&entry.position),
        }
    }
}

/// A segment of the board chain as seen by a shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSegment {
    /// Position of the first entry.
    pub first: u64,
    /// The link data of the first entry, checked against the previous segment on merge.
    first_link: ([u8; 32], Vec<u8>, [u8; 32]),
    /// Position and recorded head of the last entry.
    pub last: (u64, [u8; 32]),
}

/// The result of verifying a slice of the board: mergeable.
#[derive(Clone, Debug)]
pub struct Partial {
    /// Checks and failures so far.
    pub report: Report,
    /// Aggregate of the counted ballots seen.
    pub tally: TallyAccumulator,
    /// Chain segments (one after merging contiguous shards).
    pub segments: Vec<ChainSegment>,
    ids: BTreeMap<String, u64>,
    codes: BTreeMap<TrackingCode, u64>,
    /// Counted ballots' rows of the ranked and write-in contests, by board position:
    /// the 64-byte ciphertexts of every such contest, in manifest order.
    rows: BTreeMap<u64, Vec<u8>>,
}

impl Partial {
    /// Encodes the partial result to ship it between processes (e.g. cluster workers).
    ///
    /// `report (u32 len ‖ JSON) ‖ aggregate (u32 len ‖ bytes) ‖ segments ‖ ids ‖ codes`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let put = |out: &mut Vec<u8>, b: &[u8]| {
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b);
        };
        put(
            &mut out,
            serde_json::to_string(&self.report)
                .unwrap_or_default()
                .as_bytes(),
        );
        put(&mut out, &self.tally.to_bytes());
        out.extend_from_slice(&(self.segments.len() as u32).to_le_bytes());
        for s in &self.segments {
            out.extend_from_slice(&s.first.to_le_bytes());
            out.extend_from_slice(&s.first_link.0);
            put(&mut out, &s.first_link.1);
            out.extend_from_slice(&s.first_link.2);
            out.extend_from_slice(&s.last.0.to_le_bytes());
            out.extend_from_slice(&s.last.1);
        }
        out.extend_from_slice(&(self.ids.len() as u32).to_le_bytes());
        for (id, p) in &self.ids {
            put(&mut out, id.as_bytes());
            out.extend_from_slice(&p.to_le_bytes());
        }
        out.extend_from_slice(&(self.codes.len() as u32).to_le_bytes());
        for (c, p) in &self.codes {
            out.extend_from_slice(&c.0);
            out.extend_from_slice(&p.to_le_bytes());
        }
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        for (p, row) in &self.rows {
            out.extend_from_slice(&p.to_le_bytes());
            put(&mut out, row);
        }
        out
    }

    /// Decodes [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::error::DecodeError> {
        use crate::error::{DecodeError, DecodeErrorKind};
        const WHAT: &str = "partial verification result";
        let bad = DecodeError::new(WHAT, DecodeErrorKind::InvalidValue);
        let mut r = crate::group::Reader::new(bytes, WHAT);
        fn get<'a>(r: &mut crate::group::Reader<'a>) -> Result<&'a [u8], DecodeError> {
            let n = r.u32()? as usize;
            r.take(n)
        }
        let report: Report = serde_json::from_slice(get(&mut r)?).map_err(|_| bad)?;
        let tally = TallyAccumulator::from_bytes(get(&mut r)?)?;
        let n = r.u32()? as usize;
        let mut segments = Vec::with_capacity(n.min(r.remaining() / 100));
        for _ in 0..n {
            let first = r.u64()?;
            let code = r.array::<32>()?;
            let kind = get(&mut r)?.to_vec();
            let head = r.array::<32>()?;
            let last = (r.u64()?, r.array::<32>()?);
            segments.push(ChainSegment {
                first,
                first_link: (code, kind, head),
                last,
            });
        }
        let n = r.u32()? as usize;
        let mut ids = BTreeMap::new();
        for _ in 0..n {
            let id = String::from_utf8(get(&mut r)?.to_vec()).map_err(|_| bad)?;
            ids.insert(id, r.u64()?);
        }
        let n = r.u32()? as usize;
        let mut codes = BTreeMap::new();
        for _ in 0..n {
            let c = TrackingCode(r.array()?);
            codes.insert(c, r.u64()?);
        }
        let n = r.u32()? as usize;
        let mut rows = BTreeMap::new();
        for _ in 0..n {
            let p = r.u64()?;
            rows.insert(p, get(&mut r)?.to_vec());
        }
        r.finish()?;
        Ok(Self {
            report,
            tally,
            segments,
            ids,
            codes,
            rows,
        })
    }

    fn new(election: &Election) -> Self {
        Self {
            report: Report::default(),
            tally: TallyAccumulator::new(election),
            segments: Vec::new(),
            ids: BTreeMap::new(),
            codes: BTreeMap::new(),
            rows: BTreeMap::new(),
        }
    }

    /// Merges the partial of another (disjoint) slice of the board into this one.
    /// Associative and commutative: shards may be merged in any grouping and order.
    pub fn merge(&mut self, other: Partial) {
        self.report.absorb(other.report);
        if self.tally.merge(&other.tally).is_err() {
            self.report.fail(
                RECORD_STRUCTURE,
                "shards",
                "partial results of different elections",
            );
        }
        for (id, pos) in other.ids {
            if let Some(p) = self.ids.insert(id.clone(), pos) {
                let (a, b) = (p.min(pos), p.max(pos));
                self.ids.insert(id.clone(), a);
                self.report.fail(
                    BALLOT_IDS,
                    format!("ballot {id}"),
                    format!("appears at positions {a} and {b}"),
                );
            }
        }
        for (code, pos) in other.codes {
            if let Some(p) = self.codes.insert(code, pos) {
                let (a, b) = (p.min(pos), p.max(pos));
                self.codes.insert(code, a);
                self.report.fail(
                    TRACKING_CODES,
                    format!("tracking code {code}"),
                    format!("appears at positions {a} and {b}"),
                );
            }
        }
        self.rows.extend(other.rows);
        self.segments.extend(other.segments);
        self.segments.sort_by_key(|s| s.first);
        // Join contiguous segments, checking the link between them.
        let mut joined: Vec<ChainSegment> = Vec::with_capacity(self.segments.len());
        for seg in self.segments.drain(..) {
            match joined.last_mut() {
                Some(prev) if prev.last.0 + 1 == seg.first => {
                    // The first entry of `seg` follows the previous run directly: its
                    // position and link are checked here, as within a run.
                    self.report.pass(POSITIONS);
                    let (code, kind, head) = &seg.first_link;
                    let expect = chain_link(&prev.last.1, seg.first, code, kind);
                    if &expect != head {
                        self.report.fail(
                            BOARD_CHAIN,
                            format!("board entry {}", seg.first),
                            "head does not chain from the previous entry",
                        );
                    } else {
                        self.report.pass(BOARD_CHAIN);
                    }
                    prev.last = seg.last;
                }
                _ => joined.push(seg),
            }
        }
        self.segments = joined;
    }
}

fn chain_link(prev: &[u8; 32], position: u64, code: &[u8; 32], kind_bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(crate::labels::BOARD_ENTRY);
    h.update(prev);
    h.update(position.to_le_bytes());
    h.update(code);
    h.update(kind_bytes);
    h.finalize().into()
}

/// Entries buffered before their proofs are verified together.
pub const CHUNK: usize = 1024;

/// The streaming verifier.
pub struct Verifier {
    election: Option<Election>,
    ceremony: Option<PublicCeremony>,
    registry: Option<VoterRegistry>,
    registry_fingerprint: Option<[u8; 32]>,
    attestations: Vec<RegistryAttestation>,
    prepass: Option<Prepass>,
    partial: Option<Partial>,
    pending: Vec<BoardEntry>,
    chunk_index: u64,
    last_stage: Option<u8>,
    board: Option<BoardSummary>,
    tally: Option<EncryptedTally>,
    decryptions: Vec<PartialDecryption>,
    mixes: Vec<(u32, MixStep)>,
    mix_decryptions: Vec<(u32, PartialDecryption)>,
    results: Option<Results>,
    report: Report,
    seed: [u8; 32],
    dlog: Option<DlogTable>,
}

fn obj_ballot(e: &BoardEntry) -> String {
    format!("ballot {} (entry {})", e.ballot.ballot_id, e.position)
}

impl Verifier {
    /// A verifier for a whole record. `prepass` gives each voter's latest position (from
    /// a first pass over the entries); without it, revoting is checked from the record
    /// order alone, which requires keeping every voter's last ballot: pass one.
    pub fn new(prepass: Prepass, rng: &mut impl CryptoRngCore) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self {
            election: None,
            ceremony: None,
            registry: None,
            registry_fingerprint: None,
            attestations: Vec::new(),
            prepass: Some(prepass),
            partial: None,
            pending: Vec::new(),
            chunk_index: 0,
            last_stage: None,
            board: None,
            tally: None,
            decryptions: Vec::new(),
            mixes: Vec::new(),
            mix_decryptions: Vec::new(),
            results: None,
            report: Report::default(),
            seed,
            dlog: None,
        }
    }

    /// Uses a prepared discrete-log table (default: 2¹⁶ baby steps, built on demand).
    pub fn with_dlog_table(mut self, table: DlogTable) -> Self {
        self.dlog = Some(table);
        self
    }

    /// The voter registry, once read.
    pub fn registry(&self) -> Option<&VoterRegistry> {
        self.registry.as_ref()
    }

    /// The election, once the header was read and checked.
    pub fn election(&self) -> Option<&Election> {
        self.election.as_ref()
    }

    fn rng(&mut self) -> rand_chacha::ChaCha20Rng {
        use rand_core::SeedableRng;
        let mut r = rand_chacha::ChaCha20Rng::from_seed(self.seed);
        self.seed[0] = self.seed[0].wrapping_add(1);
        r.set_stream(u64::MAX);
        r
    }

    fn order(&mut self, stage: u8, what: &str) {
        let repeatable = matches!(stage, 2 | 3 | 6);
        match self.last_stage {
            None if stage != 0 => self.report.fail(
                RECORD_STRUCTURE,
                format!("record item '{what}'"),
                "the record does not start with a header",
            ),
            Some(l) if stage < l || (stage == l && !repeatable) => self.report.fail(
                RECORD_STRUCTURE,
                format!("record item '{what}'"),
                "out of order or repeated",
            ),
            _ => {}
        }
        self.last_stage = Some(self.last_stage.map_or(stage, |l| l.max(stage)));
    }

    /// Feeds the next record item.
    pub fn feed(&mut self, item: RecordItem) {
        match item {
            RecordItem::Header(h) => {
                self.order(0, "header");
                if self.election.is_none() {
                    self.header(h);
                }
            }
            RecordItem::Voters(v) => {
                self.order(1, "voters");
                let fingerprint = v.fingerprint();
                self.report.registry = Some(crate::hex::encode(&fingerprint));
                self.registry_fingerprint = Some(fingerprint);
                match v.to_registry() {
                    Ok(r) => self.registry = Some(r),
                    Err(e) => self
                        .report
                        .fail(VOTER_REGISTRY, "voter registry", e.to_string()),
                }
            }
            RecordItem::RegistryAttestation(a) => {
                self.order(2, "registry_attestation");
                self.attestations.push(a);
            }
            RecordItem::Entry(e) => {
                if self.last_stage != Some(3) {
                    self.order(3, "entry");
                }
                self.pending.push(e);
                if self.pending.len() >= CHUNK {
                    self.flush();
                }
            }
            RecordItem::Board(b) => {
                self.flush();
                self.order(4, "board");
                self.board = Some(b);
            }
            RecordItem::Tally(t) => {
                self.flush();
                self.order(5, "tally");
                self.tally = Some(t);
            }
            RecordItem::Decryption { partial: d } => {
                self.order(6, "decryption");
                self.decryptions.push(d);
            }
            // Decryptions, shuffles and mixnet decryptions may come in any order among
            // themselves (trustees shuffle and decrypt in turn), after the tally.
            RecordItem::Mix { contest, step } => {
                self.order(6, "mix");
                self.mixes.push((contest, step));
            }
            RecordItem::MixDecryption { contest, partial } => {
                self.order(6, "mix_decryption");
                self.mix_decryptions.push((contest, partial));
            }
            RecordItem::Results(r) => {
                self.order(9, "results");
                self.results = Some(r);
            }
        }
    }

    fn header(&mut self, h: Header) {
        if h.version != RECORD_VERSION {
            self.report.fail(
                RECORD_STRUCTURE,
                "header",
                format!("unsupported record version {}", h.version),
            );
            return;
        }
        self.report.pass(RECORD_STRUCTURE);
        let params: Parameters = h.parameters;
        if let Err(e) = h.manifest.validate().and_then(|_| params.validate()) {
            self.report.fail(MANIFEST, "manifest", e.to_string());
            return;
        }
        self.report.pass(MANIFEST);
        let cp = h.ceremony.params;
        let context = ceremony_context(&h.manifest, &params);
        if cp.n() != params.trustees || cp.t() != params.threshold || cp.context() != &context {
            self.report.fail(
                CEREMONY_CONTEXT,
                "key ceremony",
                "ceremony parameters or context do not match the manifest and parameters",
            );
            return;
        }
        self.report.pass(CEREMONY_CONTEXT);
        let mut rng = self.rng();
        let ceremony = match h.ceremony.verify(&mut rng) {
            Ok(c) => c,
            Err(e) => {
                self.report
                    .fail(CEREMONY_PROOFS, "key ceremony", e.to_string());
                return;
            }
        };
        self.report.pass(CEREMONY_PROOFS);
        let commitments: Vec<Vec<crate::group::Point>> = ceremony
            .announcements()
            .iter()
            .map(|a| a.commitments.clone())
            .collect();
        match Election::new(h.manifest, params, commitments) {
            Ok(e) => {
                self.report.check(
                    JOINT_KEY,
                    e.joint_key() == ceremony.joint_key(),
                    "joint key",
                    "differs from the sum of constant commitments",
                );
                self.report.base_hash = Some(crate::hex::encode(e.base_hash()));
                self.partial = Some(Partial::new(&e));
                self.election = Some(e);
                self.ceremony = Some(ceremony);
            }
            Err(e) => self.report.fail(JOINT_KEY, "election", e.to_string()),
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let entries = core::mem::take(&mut self.pending);
        let (Some(election), Some(partial)) = (self.election.as_ref(), self.partial.as_mut())
        else {
            self.report.fail(
                RECORD_STRUCTURE,
                "board entries",
                "no valid header before the entries: entries not verified",
            );
            return;
        };
        let mut rng = {
            use rand_core::SeedableRng;
            let mut r = rand_chacha::ChaCha20Rng::from_seed(self.seed);
            r.set_stream(self.chunk_index);
            r
        };
        self.chunk_index += 1;
        verify_entries(
            election,
            self.registry.as_ref(),
            self.prepass.as_ref(),
            &entries,
            partial,
            &mut rng,
        );
    }

    /// Verifies entries `[start, end)` of a board as one shard (see the module docs).
    /// `entries` must be exactly those entries; positions are checked.
    pub fn shard(
        election: &Election,
        registry: Option<&VoterRegistry>,
        prepass: &Prepass,
        entries: &[BoardEntry],
        rng: &mut impl CryptoRngCore,
    ) -> Partial {
        let mut partial = Partial::new(election);
        verify_entries(
            election,
            registry,
            Some(prepass),
            entries,
            &mut partial,
            rng,
        );
        partial
    }

    /// Finishes: checks the board summary, tally, decryptions and results.
    pub fn finish(mut self) -> Report {
        self.flush();
        let partial = self.partial.take();
        self.finish_with(partial)
    }

    /// Finishes with a partial merged from shards (instead of entries fed here).
    pub fn finish_with(mut self, partial: Option<Partial>) -> Report {
        let mut report = core::mem::take(&mut self.report);
        let Some(election) = self.election.take() else {
            report.fail(
                RECORD_STRUCTURE,
                "record",
                "no valid header: nothing could be verified",
            );
            return report;
        };
        // Check 6: the registry (or its absence) is the one the election commits.
        let committed = crate::registry::check_commitment(
            &election,
            self.registry_fingerprint.as_ref(),
            &self.attestations,
        )
        .and_then(|()| match &self.registry {
            Some(r) => crate::registry::check_keys(&election, r),
            None => Ok(()),
        });
        match committed {
            Ok(()) => report.pass(VOTER_REGISTRY),
            Err(e) => report.fail(VOTER_REGISTRY, "voter registry", e.to_string()),
        }
        let Some(mut partial) = partial else {
            report.fail(RECORD_STRUCTURE, "record", "no board entries were verified");
            return report;
        };
        // Chain from genesis across the segments: each must start where the previous
        // ended and link to its head.
        let mut prev: Option<(u64, [u8; 32])> = None;
        for seg in &partial.segments {
            let expected = prev.map_or(0, |p| p.0 + 1);
            let prev_head = prev.map_or_else(|| board::genesis(&election), |p| p.1);
            partial.report.check(
                POSITIONS,
                seg.first == expected,
                format!("board entry {}", seg.first),
                format!("expected position {expected}"),
            );
            let (code, kind, head) = &seg.first_link;
            let ok = &chain_link(&prev_head, seg.first, code, kind) == head;
            partial.report.check(
                BOARD_CHAIN,
                ok,
                format!("board entry {}", seg.first),
                "head does not chain from the previous entry",
            );
            prev = Some(seg.last);
        }
        let last = (
            prev.map(|p| p.0),
            prev.map_or_else(|| board::genesis(&election), |p| p.1),
        );
        let Partial {
            report: entry_report,
            tally: acc,
            rows,
            ..
        } = partial;
        report.absorb(entry_report);
        let mixed = self.verify_mixnet(&election, &rows, &mut report);
        drop(rows);
        let entries = report.counts.entries;
        match &self.board {
            None => report.fail(RECORD_STRUCTURE, "record", "board summary missing"),
            Some(b) => {
                let ok = b.count == entries && b.head == last.1;
                report.check(
                    BOARD_SUMMARY,
                    ok,
                    "board summary",
                    format!(
                        "records {} entries and a head that differ from the board ({} entries)",
                        b.count, entries
                    ),
                );
            }
        }
        let Some(tally) = self.tally.take() else {
            report.fail(RECORD_STRUCTURE, "record", "encrypted tally missing");
            return report;
        };
        let expected = acc.finish();
        let mut tally_ok = true;
        if tally.ballots != expected.ballots || tally.total_weight != expected.total_weight {
            tally_ok = false;
            report.fail(
                TALLY,
                "encrypted tally",
                format!(
                    "records {} ballots of total weight {}; the board counts {} of weight {}",
                    tally.ballots, tally.total_weight, expected.ballots, expected.total_weight
                ),
            );
        }
        let m = election.manifest();
        // Whether the tally has the manifest's shape: contests and options. Nothing after
        // the tally check reads a misshapen tally (its ciphertexts have no contest or
        // option to name, nor a bound to decrypt below).
        let shape_ok = tally.contests.len() == expected.contests.len()
            && tally
                .contests
                .iter()
                .zip(&expected.contests)
                .all(|(got, want)| got.len() == want.len());
        if tally.contests.len() != expected.contests.len() {
            tally_ok = false;
            report.fail(
                TALLY,
                "encrypted tally",
                format!(
                    "{} contests; the manifest has {}",
                    tally.contests.len(),
                    expected.contests.len()
                ),
            );
        } else {
            for ((got, want), c) in tally
                .contests
                .iter()
                .zip(&expected.contests)
                .zip(&m.contests)
            {
                if got.len() != want.len() {
                    tally_ok = false;
                    report.fail(
                        TALLY,
                        format!("contest {}", c.id),
                        format!("{} options; the manifest has {}", got.len(), want.len()),
                    );
                    continue;
                }
                for ((g, w), o) in got.iter().zip(want).zip(&c.options) {
                    if g != w {
                        tally_ok = false;
                        report.fail(
                            TALLY,
                            format!("contest {}, option {}", c.id, o.id),
                            "differs from the aggregate of the counted ballots",
                        );
                    }
                }
            }
        }
        if tally_ok {
            report.pass(TALLY);
        }
        if !shape_ok {
            return report;
        }
        // Partial decryptions.
        let Some(ceremony) = self.ceremony.take() else {
            return report;
        };
        let flat = tally.flat();
        let ctx = election.decryption_context();
        let mut good: Vec<PartialDecryption> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut rng = self.rng();
        for d in core::mem::take(&mut self.decryptions) {
            let who = format!("trustee {}", d.trustee);
            if !seen.insert(d.trustee) {
                report.fail(PARTIAL_DECRYPTIONS, who, "decrypted twice");
                continue;
            }
            let share = match ceremony.verification_share(d.trustee) {
                Ok(s) => s,
                Err(_) => {
                    report.fail(PARTIAL_DECRYPTIONS, who, "not a trustee of this election");
                    continue;
                }
            };
            match d.verify(&ctx, &share, &flat, &mut rng) {
                Ok(()) => {
                    report.pass(PARTIAL_DECRYPTIONS);
                    good.push(d);
                }
                Err(e) => report.fail(PARTIAL_DECRYPTIONS, who, e.to_string()),
            }
        }
        let t = election.parameters().threshold;
        let points = match threshold::combine(t, &flat, &good) {
            Ok(p) => {
                report.pass(COMBINATION);
                p
            }
            Err(e) => {
                report.fail(
                    COMBINATION,
                    "decryption",
                    format!(
                        "{e} ({} valid partial decryptions, threshold {t})",
                        good.len()
                    ),
                );
                return report;
            }
        };
        // Decrypted values.
        let table = self.dlog.take().unwrap_or_default();
        let values = match tally.recover(&election, &points, &table) {
            Ok(v) => v,
            Err((ci, oi, bound)) => {
                let contest = m.contests.get(ci);
                let option = contest.and_then(|c| c.options.get(oi));
                report.fail(
                    COMBINATION,
                    format!(
                        "contest {}, option {}",
                        contest.map_or("?", |c| c.id.as_str()),
                        option.map_or("?", |o| o.id.as_str())
                    ),
                    format!("decryption is not a count below {bound}"),
                );
                return report;
            }
        };
        let mut decrypted = Results::from_values(&election, &values);
        match &self.results {
            None => report.fail(RECORD_STRUCTURE, "record", "results missing"),
            Some(r) => {
                if r.contests == decrypted.contests {
                    report.pass(RESULTS);
                    if let Some(m) = mixed {
                        decrypted.mixnet = m;
                    }
                    report.results = Some(decrypted);
                } else {
                    for (got, want) in r.contests.iter().zip(&decrypted.contests) {
                        if got != want {
                            report.fail(
                                RESULTS,
                                format!("contest {}", want.contest),
                                "recorded result differs from the decrypted tally",
                            );
                        }
                    }
                    if r.contests.len() != decrypted.contests.len() {
                        report.fail(RESULTS, "results", "wrong number of contests");
                    }
                }
            }
        }
        report
    }
}

impl Verifier {
    /// Checks 21–23: the mix chain of every ranked or write-in contest from the counted
    /// ballots' rows, the partial decryptions of its final list, and the decoded ballots
    /// and count against the recorded results. Returns the verified mixnet results when
    /// every contest could be decrypted.
    fn verify_mixnet(
        &mut self,
        election: &Election,
        rows: &BTreeMap<u64, Vec<u8>>,
        report: &mut Report,
    ) -> Option<Vec<MixnetResult>> {
        let m = election.manifest();
        let mixnet: Vec<(usize, &crate::manifest::Contest)> = m
            .contests
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.rule.is_homomorphic())
            .collect();
        let mixes = core::mem::take(&mut self.mixes);
        let partials = core::mem::take(&mut self.mix_decryptions);
        let is_mixnet = |c: u32| mixnet.iter().any(|(i, _)| *i == c as usize);
        for (c, _) in &mixes {
            if !is_mixnet(*c) {
                report.fail(
                    RECORD_STRUCTURE,
                    format!("mix of contest #{c}"),
                    "not a ranked or write-in contest of the manifest",
                );
            }
        }
        for (c, p) in &partials {
            if !is_mixnet(*c) {
                report.fail(
                    RECORD_STRUCTURE,
                    format!("mix decryption of contest #{c} by trustee {}", p.trustee),
                    "not a ranked or write-in contest of the manifest",
                );
            }
        }
        if mixnet.is_empty() {
            return Some(Vec::new());
        }
        let ceremony = self.ceremony.as_ref()?;
        let recorded: Option<&Vec<MixnetResult>> = self.results.as_ref().map(|r| &r.mixnet);
        let total_width: usize = mixnet.iter().map(|(_, c)| c.width()).sum();
        let count = rows.len();
        let generators = ShuffleGenerators::derive(election.base_hash(), count);
        let t = election.parameters().threshold;
        let table = self.dlog.get_or_insert_with(DlogTable::default);
        let mut rng = {
            use rand_core::SeedableRng;
            let mut r = rand_chacha::ChaCha20Rng::from_seed(self.seed);
            r.set_stream(u64::MAX - 1);
            r
        };
        let mut chains: BTreeMap<u32, Vec<MixStep>> = BTreeMap::new();
        for (c, step) in mixes {
            chains.entry(c).or_default().push(step);
        }
        let mut out = Vec::with_capacity(mixnet.len());
        let mut offset = 0usize;
        let mut complete = true;
        // Rows of the wrong width (a shard's partial decoded from bytes) make every list
        // unreadable; checked once for all contests.
        let misshapen = blob_width_mismatch(rows, total_width);
        for (ci, contest) in mixnet {
            let w = contest.width();
            let obj = format!("contest {}", contest.id);
            // The board's rows of this contest, in board order.
            let mut input = Vec::with_capacity(count * w);
            let mut readable = true;
            for blob in rows.values() {
                let Some(bytes) = blob.get(64 * offset..64 * (offset + w)) else {
                    readable = false;
                    break;
                };
                for ct in bytes.chunks_exact(64) {
                    match crate::elgamal::Ciphertext::from_bytes(ct) {
                        Ok(c) => input.push(c),
                        Err(_) => readable = false,
                    }
                }
            }
            offset += w;
            if !readable || misshapen {
                report.fail(
                    MIX_CHAIN,
                    obj,
                    "the counted ballots' rows could not be read",
                );
                complete = false;
                continue;
            }
            let steps = chains.remove(&(ci as u32)).unwrap_or_default();
            if count > 0 && steps.is_empty() {
                report.fail(
                    MIX_CHAIN,
                    obj,
                    "no shuffle: decrypting the board's own rows would reveal how each voter voted",
                );
                complete = false;
                continue;
            }
            let mut list = match MixList::with_rows(ci as u32, w, input) {
                Ok(l) => l,
                Err(e) => {
                    report.fail(MIX_CHAIN, obj, e.to_string());
                    complete = false;
                    continue;
                }
            };
            let mut chained = true;
            for step in steps {
                match list.push_step(election, &generators, step, &mut rng) {
                    Ok(()) => report.pass(MIX_CHAIN),
                    Err(e) => {
                        report.fail(MIX_CHAIN, obj.clone(), e.to_string());
                        chained = false;
                        break;
                    }
                }
            }
            if !chained {
                complete = false;
                continue;
            }
            // Enough distinct trustees shuffled for the list to be anonymous unless the
            // election's threshold of trustees collude.
            match list.check_mixers(election.parameters().mixers()) {
                Ok(()) => report.pass(MIX_CHAIN),
                Err(e) => {
                    report.fail(MIX_CHAIN, obj, e.to_string());
                    complete = false;
                    continue;
                }
            }
            // Partial decryptions of the final list.
            let mut seen = BTreeSet::new();
            for (_, d) in partials.iter().filter(|(c, _)| *c as usize == ci) {
                let who = format!("contest {}, trustee {}", contest.id, d.trustee);
                if !seen.insert(d.trustee) {
                    report.fail(MIX_DECRYPTION, who, "decrypted twice");
                    continue;
                }
                match list.add_decryption(election, ceremony, d.clone(), &mut rng) {
                    Ok(()) => report.pass(MIX_DECRYPTION),
                    Err(MixError::Decryption(ThresholdError::UnknownTrustee { .. })) => {
                        report.fail(MIX_DECRYPTION, who, "not a trustee of this election")
                    }
                    Err(e) => report.fail(MIX_DECRYPTION, who, e.to_string()),
                }
            }
            let result = match list.result(election, table) {
                Ok(r) => r,
                Err(MixError::Decryption(e)) => {
                    report.fail(
                        MIX_DECRYPTION,
                        obj,
                        format!(
                            "{e} ({} valid partial decryptions, threshold {t})",
                            list.partials().len()
                        ),
                    );
                    complete = false;
                    continue;
                }
                Err(MixError::NotAValue { row, bound }) => {
                    report.fail(
                        MIX_DECRYPTION,
                        format!("{obj}, row {row}"),
                        format!("decryption is not a value below {bound}"),
                    );
                    complete = false;
                    continue;
                }
                Err(e) => {
                    report.fail(MIX_DECRYPTION, obj, e.to_string());
                    complete = false;
                    continue;
                }
            };
            report.pass(MIX_DECRYPTION);
            let claimed = recorded.and_then(|r| r.iter().find(|x| x.contest == contest.id));
            match claimed {
                None => report.fail(MIX_RESULTS, obj, "no recorded result for this contest"),
                Some(c) if c == &result => report.pass(MIX_RESULTS),
                Some(c) => {
                    let what = if c.ballots != result.ballots {
                        "recorded ballots differ from the decrypted list"
                    } else {
                        "recorded count differs from the count of the decrypted ballots"
                    };
                    report.fail(MIX_RESULTS, obj, what);
                }
            }
            out.push(result);
        }
        if let Some(r) = recorded {
            for x in r {
                if !out.iter().any(|o| o.contest == x.contest) && complete {
                    report.fail(
                        MIX_RESULTS,
                        format!("contest {}", x.contest),
                        "recorded, but not a ranked or write-in contest of the manifest",
                    );
                }
            }
        }
        complete.then_some(out)
    }
}

/// Whether some row blob has the wrong length (a ballot of the wrong shape).
fn blob_width_mismatch(rows: &BTreeMap<u64, Vec<u8>>, width: usize) -> bool {
    rows.values().any(|b| b.len() != 64 * width)
}

/// The encodings of a ballot's ranked and write-in contests' ciphertexts, in manifest
/// order; `None` when the election has none or the ballot does not have their widths
/// (a shape failure, reported elsewhere).
fn mixnet_row(election: &Election, ballot: &crate::ballot::EncryptedBallot) -> Option<Vec<u8>> {
    let mut row = Vec::new();
    let mut any = false;
    for (c, enc) in election.manifest().contests.iter().zip(&ballot.contests) {
        if c.rule.is_homomorphic() {
            continue;
        }
        any = true;
        if enc.selections.len() != c.width() {
            return None;
        }
        for ct in &enc.selections {
            row.extend_from_slice(&ct.to_bytes());
        }
    }
    any.then_some(row)
}

/// Verifies a run of consecutive entries into `partial`.
#[allow(clippy::too_many_arguments)]
fn verify_entries(
    election: &Election,
    registry: Option<&VoterRegistry>,
    prepass: Option<&Prepass>,
    entries: &[BoardEntry],
    partial: &mut Partial,
    rng: &mut impl CryptoRngCore,
) {
    let report = &mut partial.report;
    // Cheap, ordered checks: codes, ids, positions and chain within runs.
    let ballots: Vec<&crate::ballot::EncryptedBallot> = entries.iter().map(|e| &e.ballot).collect();
    let codes = crate::ballot::tracking_codes(&ballots);
    for (e, &code) in entries.iter().zip(&codes) {
        report.counts.entries += 1;
        if code != e.tracking_code {
            report.fail(
                TRACKING_CODES,
                obj_ballot(e),
                "recorded tracking code is not the hash of the ballot",
            );
        }
        match partial.codes.get(&code) {
            Some(p) => report.fail(
                TRACKING_CODES,
                obj_ballot(e),
                format!("tracking code already at position {p}"),
            ),
            None => {
                partial.codes.insert(code, e.position);
                if code == e.tracking_code {
                    report.pass(TRACKING_CODES);
                }
            }
        }
        match partial.ids.get(&e.ballot.ballot_id) {
            Some(p) => report.fail(
                BALLOT_IDS,
                obj_ballot(e),
                format!("ballot id already at position {p}"),
            ),
            None => {
                partial.ids.insert(e.ballot.ballot_id.clone(), e.position);
                report.pass(BALLOT_IDS);
            }
        }
        let kind = e.kind.to_bytes();
        match partial.segments.last_mut() {
            Some(seg) if seg.last.0.checked_add(1) == Some(e.position) => {
                report.pass(POSITIONS);
                let ok = chain_link(&seg.last.1, e.position, &e.tracking_code.0, &kind) == e.head;
                report.check(
                    BOARD_CHAIN,
                    ok,
                    obj_ballot(e),
                    "head does not chain from the previous entry",
                );
                seg.last = (e.position, e.head);
            }
            // A new run: its first link is checked when runs are joined.
            _ => partial.segments.push(ChainSegment {
                first: e.position,
                first_link: (e.tracking_code.0, kind, e.head),
                last: (e.position, e.head),
            }),
        }
    }
    // Proofs: all ballots of the chunk in one batch.
    let results = election.validate_with_codes(&ballots, &codes, rng);
    // Per-entry checks that need no order: shape, proofs, signatures, weights, openings.
    let per_entry = |(e, res): (&BoardEntry, &Result<TrackingCode, crate::BallotError>)| -> Report {
        let mut r = Report::default();
        match res {
            Ok(_) => {
                r.pass(BALLOT_SHAPE);
                r.pass(BALLOT_PROOFS);
            }
            Err(err) => {
                let check = match err.kind {
                    BallotErrorKind::Proof(_) => BALLOT_PROOFS,
                    _ => BALLOT_SHAPE,
                };
                let mut obj = obj_ballot(e);
                if let Some(c) = &err.contest {
                    obj.push_str(&format!(", contest {c}"));
                }
                if let Some(o) = &err.option {
                    obj.push_str(&format!(", option {o}"));
                }
                r.fail(check, obj, err.reason());
            }
        }
        match &e.kind {
            EntryKind::Cast {
                voter,
                weight,
                signature,
            } => {
                r.counts.cast += 1;
                match board::check_voter(
                    election,
                    registry,
                    &e.ballot.ballot_id,
                    &e.tracking_code,
                    voter.as_deref(),
                    signature.as_ref(),
                ) {
                    Ok(w) => {
                        r.pass(VOTER_SIGNATURES);
                        r.check(
                            WEIGHTS,
                            w == *weight,
                            obj_ballot(e),
                            format!("weight {weight} recorded; the registry says {w}"),
                        );
                    }
                    Err(err) => r.fail(VOTER_SIGNATURES, obj_ballot(e), err.reason()),
                }
            }
            EntryKind::Challenged { opening } => {
                r.counts.challenged += 1;
                match verify_opening(election, &e.ballot, opening) {
                    Ok(()) => r.pass(CHALLENGES),
                    Err(err) => r.fail(CHALLENGES, obj_ballot(e), err.reason()),
                }
            }
        }
        r
    };
    #[cfg(feature = "std")]
    let reports: Vec<Report> = {
        use rayon::prelude::*;
        entries
            .par_iter()
            .zip(results.par_iter())
            .map(per_entry)
            .collect()
    };
    #[cfg(not(feature = "std"))]
    let reports: Vec<Report> = entries.iter().zip(results.iter()).map(per_entry).collect();
    for r in reports {
        partial.report.absorb(r);
    }
    // Aggregate exactly the counted ballots.
    for e in entries {
        let counted = match prepass {
            Some(p) => p.is_counted(e),
            None => !matches!(e.kind, EntryKind::Challenged { .. }),
        };
        match &e.kind {
            EntryKind::Cast { weight, .. } if counted => {
                partial.report.counts.counted += 1;
                // A weight-0 ballot has no say in mixnet contests either: no row.
                if *weight > 0 {
                    if let Some(row) = mixnet_row(election, &e.ballot) {
                        partial.rows.insert(e.position, row);
                    }
                }
                if partial.tally.add(&e.ballot, *weight).is_err() {
                    // Shape errors are already reported under BALLOT_SHAPE.
                }
            }
            EntryKind::Cast { .. } => partial.report.counts.superseded += 1,
            EntryKind::Challenged { .. } => {}
        }
    }
}

/// Verifies a whole record held in memory (either encoding), in two passes like
/// [`io::verify_file`]. Errors only when the bytes are not a readable record (naming
/// where); every verification failure is in the report.
pub fn verify_bytes(
    bytes: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Report, crate::record::RecordError> {
    use crate::record::{Skim, SliceReader};
    let mut pre = Prepass::new();
    let mut skim = SliceReader::new(bytes)?;
    while let Some(s) = skim.next_skim()? {
        if let Skim::Entry {
            position,
            voter: Some(v),
        } = s
        {
            pre.note_cast(position, &v);
        }
    }
    let mut v = Verifier::new(pre, rng);
    let mut items = SliceReader::new(bytes)?;
    while let Some(item) = items.next_item()? {
        v.feed(item);
    }
    Ok(v.finish())
}

#[cfg(feature = "std")]
pub mod io {
    //! Verifying a record file (requires `std`): a cheap first pass learns each voter's
    //! latest ballot, the second verifies everything, streaming. The same in shards:
    //! [`verify_file_shard`] on each worker, [`Partial::merge`], then [`finish_file`].

    use std::path::Path;
    use std::string::ToString;
    use std::vec::Vec;

    use rand_core::CryptoRngCore;

    use super::{Partial, Prepass, Report, Verifier};
    use crate::record::io::{ReadError, RecordReader, Skim};
    use crate::record::RecordItem;

    fn prepass(path: &Path) -> Result<(Prepass, u64), ReadError> {
        let mut pre = Prepass::new();
        let mut total = 0u64;
        let mut skim = RecordReader::open(path)?;
        while let Some(s) = skim.next_skim()? {
            if let Skim::Entry { position, voter } = s {
                total += 1;
                if let Some(v) = voter {
                    pre.note_cast(position, &v);
                }
            }
        }
        Ok((pre, total))
    }

    /// Verifies shard `index` (from 0) of `count` of the record's board entries: the
    /// `index`-th contiguous run of ⌈entries / count⌉ entries.
    /// Every worker reads the header and skims the whole record (cheap); only its own
    /// entries are verified. Merge the partials with [`Partial::merge`] and finish with
    /// [`finish_file`].
    pub fn verify_file_shard(
        path: &Path,
        index: u64,
        count: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Partial, ReadError> {
        let (pre, total) = prepass(path)?;
        let count = count.max(1);
        let per = total.div_ceil(count).max(1);
        let (start, end) = (
            index.saturating_mul(per),
            index.saturating_add(1).saturating_mul(per),
        );
        let mut v = Verifier::new(pre.clone(), rng);
        let mut entries = Vec::new();
        let mut partial: Option<Partial> = None;
        let mut seen = 0u64;
        for item in RecordReader::open(path)? {
            match item? {
                RecordItem::Entry(e) => {
                    if (start..end).contains(&seen) {
                        entries.push(e);
                    }
                    seen += 1;
                    if entries.len() >= super::CHUNK {
                        shard_chunk(&v, &pre, &mut entries, &mut partial, rng);
                    }
                    if seen >= end {
                        break;
                    }
                }
                other @ (RecordItem::Header(_)
                | RecordItem::Voters(_)
                | RecordItem::RegistryAttestation(_)) => v.feed(other),
                _ => break,
            }
        }
        shard_chunk(&v, &pre, &mut entries, &mut partial, rng);
        match (partial, v.election()) {
            (Some(p), _) => Ok(p),
            (None, Some(e)) => Ok(Partial::new(e)),
            (None, None) => Err(ReadError::Corrupt {
                at: "byte 0".into(),
                reason: "no valid header".to_string(),
            }),
        }
    }

    fn shard_chunk(
        v: &Verifier,
        pre: &Prepass,
        entries: &mut Vec<crate::board::BoardEntry>,
        partial: &mut Option<Partial>,
        rng: &mut impl CryptoRngCore,
    ) {
        let Some(election) = v.election() else { return };
        if entries.is_empty() {
            return;
        }
        let p = Verifier::shard(election, v.registry(), pre, entries, rng);
        entries.clear();
        match partial {
            Some(acc) => acc.merge(p),
            None => *partial = Some(p),
        }
    }

    /// Finishes a sharded verification: reads the record's header and tail (board
    /// summary, tally, decryptions, results) and checks them against the merged partial.
    pub fn finish_file(
        path: &Path,
        partial: Partial,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Report, ReadError> {
        let mut v = Verifier::new(Prepass::new(), rng);
        for item in RecordReader::open(path)? {
            match item? {
                RecordItem::Entry(_) => {}
                other => v.feed(other),
            }
        }
        Ok(v.finish_with(Some(partial)))
    }

    /// Verifies the record at `path`. `progress(done, total)` is called as board entries
    /// are verified. Errors only when the file cannot be read at all or is corrupt
    /// (then naming the byte offset or line); every verification failure is in the report.
    pub fn verify_file(
        path: &Path,
        progress: &mut dyn FnMut(u64, u64),
        rng: &mut impl CryptoRngCore,
    ) -> Result<Report, ReadError> {
        let (pre, total) = prepass(path)?;
        let mut v = Verifier::new(pre, rng);
        let mut done = 0u64;
        progress(0, total);
        // Read sequentially, decode in parallel (decoding — hex, point decompression —
        // costs as much as verifying), feed in order.
        let mut reader = RecordReader::open(path)?;
        let mut raw = Vec::with_capacity(super::CHUNK);
        loop {
            raw.clear();
            while raw.len() < super::CHUNK {
                match reader.next_raw()? {
                    Some(r) => raw.push(r),
                    None => break,
                }
            }
            if raw.is_empty() {
                break;
            }
            let items: Vec<Result<RecordItem, ReadError>> = {
                use rayon::prelude::*;
                raw.par_drain(..).map(|r| r.decode()).collect()
            };
            for item in items {
                let item = item?;
                if matches!(item, RecordItem::Entry(_)) {
                    done += 1;
                }
                v.feed(item);
            }
            progress(done, total);
        }
        let report = v.finish();
        progress(total, total);
        Ok(report)
    }
}
