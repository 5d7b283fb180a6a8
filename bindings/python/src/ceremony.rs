//! The key ceremony (trustee state machine, or all trustees at once) and the threshold
//! decryption of the tally. Messages cross the boundary as the core's canonical bytes.

use std::sync::Mutex;

use ostracon::dlog::DlogTable;
use ostracon::election::{ceremony_context, Election as CoreElection, Parameters};
use ostracon::keyceremony::{
    self, Announcement, CeremonyParams, CeremonyTranscript as CoreTranscript, EncryptedShare,
    KeyShare as CoreKeyShare, Phase,
};
use ostracon::manifest::Manifest as CoreManifest;
use ostracon::tally::Results as CoreResults;
use ostracon::threshold::PartialDecryption as CorePartial;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::election::{lock, Election, EncryptedTally, Manifest, Results, VoterRegistry};
use crate::errors;
use crate::util::{self, bytes, hex, to_json};
use ostracon::registry::{RegistryAttestation, RegistryCommitment};

/// The election parameters from the Python arguments: `n`, `t`, and the keyword-only
/// `mixers` (default `t`), `registry` (`"open"`, `"attested"`, or a `VoterRegistry`
/// whose fingerprint is fixed) and `require_signatures`.
pub fn parameters(
    trustees: u32,
    threshold: u32,
    mixers: Option<u32>,
    registry: Option<&Bound<'_, PyAny>>,
    require_signatures: bool,
) -> PyResult<Parameters> {
    let commitment = match registry {
        None => RegistryCommitment::Open,
        Some(r) => {
            if let Ok(v) = r.cast::<VoterRegistry>() {
                RegistryCommitment::Fixed {
                    fingerprint: v.borrow().fingerprint_bytes(),
                }
            } else {
                match r.extract::<String>()?.as_str() {
                    "open" => RegistryCommitment::Open,
                    "attested" => RegistryCommitment::Attested,
                    other => {
                        return Err(errors::core(ostracon::Error::InvalidInput(format!(
                            "registry must be \"open\", \"attested\" or a VoterRegistry \
                             (fixed); got {other:?}"
                        ))))
                    }
                }
            }
        }
    };
    let mut p = Parameters::new(trustees, threshold)
        .with_registry(commitment)
        .with_signatures(require_signatures);
    p.mixers = mixers;
    p.validate().map_err(errors::core)?;
    Ok(p)
}

/// The ceremony parameters of an election: `n`, `t` and the context binding the
/// manifest and parameters (computed by the core).
fn params(manifest: &CoreManifest, p: &Parameters) -> PyResult<CeremonyParams> {
    let context = ceremony_context(manifest, p);
    CeremonyParams::new(p.trustees, p.threshold, context).map_err(|e| errors::core(e.into()))
}

fn ceremony_err(e: keyceremony::CeremonyError) -> PyErr {
    errors::core(e.into())
}

/// The election of a completed ceremony: the core builds it from the manifest, the
/// parameters and the verified announcements' commitments.
/// Raises `InvalidInput` when the ceremony was not held for these parameters.
pub fn election_from(
    manifest: &CoreManifest,
    p: &Parameters,
    transcript: &CoreTranscript,
) -> PyResult<Election> {
    if transcript.params.n() != p.trustees
        || transcript.params.t() != p.threshold
        || transcript.params.context() != &ceremony_context(manifest, p)
    {
        return Err(errors::core(ostracon::Error::InvalidInput(
            "the ceremony was held for another manifest or other parameters \
             (trustees, threshold, mixers, registry, require_signatures)"
                .into(),
        )));
    }
    let ceremony = transcript
        .clone()
        .verify(&mut util::rng())
        .map_err(ceremony_err)?;
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    CoreElection::new(manifest.clone(), *p, commitments)
        .map(Election::new)
        .map_err(errors::core)
}

// ---------------------------------------------------------------------------------------
// Transcript
// ---------------------------------------------------------------------------------------

/// The public record of a key ceremony: parameters and every trustee's announcement.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct CeremonyTranscript {
    pub inner: CoreTranscript,
}

