//! Election objects: manifest, election, ballots, tracking codes, openings, voters,
//! the board, the tally and the results.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use ostracon::ballot::{
    self as core_ballot, BallotOpening as CoreOpening, EncryptedBallot as CoreBallot,
    PlaintextBallot, TrackingCode as CoreCode,
};
use ostracon::board::{self as core_board, EntryKind, Submission};
use ostracon::election::Election as CoreElection;
use ostracon::manifest::Manifest as CoreManifest;
use ostracon::record::{BoardSummary as CoreSummary, VoterRecord, Voters};
use ostracon::registry::RegistryAttestation as CoreAttestation;
use ostracon::tally::{
    EncryptedTally as CoreTally, Results as CoreResults, TallyAccumulator as CoreAccumulator,
};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::errors;
use crate::util::{self, bytes, hex, to_json, to_py};

/// Locks a mutex, recovering from a poisoned lock (the data are plain values).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

// ---------------------------------------------------------------------------------------
// Manifest
// ---------------------------------------------------------------------------------------

/// An election manifest: the contests, their options and vote rules.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct Manifest {
    pub inner: CoreManifest,
}

#[pymethods]
impl Manifest {
    /// Parses and validates a manifest's JSON.
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let b = util::text_bytes(text)?;
        let inner = CoreManifest::from_json(&b).map_err(errors::core)?;
        Ok(Self { inner })
    }

    /// The manifest as JSON.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The manifest as plain Python objects (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// Checks the structural rules; raises `ManifestError`.
    fn validate(&self) -> PyResult<()> {
        self.inner.validate().map_err(errors::core)
    }

    #[getter]
    fn election_id(&self) -> &str {
        &self.inner.election_id
    }

    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }

    /// The contests, in ballot order.
    #[getter]
    fn contests(&self) -> Vec<Contest> {
        self.inner
            .contests
            .iter()
            .map(|c| Contest { inner: c.clone() })
            .collect()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Manifest>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Manifest(election_id={:?}, title={:?}, contests={})",
            self.inner.election_id,
            self.inner.title,
            self.inner.contests.len()
        )
    }
}

/// A contest (a question on the ballot).
#[pyclass(module = "ostracon", frozen)]
pub struct Contest {
    inner: ostracon::manifest::Contest,
}

