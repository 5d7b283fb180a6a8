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

use crate::election::{lock, Election, EncryptedTally, Manifest, Results};
use crate::errors;
use crate::util::{self, bytes, hex, to_json};

/// The ceremony parameters of an election: `n`, `t` and the context binding the
/// manifest (computed by the core).
fn params(manifest: &CoreManifest, trustees: u32, threshold: u32) -> PyResult<CeremonyParams> {
    let p = Parameters::new(trustees, threshold);
    p.validate().map_err(errors::core)?;
    let context = ceremony_context(manifest, &p);
    CeremonyParams::new(trustees, threshold, context).map_err(|e| errors::core(e.into()))
}

fn ceremony_err(e: keyceremony::CeremonyError) -> PyErr {
    errors::core(e.into())
}

/// The election of a completed ceremony: the core builds it from the manifest, the
/// parameters and the verified announcements' commitments.
pub fn election_from(manifest: &CoreManifest, transcript: &CoreTranscript) -> PyResult<Election> {
    let ceremony = transcript
        .clone()
        .verify(&mut util::rng())
        .map_err(ceremony_err)?;
    let p = Parameters::new(ceremony.params().n(), ceremony.params().t());
    let commitments = ceremony
        .announcements()
        .iter()
        .map(|a| a.commitments.clone())
        .collect();
    CoreElection::new(manifest.clone(), p, commitments)
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
    /// The transcript of a ceremony for `manifest` with `trustees` and `threshold`,
    /// from every trustee's announcement (bytes).
    #[new]
    fn py_new(
        manifest: &Manifest,
        trustees: u32,
        threshold: u32,
        announcements: Vec<Vec<u8>>,
    ) -> PyResult<Self> {
        let params = params(&manifest.inner, trustees, threshold)?;
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

    /// The election this ceremony made for `manifest`.
    fn election(&self, manifest: &Manifest) -> PyResult<Election> {
        election_from(&manifest.inner, &self.inner)
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
    /// Trustee `index` (1..=trustees) of the ceremony for `manifest`.
    #[new]
    fn py_new(manifest: &Manifest, trustees: u32, threshold: u32, index: u32) -> PyResult<Self> {
        let params = params(&manifest.inner, trustees, threshold)?;
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
#[pyfunction]
pub fn run_ceremony(
    py: Python<'_>,
    manifest: &Manifest,
    trustees: u32,
    threshold: u32,
) -> PyResult<(Election, CeremonyTranscript, Vec<KeyShare>)> {
    let p = params(&manifest.inner, trustees, threshold)?;
    let (_, transcript, keys) = py
        .detach(|| ostracon::simulation::run_ceremony(p, &mut util::rng()))
        .map_err(errors::core)?;
    let election = election_from(&manifest.inner, &transcript)?;
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