#[pymethods]
impl CeremonyTranscript {
    /// The transcript of a ceremony for `manifest` with `trustees` and `threshold`
    /// (and the election parameters given by keyword, as to `Trustee`), from every
    /// trustee's announcement (bytes).
    #[new]
    #[pyo3(signature = (manifest, trustees, threshold, announcements, *, mixers = None, registry = None, require_signatures = false))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        manifest: &Manifest,
        trustees: u32,
        threshold: u32,
        announcements: Vec<Vec<u8>>,
        mixers: Option<u32>,
        registry: Option<&Bound<'_, PyAny>>,
        require_signatures: bool,
    ) -> PyResult<Self> {
        let p = parameters(trustees, threshold, mixers, registry, require_signatures)?;
        let params = params(&manifest.inner, &p)?;
        let announcements = announcements
            .iter()
            .map(|a| Announcement::from_bytes(a).map_err(errors::decode))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self {
            inner: CoreTranscript {
                params,
                announcements,
            },
        })
    }

    #[getter]
    fn trustees(&self) -> u32 {
        self.inner.params.n()
    }

    #[getter]
    fn threshold(&self) -> u32 {
        self.inner.params.t()
    }

    /// The announcements (canonical bytes), as given.
    #[getter]
    fn announcements<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.inner
            .announcements
            .iter()
            .map(|a| bytes(py, &a.to_bytes()))
            .collect()
    }

    /// Checks every announcement and proof; returns the joint election key (hex).
    /// Raises `ProofError` or `InvalidInput` naming the trustee.
    fn verify(&self, py: Python<'_>) -> PyResult<String> {
        let t = self.inner.clone();
        let c = py
            .detach(|| t.verify(&mut util::rng()))
            .map_err(ceremony_err)?;
        Ok(hex(&c.joint_key().to_bytes()))
    }

    /// The election this ceremony made for `manifest` and the parameters given by
    /// keyword (as to `Trustee`); raises `InvalidInput` when the ceremony was held for
    /// others.
    #[pyo3(signature = (manifest, *, mixers = None, registry = None, require_signatures = false))]
    fn election(
        &self,
        manifest: &Manifest,
        mixers: Option<u32>,
        registry: Option<&Bound<'_, PyAny>>,
        require_signatures: bool,
    ) -> PyResult<Election> {
        let p = parameters(
            self.inner.params.n(),
            self.inner.params.t(),
            mixers,
            registry,
            require_signatures,
        )?;
        election_from(&manifest.inner, &p, &self.inner)
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.to_bytes())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: CoreTranscript::from_bytes(data).map_err(errors::decode)?,
        })
    }

    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "ceremony transcript")?,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "CeremonyTranscript(trustees={}, threshold={}, announcements={})",
            self.inner.params.n(),
            self.inner.params.t(),
            self.inner.announcements.len()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Trustee state machine
// ---------------------------------------------------------------------------------------

/// One trustee's side of the key ceremony (a sans-I/O state machine): broadcast
/// `announcement`, feed every announcement to `receive_announcements` and deliver the
/// encrypted shares it returns, then feed the shares addressed to this trustee to
/// `receive_shares`.
#[pyclass(module = "ostracon")]
pub struct Trustee {
    inner: Mutex<keyceremony::Trustee>,
}