#[pymethods]
impl Contest {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }

    /// Option ids, in ballot order.
    #[getter]
    fn options(&self) -> Vec<String> {
        self.inner.options.iter().map(|o| o.id.clone()).collect()
    }

    /// Option labels by id, in ballot order.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for o in &self.inner.options {
            d.set_item(&o.id, &o.label)?;
        }
        Ok(d)
    }

    /// The vote rule, e.g. `{"type": "approval", "min": 1, "max": 1}`.
    #[getter]
    fn rule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.rule)
    }

    fn __repr__(&self) -> String {
        format!(
            "Contest(id={:?}, options={:?}, rule={})",
            self.inner.id,
            self.options(),
            serde_json::to_string(&self.inner.rule).unwrap_or_default()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Election
// ---------------------------------------------------------------------------------------

/// The public election: manifest, parameters and the key ceremony's commitments. The
/// joint key and the base hash are recomputed by the core, never trusted.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct Election {
    pub inner: Arc<CoreElection>,
}

impl Election {
    pub fn new(e: CoreElection) -> Self {
        Self { inner: Arc::new(e) }
    }

    /// Encrypts `selections` with `encrypt` (online or precomputed) with the GIL
    /// released.
    fn encrypt_with(
        &self,
        py: Python<'_>,
        selections: Selections,
        previous_code: Option<&TrackingCode>,
        encrypt: impl FnOnce(
                &CoreElection,
                &PlaintextBallot,
                Option<CoreCode>,
            ) -> Result<(CoreBallot, CoreOpening), ostracon::Error>
            + Send,
    ) -> PyResult<(EncryptedBallot, BallotOpening)> {
        let election = &*self.inner;
        let prev = previous_code.map(|c| c.inner);
        let plaintext = PlaintextBallot(selections);
        let (b, o) = py
            .detach(|| encrypt(election, &plaintext, prev))
            .map_err(errors::core)?;
        Ok((EncryptedBallot { inner: b }, BallotOpening { inner: o }))
    }
}

type Selections = BTreeMap<String, Vec<u64>>;

#[pymethods]
impl Election {
    /// Loads `election.json` (as written by `ostracon demo` or `to_json`), recomputing
    /// and checking the joint key and the base hash.
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let b = util::text_bytes(text)?;
        Ok(Self::new(
            CoreElection::from_json(&b).map_err(errors::core)?,
        ))
    }

    /// `election.json`.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    #[getter]
    fn manifest(&self) -> Manifest {
        Manifest {
            inner: self.inner.manifest().clone(),
        }
    }

    /// The base hash (hex): every proof, tracking code and decryption binds it.
    #[getter]
    fn base_hash(&self) -> String {
        hex(self.inner.base_hash())
    }

    /// The joint election key `K` (hex).
    #[getter]
    fn joint_key(&self) -> String {
        hex(&self.inner.joint_key().to_bytes())
    }

    /// Number of trustees `n`.
    #[getter]
    fn trustees(&self) -> u32 {
        self.inner.parameters().trustees
    }

    /// Trustees needed to decrypt `t`.
    #[getter]
    fn threshold(&self) -> u32 {
        self.inner.parameters().threshold
    }

    /// Checks a plaintext selection against every contest's rule; returns the values in
    /// manifest order. Raises `SelectionError` naming the contest.
    fn check_selection(&self, selections: Selections) -> PyResult<Vec<Vec<u64>>> {
        self.inner
            .check_selection(&PlaintextBallot(selections))
            .map_err(errors::core)
    }

    /// Encrypts a ballot: `selections` maps contest ids to one value per option (a
    /// contest left out abstains). Returns the encrypted ballot and its opening (secret:
    /// keep it until the voter casts, publish it to challenge).
    #[pyo3(signature = (ballot_id, selections, *, previous_code = None))]
    fn encrypt_ballot(
        &self,
        py: Python<'_>,
        ballot_id: &str,
        selections: Selections,
        previous_code: Option<&TrackingCode>,
    ) -> PyResult<(EncryptedBallot, BallotOpening)> {
        self.encrypt_with(py, selections, previous_code, |e, p, prev| {
            e.encrypt_ballot(ballot_id, p, prev, &mut util::rng())
        })
    }

    /// Does ahead of time everything of encrypting ballot `ballot_id` that does not
    /// depend on the choices (about 90 % of the work for 0/1 contests), under a fresh
    /// master nonce; `encrypt_precomputed` finishes it once the choices are known. The
    /// result holds secrets and serves one encryption.
    fn precompute_ballot(&self, py: Python<'_>, ballot_id: &str) -> PyResult<PrecomputedBallot> {
        let election = &*self.inner;
        let pre = py
            .detach(|| election.precompute_ballot(ballot_id, &mut util::rng()))
            .map_err(errors::core)?;
        Ok(PrecomputedBallot {
            ballot_id: ballot_id.into(),
            inner: Mutex::new(Some(pre)),
        })
    }

    /// Encrypts `selections` with a `PrecomputedBallot` of this election: the same as
    /// `encrypt_ballot` with its ballot id, in a fraction of the time. The
    /// precomputation is used up (a second use raises `InvalidInput`).
    #[pyo3(signature = (precomputed, selections, *, previous_code = None))]
    fn encrypt_precomputed(
        &self,
        py: Python<'_>,
        precomputed: &PrecomputedBallot,
        selections: Selections,
        previous_code: Option<&TrackingCode>,
    ) -> PyResult<(EncryptedBallot, BallotOpening)> {
        let pre = precomputed
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| {
                errors::core(ostracon::Error::InvalidInput(
                    "this precomputed ballot was already used".into(),
                ))
            })?;
        self.encrypt_with(py, selections, previous_code, |e, p, prev| {
            e.encrypt_precomputed(pre, p, prev, &mut util::rng())
        })
    }

    /// Fully validates an encrypted ballot (election, shape, every proof). Returns its
    /// tracking code; raises `BallotError`.
    fn validate(&self, py: Python<'_>, ballot: &EncryptedBallot) -> PyResult<TrackingCode> {
        let election = &*self.inner;
        py.detach(|| election.validate_ballot(&ballot.inner))
            .map(|inner| TrackingCode { inner })
            .map_err(errors::ballot)
    }

    /// Validates many ballots at once (proofs batched, in parallel). One result per
    /// ballot: its tracking code, or the `BallotError` (returned, not raised).
    fn validate_ballots(
        &self,
        py: Python<'_>,
        ballots: Vec<PyRef<'_, EncryptedBallot>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let election = &*self.inner;
        let list: Vec<CoreBallot> = ballots.iter().map(|b| b.inner.clone()).collect();
        let results = py.detach(|| election.validate_ballots(&list, &mut util::rng()));
        results
            .into_iter()
            .map(|r| match r {
                Ok(inner) => Ok(Py::new(py, TrackingCode { inner })?.into_any()),
                Err(e) => Ok(errors::ballot(e).into_value(py).into_any()),
            })
            .collect()
    }

    /// Checks a challenged ballot's opening: re-encrypts and compares every ciphertext.
    /// Raises `BallotError` (code `ballot.bad_opening`) naming the contest and option.
    fn verify_opening(&self, ballot: &EncryptedBallot, opening: &BallotOpening) -> PyResult<()> {
        core_ballot::verify_opening(&self.inner, &ballot.inner, &opening.inner)
            .map_err(errors::ballot)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Election>()
            .is_ok_and(|o| o.get().inner.base_hash() == self.inner.base_hash())
    }

    fn __hash__(&self) -> u64 {
        let b = self.inner.base_hash();
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }

    fn __repr__(&self) -> String {
        format!(
            "Election(election_id={:?}, trustees={}, threshold={}, base_hash='{}')",
            self.inner.manifest().election_id,
            self.trustees(),
            self.threshold(),
            self.base_hash()
        )
    }
}

/// `ostracon.verify_ballot(election, ballot, opening=None)`: validates an encrypted
/// ballot (given as an `EncryptedBallot` or its canonical bytes) against the election,
/// and, with an opening, checks that it opens the ballot. Returns the tracking code.
#[pyfunction]
#[pyo3(signature = (election, ballot, opening = None))]
pub fn verify_ballot(
    py: Python<'_>,
    election: &Election,
    ballot: &Bound<'_, PyAny>,
    opening: Option<&BallotOpening>,
) -> PyResult<TrackingCode> {
    let b = match ballot.cast::<EncryptedBallot>() {
        Ok(b) => b.get().inner.clone(),
        Err(_) => {
            let raw = util::text_bytes(ballot)?;
            CoreBallot::from_bytes(&raw).map_err(errors::decode)?
        }
    };
    let e = &*election.inner;
    let code = py
        .detach(|| e.validate_ballot(&b))
        .map_err(errors::ballot)?;
    if let Some(o) = opening {
        core_ballot::verify_opening(e, &b, &o.inner).map_err(errors::ballot)?;
    }
    Ok(TrackingCode { inner: code })
}

// ---------------------------------------------------------------------------------------
// Ballots
// ---------------------------------------------------------------------------------------

/// An encrypted ballot with its proofs.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct EncryptedBallot {
    pub inner: CoreBallot,
}

#[pymethods]
impl EncryptedBallot {
    /// Decodes the canonical encoding (strict).
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: CoreBallot::from_bytes(data).map_err(errors::decode)?,
        })
    }

    /// The canonical encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.to_bytes())
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_bytes(py)
    }

    /// Parses the JSON form (a hex string of the canonical encoding).
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "ballot")?,
        })
    }

    /// The JSON form, as in a record.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[getter]
    fn ballot_id(&self) -> &str {
        &self.inner.ballot_id
    }

    /// The tracking code (what the voter keeps to find the ballot on the board).
    #[getter]
    fn tracking_code(&self) -> TrackingCode {
        TrackingCode {
            inner: self.inner.tracking_code(),
        }
    }

    /// The base hash of the election it was made for (hex).
    #[getter]
    fn election_hash(&self) -> String {
        hex(&self.inner.election)
    }

    /// The previous ballot's tracking code on the same device, when chained.
    #[getter]
    fn previous_code(&self) -> Option<TrackingCode> {
        self.inner.previous_code.map(|inner| TrackingCode { inner })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<EncryptedBallot>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "EncryptedBallot(ballot_id={:?}, tracking_code='{}')",
            self.inner.ballot_id,
            self.inner.tracking_code().human()
        )
    }
}

/// A ballot's tracking code. `str()` gives the human form `XXXX-XXXX-XXXX-XXXX`.
/// The choice-independent part of one ballot's encryption
/// (`Election.precompute_ballot`), for one `Election.encrypt_precomputed`. Holds
/// secrets, wiped when it is used or collected; its repr shows only the ballot id.
#[pyclass(module = "ostracon", frozen)]
pub struct PrecomputedBallot {
    ballot_id: String,
    inner: Mutex<Option<core_ballot::PrecomputedBallot>>,
}