#[pymethods]
impl Trustee {
    /// Trustee `index` (1..=trustees) of the ceremony for `manifest`. Keywords: `mixers`
    /// (distinct trustees that must shuffle each ranked or write-in contest; default
    /// `threshold`), `registry` (`"open"`: no registry; `"attested"`: the trustees
    /// attest it after the ceremony with `KeyShare.attest_registry`; or a
    /// `VoterRegistry`, whose fingerprint is then fixed), `require_signatures`. Every
    /// trustee must give the same.
    #[new]
    #[pyo3(signature = (manifest, trustees, threshold, index, *, mixers = None, registry = None, require_signatures = false))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        manifest: &Manifest,
        trustees: u32,
        threshold: u32,
        index: u32,
        mixers: Option<u32>,
        registry: Option<&Bound<'_, PyAny>>,
        require_signatures: bool,
    ) -> PyResult<Self> {
        let p = parameters(trustees, threshold, mixers, registry, require_signatures)?;
        let params = params(&manifest.inner, &p)?;
        let t = keyceremony::Trustee::new(params, index, &mut util::rng()).map_err(ceremony_err)?;
        Ok(Self {
            inner: Mutex::new(t),
        })
    }

    #[getter]
    fn index(&self) -> u32 {
        lock(&self.inner).index()
    }

    /// `"awaiting_announcements"`, `"awaiting_shares"`, `"finished"` or `"aborted"`.
    #[getter]
    fn phase(&self) -> &'static str {
        match lock(&self.inner).phase() {
            Phase::AwaitingAnnouncements => "awaiting_announcements",
            Phase::AwaitingShares => "awaiting_shares",
            Phase::Finished => "finished",
            Phase::Aborted => "aborted",
        }
    }

    /// This trustee's round-1 message (bytes), to broadcast.
    #[getter]
    fn announcement<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &lock(&self.inner).announcement().to_bytes())
    }

    /// Takes all announcements (this trustee's included); returns one encrypted share
    /// (bytes) per other trustee, addressed by `share_recipient(share)`.
    fn receive_announcements<'py>(
        &self,
        py: Python<'py>,
        announcements: Vec<Vec<u8>>,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let anns = announcements
            .iter()
            .map(|a| Announcement::from_bytes(a).map_err(errors::decode))
            .collect::<PyResult<Vec<_>>>()?;
        let shares = py
            .detach(|| lock(&self.inner).receive_announcements(&anns, &mut util::rng()))
            .map_err(ceremony_err)?;
        Ok(shares.iter().map(|s| bytes(py, &s.to_bytes())).collect())
    }

    /// Takes the shares addressed to this trustee (one from every other trustee).
    /// Returns the trustee's `KeyShare`; or, if some shares were bad, the complaints
    /// (bytes) to publish, and the ceremony is aborted.
    fn receive_shares(&self, py: Python<'_>, shares: Vec<Vec<u8>>) -> PyResult<Py<PyAny>> {
        let shares = shares
            .iter()
            .map(|s| EncryptedShare::from_bytes(s).map_err(errors::decode))
            .collect::<PyResult<Vec<_>>>()?;
        let outcome = py
            .detach(|| lock(&self.inner).receive_shares(&shares, &mut util::rng()))
            .map_err(ceremony_err)?;
        match outcome {
            keyceremony::Outcome::Finished(k) => {
                Ok(Py::new(py, KeyShare { inner: *k })?.into_any())
            }
            keyceremony::Outcome::Complaints(c) => {
                let list: Vec<Bound<'_, PyBytes>> =
                    c.iter().map(|c| bytes(py, &c.to_bytes())).collect();
                Ok(list.into_pyobject(py)?.into_any().unbind())
            }
        }
    }

    /// The ceremony's transcript, once every announcement was accepted.
    fn transcript(&self) -> Option<CeremonyTranscript> {
        lock(&self.inner)
            .public_ceremony()
            .map(|c| CeremonyTranscript {
                inner: c.transcript(),
            })
    }

    fn __repr__(&self) -> String {
        format!("Trustee(index={}, phase='{}')", self.index(), self.phase())
    }
}

/// The recipient (trustee index) of an encrypted share.
#[pyfunction]
pub fn share_recipient(share: &[u8]) -> PyResult<u32> {
    Ok(EncryptedShare::from_bytes(share)
        .map_err(errors::decode)?
        .to)
}

// ---------------------------------------------------------------------------------------
// Key shares, decryption
// ---------------------------------------------------------------------------------------

/// A trustee's share of the election key (secret; `repr` does not show it).
#[pyclass(module = "ostracon", frozen)]
pub struct KeyShare {
    inner: CoreKeyShare,
}

#[pymethods]
impl KeyShare {
    #[getter]
    fn index(&self) -> u32 {
        self.inner.index()
    }

    /// The trustee's public verification share (hex).
    #[getter]
    fn public_share(&self) -> String {
        hex(self.inner.public_share().as_bytes())
    }