#[pymethods]
impl PrecomputedBallot {
    /// The ballot id the encryption will carry.
    #[getter]
    fn ballot_id(&self) -> &str {
        &self.ballot_id
    }

    /// Whether it has been used.
    #[getter]
    fn used(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none()
    }

    fn __repr__(&self) -> String {
        let used = if self.used() { "True" } else { "False" };
        format!("PrecomputedBallot({:?}, used={used})", self.ballot_id)
    }
}

#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct TrackingCode {
    pub inner: CoreCode,
}

#[pymethods]
impl TrackingCode {
    /// Parses the full hex form.
    #[staticmethod]
    fn from_hex(text: &str) -> PyResult<Self> {
        Ok(Self {
            inner: CoreCode::from_hex(text).map_err(errors::decode)?,
        })
    }

    /// The full hash, lowercase hex (what verifiers compare).
    #[getter]
    fn hex(&self) -> String {
        self.inner.to_hex()
    }

    /// The human form (first 80 bits, Crockford base32).
    #[getter]
    fn human(&self) -> String {
        self.inner.human()
    }

    /// Whether `human` (any case, dashes optional) is this code's human form.
    fn matches(&self, human: &str) -> bool {
        self.inner.matches_human(human)
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.0)
    }

    fn __str__(&self) -> String {
        self.inner.human()
    }

    fn __repr__(&self) -> String {
        format!("TrackingCode('{}')", self.inner.human())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<TrackingCode>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        let b = &self.inner.0;
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

/// What opens an encrypted ballot (its master nonce and plaintext). Secret until the
/// voter challenges the ballot; `repr` does not show it.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct BallotOpening {
    pub inner: CoreOpening,
}

#[pymethods]
impl BallotOpening {
    /// The values, per contest in manifest order, per option.
    #[getter]
    fn selections(&self) -> Vec<Vec<u64>> {
        self.inner.selections.clone()
    }

    /// The plaintext keyed by contest id.
    fn plaintext(&self, election: &Election) -> Selections {
        self.inner.plaintext(&election.inner).0.clone()
    }

    /// The JSON form (as published in a challenged board entry). Contains the secret.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "ballot opening")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<BallotOpening>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> &'static str {
        "BallotOpening(<redacted>)"
    }
}

// ---------------------------------------------------------------------------------------
// Voters
// ---------------------------------------------------------------------------------------

/// A voter's Ed25519 signing key (secret; `repr` does not show it).
#[pyclass(module = "ostracon", frozen)]
pub struct VoterKey {
    inner: core_board::SigningKey,
}

#[pymethods]
impl VoterKey {
    /// A fresh random key.
    #[staticmethod]
    fn generate() -> Self {
        Self {
            inner: core_board::generate_voter_key(&mut util::rng()),
        }
    }

    /// The key from its 32-byte secret seed.
    #[staticmethod]
    fn from_bytes(seed: &[u8]) -> PyResult<Self> {
        let seed = util::array32(seed, "voter key")?;
        Ok(Self {
            inner: core_board::SigningKey::from_bytes(&seed),
        })
    }

    /// The 32-byte secret seed.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.as_bytes())
    }

    /// The 32-byte public (verifying) key, to register.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.verifying_key().as_bytes())
    }

    /// Signs the ballot with this tracking code as `voter` (64 bytes).
    fn sign<'py>(
        &self,
        py: Python<'py>,
        election: &Election,
        tracking_code: &TrackingCode,
        voter: &str,
    ) -> Bound<'py, PyBytes> {
        bytes(
            py,
            &core_board::sign_ballot(&self.inner, &election.inner, &tracking_code.inner, voter),
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "VoterKey(public_key='{}')",
            hex(self.inner.verifying_key().as_bytes())
        )
    }
}

/// The voters allowed to cast: ids, weights and (when signatures are required) keys.
#[pyclass(module = "ostracon")]
pub struct VoterRegistry {
    pub inner: Mutex<Voters>,
}

impl VoterRegistry {
    pub fn from_voters(v: Voters) -> Self {
        Self {
            inner: Mutex::new(v),
        }
    }

    /// A copy of the registry as recorded.
    pub fn voters_snapshot(&self) -> Voters {
        lock(&self.inner).clone()
    }

    /// The fingerprint (spec §10.1).
    pub fn fingerprint_bytes(&self) -> [u8; 32] {
        lock(&self.inner).fingerprint()
    }

    /// The core registry (decoding the keys).
    pub fn registry(&self) -> PyResult<core_board::VoterRegistry> {
        lock(&self.inner).to_registry().map_err(errors::decode)
    }
}

#[pymethods]
impl VoterRegistry {
    /// An empty registry. (Whether voters must sign is an election parameter:
    /// `require_signatures` of the ceremony.)
    #[new]
    fn py_new() -> Self {
        Self::from_voters(Voters::default())
    }

    /// Registers a voter with a weight (default 1) and, optionally, the 32-byte
    /// public key of a `VoterKey`. Raises `DecodeError` for a bad key and
    /// `DecodeError` (code `decode.invalid_value`) for an id already registered.
    #[pyo3(signature = (voter_id, weight = 1, key = None))]
    fn add(&self, voter_id: String, weight: u64, key: Option<&[u8]>) -> PyResult<()> {
        let record = VoterRecord {
            id: voter_id,
            weight,
            key: key.map(hex),
        };
        let mut v = lock(&self.inner);
        // Let the core decode the key and check the id against the others.
        let mut probe = Voters {
            voters: Vec::with_capacity(v.voters.len() + 1),
        };
        probe.voters.extend(v.voters.iter().cloned());
        probe.voters.push(record.clone());
        probe.to_registry().map_err(errors::decode)?;
        v.voters.push(record);
        Ok(())
    }

    /// The registry's fingerprint (hex, spec §10.1): what the election fixes, the
    /// trustees attest and the verifier prints.
    #[getter]
    fn fingerprint(&self) -> String {
        hex(&self.fingerprint_bytes())
    }

    /// Voter ids, in registration order.
    #[getter]
    fn voters(&self) -> Vec<String> {
        lock(&self.inner)
            .voters
            .iter()
            .map(|v| v.id.clone())
            .collect()
    }

    /// The weight of a voter; raises `KeyError` for an unknown id.
    fn weight(&self, voter_id: &str) -> PyResult<u64> {
        lock(&self.inner)
            .voters
            .iter()
            .find(|v| v.id == voter_id)
            .map(|v| v.weight)
            .ok_or_else(|| PyKeyError::new_err(voter_id.to_string()))
    }

    fn __len__(&self) -> usize {
        lock(&self.inner).voters.len()
    }

    fn __contains__(&self, voter_id: &str) -> bool {
        lock(&self.inner).voters.iter().any(|v| v.id == voter_id)
    }

    /// The JSON form, as the record's `voters` item.
    fn to_json(&self) -> PyResult<String> {
        to_json(&*lock(&self.inner))
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let v: Voters = util::from_json(text, "voter registry")?;
        v.to_registry().map_err(errors::decode)?;
        Ok(Self::from_voters(v))
    }

    fn __repr__(&self) -> String {
        let v = lock(&self.inner);
        format!(
            "VoterRegistry(voters={}, fingerprint='{}')",
            v.voters.len(),
            hex(&v.fingerprint())
        )
    }
}

/// A trustee's attestation of the voter registry (`KeyShare.attest_registry`).
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct RegistryAttestation {
    pub inner: CoreAttestation,
}

#[pymethods]
impl RegistryAttestation {
    /// The attesting trustee.
    #[getter]
    fn trustee(&self) -> u32 {
        self.inner.trustee
    }

    /// The fingerprint of the registry attested (hex).
    #[getter]
    fn fingerprint(&self) -> String {
        hex(&self.inner.registry)
    }

    /// Checks it as an attestation of `registry` for `election`; raises
    /// `InvalidInput` (codes `registry.*`) naming the trustee.
    fn verify(&self, election: &Election, registry: &VoterRegistry) -> PyResult<()> {
        self.inner
            .verify(&election.inner, &registry.fingerprint_bytes())
            .map_err(errors::registry)
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.to_bytes())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: CoreAttestation::from_bytes(data).map_err(errors::decode)?,
        })
    }

    /// The JSON form, as the record's `registry_attestation` item (without `type`).
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "registry attestation")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<RegistryAttestation>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "RegistryAttestation(trustee={}, fingerprint='{}')",
            self.inner.trustee,
            hex(&self.inner.registry)
        )
    }
}