    /// The secret encoding (keep it safe).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.to_bytes())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: CoreKeyShare::from_bytes(data).map_err(errors::decode)?,
        })
    }

    /// This trustee's partial decryption of the tally, with proofs.
    fn decrypt(
        &self,
        py: Python<'_>,
        election: &Election,
        tally: &EncryptedTally,
    ) -> PartialDecryption {
        let e = &*election.inner;
        let flat = tally.inner.flat();
        let inner = py.detach(|| {
            CorePartial::from_key_share(
                &e.decryption_context(),
                &self.inner,
                &flat,
                &mut util::rng(),
            )
        });
        PartialDecryption { inner }
    }

    /// This trustee's attestation of the voter registry of `election` (attested
    /// elections): its signature over the base hash and the registry's fingerprint.
    /// Check the fingerprint against the one agreed out of band first. Raises
    /// `InvalidInput` (code `registry.foreign_key_share`) for a key share of another
    /// election.
    fn attest_registry(
        &self,
        election: &Election,
        registry: &VoterRegistry,
    ) -> PyResult<crate::election::RegistryAttestation> {
        let voters = registry.voters_snapshot();
        RegistryAttestation::sign(&election.inner, &voters, &self.inner, &mut util::rng())
            .map(|inner| crate::election::RegistryAttestation { inner })
            .map_err(errors::registry)
    }

    fn __repr__(&self) -> String {
        format!("KeyShare(index={}, <secret redacted>)", self.inner.index())
    }
}

/// A trustee's partial decryption of the tally, with a proof per value.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct PartialDecryption {
    pub inner: CorePartial,
}

#[pymethods]
impl PartialDecryption {
    #[getter]
    fn trustee(&self) -> u32 {
        self.inner.trustee
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, &self.inner.to_bytes())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: CorePartial::from_bytes(data).map_err(errors::decode)?,
        })
    }

    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "partial decryption")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PartialDecryption>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "PartialDecryption(trustee={}, values={})",
            self.inner.trustee,
            self.inner.shares.len()
        )
    }
}

/// Runs a whole key ceremony locally (every trustee in this process): returns the
/// election, the public transcript and every trustee's key share.
/// Keywords as for `Trustee`.
#[pyfunction]
#[pyo3(signature = (manifest, trustees, threshold, *, mixers = None, registry = None, require_signatures = false))]
pub fn run_ceremony(
    py: Python<'_>,
    manifest: &Manifest,
    trustees: u32,
    threshold: u32,
    mixers: Option<u32>,
    registry: Option<&Bound<'_, PyAny>>,
    require_signatures: bool,
) -> PyResult<(Election, CeremonyTranscript, Vec<KeyShare>)> {
    let params_ = parameters(trustees, threshold, mixers, registry, require_signatures)?;
    let p = params(&manifest.inner, &params_)?;
    let (_, transcript, keys) = py
        .detach(|| ostracon::simulation::run_ceremony(p, &mut util::rng()))
        .map_err(errors::core)?;
    let election = election_from(&manifest.inner, &params_, &transcript)?;
    Ok((
        election,
        CeremonyTranscript { inner: transcript },
        keys.into_iter().map(|inner| KeyShare { inner }).collect(),
    ))
}

/// Checks every partial decryption against the ceremony, combines `t` of them and
/// returns the decrypted results. Raises `ProofError` (naming the value) for a bad
/// partial decryption, `InvalidInput` for too few or unknown trustees.
#[pyfunction]
pub fn decrypt_tally(
    py: Python<'_>,
    election: &Election,
    transcript: &CeremonyTranscript,
    tally: &EncryptedTally,
    partials: Vec<PyRef<'_, PartialDecryption>>,
) -> PyResult<Results> {
    let e = &*election.inner;
    let t = transcript.inner.clone();
    let tally = &tally.inner;
    let partials: Vec<CorePartial> = partials.iter().map(|p| p.inner.clone()).collect();
    let results = py.detach(|| -> Result<CoreResults, ostracon::Error> {
        let mut rng = util::rng();
        let ceremony = t.verify(&mut rng)?;
        tally.decrypt(e, &ceremony, &partials, &DlogTable::default(), &mut rng)
    });
    Ok(Results {
        inner: results.map_err(errors::core)?,
    })
}