// ---------------------------------------------------------------------------------------
// Board
// ---------------------------------------------------------------------------------------

/// The core's `Board` borrows its election for its whole life, which a Python object
/// cannot express. Each distinct election (by base hash) is kept once for the life of
/// the process, so boards can borrow it; see the report to the core's owner.
fn interned(e: &Arc<CoreElection>) -> &'static CoreElection {
    static ELECTIONS: OnceLock<Mutex<BTreeMap<[u8; 32], &'static CoreElection>>> = OnceLock::new();
    let mut map = lock(ELECTIONS.get_or_init(|| Mutex::new(BTreeMap::new())));
    map.entry(*e.base_hash())
        .or_insert_with(|| Box::leak(Box::new((**e).clone())))
}

/// A ballot box: validates submissions and appends them to the hash-chained board.
/// Every accepted submission returns its `BoardEntry` (the receipt, and the record item).
#[pyclass(module = "ostracon")]
pub struct Board {
    inner: Mutex<core_board::Board<'static>>,
    election: Election,
}

fn submission(voter: Option<String>, signature: Option<&[u8]>) -> PyResult<Submission> {
    let signature = match signature {
        None => None,
        Some(s) => Some(<[u8; 64]>::try_from(s).map_err(|_| {
            errors::decode(ostracon::DecodeError::new(
                "voter signature",
                ostracon::DecodeErrorKind::WrongLength {
                    expected: 64,
                    found: s.len(),
                },
            ))
        })?),
    };
    Ok(Submission::Cast { voter, signature })
}

/// One ballot of `Board.cast_many`: `(ballot, voter, signature)`.
type CastItem<'py> = (PyRef<'py, EncryptedBallot>, Option<String>, Option<Vec<u8>>);

#[pymethods]
impl Board {
    /// An empty board for `election`, with its voter registry and the trustees'
    /// attestations of it (attested elections). Raises `InvalidInput` (codes
    /// `registry.*`) unless they are what the election commits: no registry for an
    /// open election (anyone may cast, weight 1, unsigned), the fixed fingerprint, or
    /// `threshold` valid attestations.
    #[new]
    #[pyo3(signature = (election, registry = None, attestations = Vec::new()))]
    fn py_new(
        election: &Election,
        registry: Option<&VoterRegistry>,
        attestations: Vec<PyRef<'_, RegistryAttestation>>,
    ) -> PyResult<Self> {
        let voters = registry.map(VoterRegistry::voters_snapshot);
        let attestations: Vec<CoreAttestation> =
            attestations.iter().map(|a| a.inner.clone()).collect();
        let reg =
            ostracon::registry::open_registry(&election.inner, voters.as_ref(), &attestations)
                .map_err(errors::registry)?;
        let board = core_board::Board::new(interned(&election.inner), reg);
        Ok(Self {
            inner: Mutex::new(board),
            election: election.clone(),
        })
    }

    /// Casts a ballot (validated: proofs, voter, signature, duplicates). Raises
    /// `BallotError`.
    #[pyo3(signature = (ballot, voter = None, signature = None))]
    fn cast(
        &self,
        py: Python<'_>,
        ballot: &EncryptedBallot,
        voter: Option<String>,
        signature: Option<&[u8]>,
    ) -> PyResult<BoardEntry> {
        let sub = submission(voter, signature)?;
        let b = ballot.inner.clone();
        let entry = py
            .detach(|| lock(&self.inner).submit(b, sub))
            .map_err(errors::ballot)?;
        Ok(BoardEntry { inner: entry })
    }

    /// Challenges a ballot: publishes its opening (checked); it is never counted.
    fn challenge(
        &self,
        py: Python<'_>,
        ballot: &EncryptedBallot,
        opening: &BallotOpening,
    ) -> PyResult<BoardEntry> {
        let sub = Submission::Challenge(opening.inner.clone());
        let b = ballot.inner.clone();
        let entry = py
            .detach(|| lock(&self.inner).submit(b, sub))
            .map_err(errors::ballot)?;
        Ok(BoardEntry { inner: entry })
    }

    /// Casts many ballots at once (proofs batched, in parallel). Each item is
    /// `(ballot, voter, signature)`; one result per item: the `BoardEntry`, or the
    /// `BallotError` (returned, not raised).
    fn cast_many(&self, py: Python<'_>, items: Vec<CastItem<'_>>) -> PyResult<Vec<Py<PyAny>>> {
        let mut batch = Vec::with_capacity(items.len());
        for (b, voter, sig) in &items {
            batch.push((b.inner.clone(), submission(voter.clone(), sig.as_deref())?));
        }
        let results = py.detach(|| lock(&self.inner).submit_batch(batch, &mut util::rng()));
        results
            .into_iter()
            .map(|r| match r {
                Ok(inner) => Ok(Py::new(py, BoardEntry { inner })?.into_any()),
                Err(e) => Ok(errors::ballot(e).into_value(py).into_any()),
            })
            .collect()
    }

    /// Whether an entry of this board is counted (cast, and not superseded by a later
    /// ballot of the same voter).
    fn is_counted(&self, entry: &BoardEntry) -> bool {
        lock(&self.inner).is_counted(&entry.inner)
    }

    /// The current chain head (hex).
    #[getter]
    fn head(&self) -> String {
        hex(lock(&self.inner).head())
    }

    #[getter]
    fn election(&self) -> Election {
        self.election.clone()
    }

    /// The board's final state, as the record's `board` item.
    fn summary(&self) -> BoardSummary {
        let b = lock(&self.inner);
        BoardSummary {
            inner: CoreSummary {
                count: b.len(),
                head: *b.head(),
            },
        }
    }

    fn __len__(&self) -> usize {
        lock(&self.inner).len() as usize
    }

    fn __repr__(&self) -> String {
        let b = lock(&self.inner);
        format!("Board(entries={}, head='{}')", b.len(), hex(b.head()))
    }
}

/// One entry of the board: position, tracking code, cast or challenged, the ballot and
/// the chain head after it.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct BoardEntry {
    pub inner: core_board::BoardEntry,
}

#[pymethods]
impl BoardEntry {
    #[getter]
    fn position(&self) -> u64 {
        self.inner.position
    }

    #[getter]
    fn tracking_code(&self) -> TrackingCode {
        TrackingCode {
            inner: self.inner.tracking_code,
        }
    }

    /// `"cast"` or `"challenged"`.
    #[getter]
    fn status(&self) -> &'static str {
        match self.inner.kind {
            EntryKind::Cast { .. } => "cast",
            EntryKind::Challenged { .. } => "challenged",
        }
    }

    /// The voter of a cast ballot.
    #[getter]
    fn voter(&self) -> Option<String> {
        match &self.inner.kind {
            EntryKind::Cast { voter, .. } => voter.clone(),
            EntryKind::Challenged { .. } => None,
        }
    }

    /// The weight of a cast ballot (`None` for a challenged one).
    #[getter]
    fn weight(&self) -> Option<u64> {
        match &self.inner.kind {
            EntryKind::Cast { weight, .. } => Some(*weight),
            EntryKind::Challenged { .. } => None,
        }
    }

    /// The voter's signature of a cast ballot.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        match &self.inner.kind {
            EntryKind::Cast {
                signature: Some(s), ..
            } => Some(bytes(py, s)),
            _ => None,
        }
    }

    /// The published opening of a challenged ballot.
    #[getter]
    fn opening(&self) -> Option<BallotOpening> {
        match &self.inner.kind {
            EntryKind::Challenged { opening } => Some(BallotOpening {
                inner: opening.clone(),
            }),
            EntryKind::Cast { .. } => None,
        }
    }

    #[getter]
    fn ballot(&self) -> EncryptedBallot {
        EncryptedBallot {
            inner: self.inner.ballot.clone(),
        }
    }

    /// The chain head after this entry (hex).
    #[getter]
    fn head(&self) -> String {
        hex(&self.inner.head)
    }

    /// The JSON form (the record's `entry` line without its `type`).
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "board entry")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<BoardEntry>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "BoardEntry(position={}, status='{}', ballot_id={:?}, tracking_code='{}')",
            self.inner.position,
            self.status(),
            self.inner.ballot.ballot_id,
            self.inner.tracking_code.human()
        )
    }
}

/// The board's final state: number of entries and chain head.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct BoardSummary {
    pub inner: CoreSummary,
}

#[pymethods]
impl BoardSummary {
    #[getter]
    fn count(&self) -> u64 {
        self.inner.count
    }

    #[getter]
    fn head(&self) -> String {
        hex(&self.inner.head)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<BoardSummary>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "BoardSummary(count={}, head='{}')",
            self.inner.count,
            hex(&self.inner.head)
        )
    }
}

// ---------------------------------------------------------------------------------------
// Tally and results
// ---------------------------------------------------------------------------------------

/// Adds up encrypted ballots (weighted) into the encrypted tally.
#[pyclass(module = "ostracon")]
pub struct TallyAccumulator {
    inner: Mutex<CoreAccumulator>,
}

#[pymethods]
impl TallyAccumulator {
    #[new]
    fn py_new(election: &Election) -> Self {
        Self {
            inner: Mutex::new(CoreAccumulator::new(&election.inner)),
        }
    }

    /// Adds a counted ballot with its weight (default 1).
    #[pyo3(signature = (ballot, weight = 1))]
    fn add(&self, ballot: &EncryptedBallot, weight: u64) -> PyResult<()> {
        lock(&self.inner)
            .add(&ballot.inner, weight)
            .map_err(errors::core)
    }

    /// Number of ballots added.
    #[getter]
    fn ballots(&self) -> u64 {
        lock(&self.inner).ballots()
    }

    /// The encrypted tally.
    fn finish(&self) -> EncryptedTally {
        EncryptedTally {
            inner: lock(&self.inner).finish(),
        }
    }

    fn __repr__(&self) -> String {
        format!("TallyAccumulator(ballots={})", self.ballots())
    }
}

/// The encrypted tally: per contest, per option, the weighted sum of the counted
/// ballots' ciphertexts.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct EncryptedTally {
    pub inner: CoreTally,
}

#[pymethods]
impl EncryptedTally {
    /// Number of ballots counted.
    #[getter]
    fn ballots(&self) -> u64 {
        self.inner.ballots
    }

    /// Sum of their weights.
    #[getter]
    fn total_weight(&self) -> u64 {
        self.inner.total_weight
    }

    /// Number of encrypted sums per contest (manifest order).
    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.inner.contests.iter().map(Vec::len).collect()
    }

    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "encrypted tally")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<EncryptedTally>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "EncryptedTally(ballots={}, total_weight={}, shape={:?})",
            self.inner.ballots,
            self.inner.total_weight,
            self.shape()
        )
    }
}

/// The decrypted results: `results["chair"]["ada"]` is Ada's count in contest `chair`.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct Results {
    pub inner: CoreResults,
}

#[pymethods]
impl Results {
    /// `{contest: {option: count}}`, in manifest order.
    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for c in &self.inner.contests {
            let counts = PyDict::new(py);
            for (o, n) in &c.counts {
                counts.set_item(o, n)?;
            }
            d.set_item(&c.contest, counts)?;
        }
        Ok(d)
    }

    /// Ranked and write-in contests: a list of `{"contest", "ballots", "count" |
    /// "texts"}` dicts, in manifest order. `ballots` are the decrypted ballots, sorted
    /// (`{"ranking": [option indices]}`, `{"text": str}` or `{"invalid": reason}`);
    /// `count` is the instant-runoff or STV count with its rounds.
    #[getter]
    fn mixnet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::util::to_py(py, &self.inner.mixnet)
    }

    /// Contest ids, in manifest order.
    #[getter]
    fn contests(&self) -> Vec<String> {
        self.inner
            .contests
            .iter()
            .map(|c| c.contest.clone())
            .collect()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, contest: &str) -> PyResult<Bound<'py, PyDict>> {
        let c = self
            .inner
            .contests
            .iter()
            .find(|c| c.contest == contest)
            .ok_or_else(|| PyKeyError::new_err(contest.to_string()))?;
        let d = PyDict::new(py);
        for (o, n) in &c.counts {
            d.set_item(o, n)?;
        }
        Ok(d)
    }

    fn __contains__(&self, contest: &str) -> bool {
        self.inner.contests.iter().any(|c| c.contest == contest)
    }

    fn __len__(&self) -> usize {
        self.inner.contests.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyList::new(py, self.contests())?
            .try_iter()
            .map(Bound::into_any)
    }

    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "results")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Results>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .contests
            .iter()
            .map(|c| {
                let counts: Vec<String> = c
                    .counts
                    .iter()
                    .map(|(o, n)| format!("{o:?}: {n}"))
                    .collect();
                format!("{:?}: {{{}}}", c.contest, counts.join(", "))
            })
            .collect();
        format!("Results({{{}}})", parts.join(", "))
    }
}
