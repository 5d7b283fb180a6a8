//! Records (open, iterate, write) and their verification: whole, or in shards whose
//! partial results travel as bytes between processes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ostracon::record::io::{ReadError, RecordReader, RecordWriter as CoreWriter};
use ostracon::record::{Format, Header, RecordItem};
use ostracon::verify::io as vio;
use ostracon::verify::{self, Partial, Report as CoreReport};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyType};

use crate::ceremony::{election_from, CeremonyTranscript, PartialDecryption};
use crate::election::{
    lock, BoardEntry, BoardSummary, Election, EncryptedTally, Manifest, Results, VoterRegistry,
};
use crate::errors;
use crate::util::{self, bytes};

// ---------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------

/// One numbered check of the verifier, with how often it passed and failed.
#[pyclass(module = "ostracon", frozen)]
pub struct CheckResult {
    #[pyo3(get)]
    id: u16,
    #[pyo3(get)]
    name: &'static str,
    #[pyo3(get)]
    passed: u64,
    #[pyo3(get)]
    failed: u64,
}

#[pymethods]
impl CheckResult {
    /// `"passed"`, `"FAILED"` or `"not run"`.
    #[getter]
    fn status(&self) -> &'static str {
        if self.failed > 0 {
            "FAILED"
        } else if self.passed > 0 {
            "passed"
        } else {
            "not run"
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "CheckResult(id={}, status='{}', passed={}, failed={}, name={:?})",
            self.id,
            self.status(),
            self.passed,
            self.failed,
            self.name
        )
    }
}

/// One verification failure: the check, the object concerned and the reason.
#[pyclass(module = "ostracon", frozen)]
pub struct Failure {
    #[pyo3(get)]
    check: u16,
    #[pyo3(get)]
    object: String,
    #[pyo3(get)]
    reason: String,
}

#[pymethods]
impl Failure {
    /// The check's name.
    #[getter]
    fn name(&self) -> &'static str {
        verify::check_name(self.check)
    }

    fn __str__(&self) -> String {
        format!(
            "check {} failed: {}: {}",
            self.check, self.object, self.reason
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Failure(check={}, object={:?}, reason={:?})",
            self.check, self.object, self.reason
        )
    }
}

/// Board entry counts of a verified record.
#[pyclass(module = "ostracon", frozen)]
pub struct Counts {
    #[pyo3(get)]
    entries: u64,
    #[pyo3(get)]
    cast: u64,
    #[pyo3(get)]
    challenged: u64,
    #[pyo3(get)]
    superseded: u64,
    #[pyo3(get)]
    counted: u64,
}

#[pymethods]
impl Counts {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("entries", self.entries)?;
        d.set_item("cast", self.cast)?;
        d.set_item("challenged", self.challenged)?;
        d.set_item("superseded", self.superseded)?;
        d.set_item("counted", self.counted)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Counts(entries={}, cast={}, challenged={}, superseded={}, counted={})",
            self.entries, self.cast, self.challenged, self.superseded, self.counted
        )
    }
}

/// The verifier's report: every numbered check with its passes and failures, every
/// failure, the entry counts and the verified results.
#[pyclass(module = "ostracon", frozen)]
pub struct Report {
    pub inner: CoreReport,
}

impl Report {
    fn check_result(&self, id: u16, name: &'static str) -> CheckResult {
        let c = self.inner.checks.get(&id).copied().unwrap_or_default();
        CheckResult {
            id,
            name,
            passed: c.passed,
            failed: c.failed,
        }
    }
}

#[pymethods]
impl Report {
    /// Whether every check passed.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.is_ok()
    }

    /// Every check (1 to 20) by number, including those that did not run.
    #[getter]
    fn checks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for c in verify::CHECKS {
            d.set_item(c.id, Py::new(py, self.check_result(c.id, c.name))?)?;
        }
        Ok(d)
    }

    /// Every failure, in the order found.
    #[getter]
    fn failures(&self) -> Vec<Failure> {
        self.inner
            .failures
            .iter()
            .map(|f| Failure {
                check: f.check,
                object: f.object.clone(),
                reason: f.reason.clone(),
            })
            .collect()
    }

    /// The failed check numbers, sorted.
    #[getter]
    fn failed_checks(&self) -> Vec<u16> {
        self.inner.failed_checks()
    }

    #[getter]
    fn counts(&self) -> Counts {
        let c = self.inner.counts;
        Counts {
            entries: c.entries,
            cast: c.cast,
            challenged: c.challenged,
            superseded: c.superseded,
            counted: c.counted,
        }
    }

    /// The election's base hash (hex), when the header could be read.
    #[getter]
    fn base_hash(&self) -> Option<String> {
        self.inner.base_hash.clone()
    }

    /// The verified results (when the decryption could be checked).
    #[getter]
    fn results(&self) -> Option<Results> {
        self.inner.results.clone().map(|inner| Results { inner })
    }

    /// The human summary (as `ostracon verify` prints it).
    fn summary(&self) -> String {
        self.inner.summary()
    }

    /// The report as plain Python objects: `ok`, `base_hash`, `counts`, `checks`
    /// (by number: name, passed, failed), `failures` and `results`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("ok", self.inner.is_ok())?;
        d.set_item("base_hash", self.inner.base_hash.clone())?;
        d.set_item("counts", self.counts().to_dict(py)?)?;
        let checks = PyDict::new(py);
        for c in verify::CHECKS {
            let r = self.check_result(c.id, c.name);
            let e = PyDict::new(py);
            e.set_item("name", r.name)?;
            e.set_item("passed", r.passed)?;
            e.set_item("failed", r.failed)?;
            checks.set_item(c.id, e)?;
        }
        d.set_item("checks", checks)?;
        let failures = PyList::empty(py);
        for f in &self.inner.failures {
            let e = PyDict::new(py);
            e.set_item("check", f.check)?;
            e.set_item("object", &f.object)?;
            e.set_item("reason", &f.reason)?;
            failures.append(e)?;
        }
        d.set_item("failures", failures)?;
        match &self.inner.results {
            Some(r) => d.set_item("results", Results { inner: r.clone() }.to_dict(py)?)?,
            None => d.set_item("results", py.None())?,
        }
        Ok(d)
    }

    /// The report as JSON (the same document as `ostracon verify --json`).
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        match indent {
            None => util::to_json(&self.inner),
            Some(_) => serde_json::to_string_pretty(&self.inner)
                .map_err(|e| errors::core(ostracon::Error::InvalidInput(format!("JSON: {e}")))),
        }
    }

    /// Parses a report's JSON.
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: util::from_json(text, "report")?,
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Report>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __str__(&self) -> String {
        self.inner.summary()
    }

    fn __repr__(&self) -> String {
        let c = self.inner.counts;
        let counts = format!(
            "{} entries: {} cast ({} superseded, {} counted), {} challenged",
            c.entries, c.cast, c.superseded, c.counted, c.challenged
        );
        if self.inner.is_ok() {
            let ran = self.inner.checks.values().filter(|c| c.passed > 0).count();
            format!("<Report VALID: {ran} checks passed; {counts}>")
        } else {
            let failed: Vec<String> = self
                .inner
                .failed_checks()
                .iter()
                .map(u16::to_string)
                .collect();
            let first = &self.inner.failures[0];
            format!(
                "<Report INVALID: check{} {} failed ({} failure{}; first: check {}: {}: {}); {counts}>",
                if failed.len() == 1 { "" } else { "s" },
                failed.join(", "),
                self.inner.failures.len(),
                if self.inner.failures.len() == 1 { "" } else { "s" },
                first.check,
                first.object,
                first.reason
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------

/// A record's first item: version, manifest, parameters and the key ceremony.
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct RecordHeader {
    inner: Header,
}

#[pymethods]
impl RecordHeader {
    /// The header of `election`'s record, made by the ceremony `transcript`.
    #[new]
    fn py_new(election: &Election, transcript: &CeremonyTranscript) -> Self {
        Self {
            inner: Header::new(&election.inner, transcript.inner.clone()),
        }
    }

    #[getter]
    fn version(&self) -> u32 {
        self.inner.version
    }

    #[getter]
    fn manifest(&self) -> Manifest {
        Manifest {
            inner: self.inner.manifest.clone(),
        }
    }

    #[getter]
    fn trustees(&self) -> u32 {
        self.inner.parameters.trustees
    }

    #[getter]
    fn threshold(&self) -> u32 {
        self.inner.parameters.threshold
    }

    #[getter]
    fn ceremony(&self) -> CeremonyTranscript {
        CeremonyTranscript {
            inner: self.inner.ceremony.clone(),
        }
    }

    /// The election (the ceremony is verified first).
    fn election(&self) -> PyResult<Election> {
        election_from(
            &self.inner.manifest,
            &self.inner.parameters,
            &self.inner.ceremony,
        )
    }

    fn to_json(&self) -> PyResult<String> {
        util::to_json(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "RecordHeader(version={}, election_id={:?}, trustees={}, threshold={})",
            self.inner.version,
            self.inner.manifest.election_id,
            self.inner.parameters.trustees,
            self.inner.parameters.threshold
        )
    }
}

// ---------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------

/// A record item as its Python object.
fn item_to_py(py: Python<'_>, item: RecordItem) -> PyResult<Py<PyAny>> {
    Ok(match item {
        RecordItem::Header(h) => Py::new(py, RecordHeader { inner: h })?.into_any(),
        RecordItem::Voters(v) => Py::new(py, VoterRegistry::from_voters(v))?.into_any(),
        RecordItem::RegistryAttestation(a) => {
            Py::new(py, crate::election::RegistryAttestation { inner: a })?.into_any()
        }
        RecordItem::Entry(e) => Py::new(py, BoardEntry { inner: e })?.into_any(),
        RecordItem::Board(b) => Py::new(py, BoardSummary { inner: b })?.into_any(),
        RecordItem::Tally(t) => Py::new(py, EncryptedTally { inner: t })?.into_any(),
        RecordItem::Decryption { partial } => {
            Py::new(py, PartialDecryption { inner: partial })?.into_any()
        }
        RecordItem::Results(r) => Py::new(py, Results { inner: r })?.into_any(),
        item @ (RecordItem::Mix { .. } | RecordItem::MixDecryption { .. }) => {
            Py::new(py, MixnetItem { inner: item })?.into_any()
        }
    })
}

/// A mixnet record item: one shuffle of a ranked or write-in contest (`kind == "mix"`)
/// or a trustee's partial decryption of its final list (`kind == "mix_decryption"`).
#[pyclass(module = "ostracon", frozen)]
#[derive(Clone)]
pub struct MixnetItem {
    pub inner: RecordItem,
}

#[pymethods]
impl MixnetItem {
    /// `"mix"` or `"mix_decryption"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// Index of the contest in the manifest.
    #[getter]
    fn contest(&self) -> u32 {
        match &self.inner {
            RecordItem::Mix { contest, .. } | RecordItem::MixDecryption { contest, .. } => *contest,
            _ => 0,
        }
    }

    /// The item as plain Python objects (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        util::to_py(py, &self.inner)
    }

    /// The item's JSON line.
    fn to_json(&self) -> PyResult<String> {
        util::to_json(&self.inner)
    }

    /// Parses a mixnet item's JSON line.
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let inner: RecordItem = util::from_json(text, "mixnet record item")?;
        match inner {
            RecordItem::Mix { .. } | RecordItem::MixDecryption { .. } => Ok(Self { inner }),
            other => Err(PyValueError::new_err(format!(
                "a '{}' record item is not a mixnet item",
                other.kind()
            ))),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "MixnetItem(kind={:?}, contest={})",
            self.kind(),
            self.contest()
        )
    }
}

/// A Python object as a record item.
fn py_to_item(obj: &Bound<'_, PyAny>) -> PyResult<RecordItem> {
    if let Ok(h) = obj.cast::<RecordHeader>() {
        return Ok(RecordItem::Header(h.get().inner.clone()));
    }
    if let Ok(v) = obj.cast::<VoterRegistry>() {
        return Ok(RecordItem::Voters(lock(&v.borrow().inner).clone()));
    }
    if let Ok(a) = obj.cast::<crate::election::RegistryAttestation>() {
        return Ok(RecordItem::RegistryAttestation(a.get().inner.clone()));
    }
    if let Ok(e) = obj.cast::<BoardEntry>() {
        return Ok(RecordItem::Entry(e.get().inner.clone()));
    }
    if let Ok(b) = obj.cast::<BoardSummary>() {
        return Ok(RecordItem::Board(b.get().inner));
    }
    if let Ok(t) = obj.cast::<EncryptedTally>() {
        return Ok(RecordItem::Tally(t.get().inner.clone()));
    }
    if let Ok(p) = obj.cast::<PartialDecryption>() {
        return Ok(RecordItem::Decryption {
            partial: p.get().inner.clone(),
        });
    }
    if let Ok(r) = obj.cast::<Results>() {
        return Ok(RecordItem::Results(r.get().inner.clone()));
    }
    if let Ok(m) = obj.cast::<MixnetItem>() {
        return Ok(m.get().inner.clone());
    }
    Err(PyTypeError::new_err(format!(
        "not a record item: {} (expected RecordHeader, VoterRegistry, RegistryAttestation, \
         BoardEntry, BoardSummary, EncryptedTally, PartialDecryption, MixnetItem or Results)",
        obj.get_type().name()?
    )))
}

/// Streams a record's items (or only its board entries) as Python objects.
#[pyclass(module = "ostracon")]
pub struct RecordItems {
    reader: Mutex<RecordReader>,
    path: PathBuf,
    entries_only: bool,
}

#[pymethods]
impl RecordItems {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            let next = py.detach(|| lock(&self.reader).next_item());
            match next.map_err(|e| errors::read(&self.path, e))? {
                None => return Ok(None),
                Some(RecordItem::Entry(e)) => {
                    return Ok(Some(Py::new(py, BoardEntry { inner: e })?.into_any()))
                }
                Some(_) if self.entries_only => continue,
                Some(item) => return Ok(Some(item_to_py(py, item)?)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Record
// ---------------------------------------------------------------------------------------

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Binary => "binary",
    }
}

/// Calls `progress(done, total)` from the verifier's thread: the GIL is taken only for
/// the call (the core calls back once per chunk of 1024 entries). The first exception
/// the callback raises stops further calls and is raised when verification ends.
struct Progress<'a> {
    callback: Option<&'a Py<PyAny>>,
    error: Option<PyErr>,
}

impl Progress<'_> {
    fn call(&mut self, done: u64, total: u64) {
        if self.error.is_some() {
            return;
        }
        if let Some(cb) = self.callback {
            Python::attach(|py| {
                if let Err(e) = cb.call1(py, (done, total)) {
                    self.error = Some(e);
                }
            });
        }
    }
}

/// An election record file (JSON Lines or binary, detected from the content), read
/// item by item: opening reads only the header.
#[pyclass(module = "ostracon", frozen)]
pub struct Record {
    path: PathBuf,
    format: Format,
    header: Option<Header>,
}

impl Record {
    fn open_path(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let (format, first) = py
            .detach(|| -> Result<_, ReadError> {
                let mut r = RecordReader::open(&path)?;
                Ok((r.format(), r.next_item()?))
            })
            .map_err(|e| errors::read(&path, e))?;
        let header = match first {
            Some(RecordItem::Header(h)) => Some(h),
            _ => None,
        };
        Ok(Self {
            path,
            format,
            header,
        })
    }

    fn election_core(&self) -> PyResult<Election> {
        match &self.header {
            Some(h) => election_from(&h.manifest, &h.parameters, &h.ceremony),
            None => Err(errors::corrupt(
                Some(&self.path),
                "line 1",
                "the record does not start with a header",
            )),
        }
    }
}

#[pymethods]
impl Record {
    /// Opens the record at `path` (str or path-like).
    #[new]
    fn py_new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        Self::open_path(py, path)
    }

    /// Opens the record at `path` (str or path-like).
    #[classmethod]
    fn open(_cls: &Bound<'_, PyType>, py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        Self::open_path(py, path)
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// `"json"` or `"binary"`.
    #[getter]
    fn format(&self) -> &'static str {
        format_name(self.format)
    }

    /// The header (`None` if the record does not start with one).
    #[getter]
    fn header(&self) -> Option<RecordHeader> {
        self.header.clone().map(|inner| RecordHeader { inner })
    }

    /// The election of the header (its key ceremony is verified first).
    #[getter]
    fn election(&self) -> PyResult<Election> {
        self.election_core()
    }

    /// The manifest of the header.
    #[getter]
    fn manifest(&self) -> PyResult<Manifest> {
        match &self.header {
            Some(h) => Ok(Manifest {
                inner: h.manifest.clone(),
            }),
            None => Err(errors::corrupt(
                Some(&self.path),
                "line 1",
                "the record does not start with a header",
            )),
        }
    }

    /// Streams every item as its Python object (`RecordHeader`, `VoterRegistry`,
    /// `BoardEntry`, `BoardSummary`, `EncryptedTally`, `PartialDecryption`, `Results`).
    fn items(&self) -> PyResult<RecordItems> {
        let reader = RecordReader::open(&self.path).map_err(|e| errors::read(&self.path, e))?;
        Ok(RecordItems {
            reader: Mutex::new(reader),
            path: self.path.clone(),
            entries_only: false,
        })
    }

    /// Streams the board entries only.
    fn entries(&self) -> PyResult<RecordItems> {
        let mut it = self.items()?;
        it.entries_only = true;
        Ok(it)
    }

    fn __iter__(&self) -> PyResult<RecordItems> {
        self.items()
    }

    /// Verifies the whole record (two streaming passes, every check). The GIL is
    /// released; `progress(done, total)` is called as board entries are verified. Every
    /// verification failure is in the report; raises only if the file cannot be read
    /// (`OSError`) or is not a record (`RecordError`, naming the line or byte).
    #[pyo3(signature = (progress = None))]
    fn verify(&self, py: Python<'_>, progress: Option<Py<PyAny>>) -> PyResult<Report> {
        verify_path(py, &self.path, progress)
    }

    /// Verifies shard `index` (from 0) of `count` contiguous slices of the board
    /// entries; returns the partial result as bytes (to send to whoever merges).
    fn verify_shard<'py>(
        &self,
        py: Python<'py>,
        index: u64,
        count: u64,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if count == 0 || index >= count {
            return Err(PyValueError::new_err(format!(
                "shard index {index} is not below the shard count {count}"
            )));
        }
        let path = &self.path;
        let p = py
            .detach(|| vio::verify_file_shard(path, index, count, &mut util::rng()))
            .map_err(|e| errors::read(path, e))?;
        Ok(bytes(py, &p.to_bytes()))
    }

    /// Merges partial results (bytes from `verify_shard` or from earlier merges) into
    /// one; associative and commutative, so they can be merged in any grouping.
    fn merge_partials<'py>(
        &self,
        py: Python<'py>,
        partials: Vec<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let merged = py.detach(|| -> Result<Option<Partial>, ostracon::DecodeError> {
            let mut acc: Option<Partial> = None;
            for b in &partials {
                let p = Partial::from_bytes(b)?;
                match acc.as_mut() {
                    None => acc = Some(p),
                    Some(a) => a.merge(p),
                }
            }
            Ok(acc)
        });
        match merged.map_err(errors::decode)? {
            Some(p) => Ok(bytes(py, &p.to_bytes())),
            None => Err(PyValueError::new_err("no partial results to merge")),
        }
    }

    /// Finishes a sharded verification: checks the record's tail (board summary, tally,
    /// decryptions, results) against the merged partial result of every shard.
    fn finish(&self, py: Python<'_>, partial: &[u8]) -> PyResult<Report> {
        let p = Partial::from_bytes(partial).map_err(errors::decode)?;
        let path = &self.path;
        let r = py
            .detach(|| vio::finish_file(path, p, &mut util::rng()))
            .map_err(|e| errors::read(path, e))?;
        Ok(Report { inner: r })
    }

    /// Pickles as its path (e.g. to send to cluster workers that see the same file).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, (PathBuf,))> {
        Ok((slf.get_type(), (slf.get().path.clone(),)))
    }

    fn __repr__(&self) -> String {
        let id = self
            .header
            .as_ref()
            .map(|h| h.manifest.election_id.clone())
            .unwrap_or_default();
        format!(
            "Record(path={:?}, format='{}', election_id={:?})",
            self.path.display().to_string(),
            format_name(self.format),
            id
        )
    }
}

fn verify_path(py: Python<'_>, path: &Path, progress: Option<Py<PyAny>>) -> PyResult<Report> {
    let mut p = Progress {
        callback: progress.as_ref(),
        error: None,
    };
    let result = py.detach(|| {
        let mut cb = |done: u64, total: u64| p.call(done, total);
        vio::verify_file(path, &mut cb, &mut util::rng())
    });
    if let Some(e) = p.error {
        return Err(e);
    }
    Ok(Report {
        inner: result.map_err(|e| errors::read(path, e))?,
    })
}

/// Verifies the record at `path` (see `Record.verify`).
#[pyfunction]
#[pyo3(signature = (path, progress = None))]
pub fn verify_record(
    py: Python<'_>,
    path: PathBuf,
    progress: Option<Py<PyAny>>,
) -> PyResult<Report> {
    verify_path(py, &path, progress)
}

/// Verifies a record held in memory (either encoding).
#[pyfunction]
pub fn verify_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Report> {
    let r = py
        .detach(|| verify::verify_bytes(data, &mut util::rng()))
        .map_err(errors::record)?;
    Ok(Report { inner: r })
}

// ---------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------

/// Writes a record item by item, atomically: the file appears at `path` only on
/// `close()` (or at the end of a `with` block without an exception).
#[pyclass(module = "ostracon")]
pub struct RecordWriter {
    inner: Mutex<Option<CoreWriter>>,
    path: PathBuf,
}

pub fn format_arg(path: &Path, format: Option<&str>) -> PyResult<Format> {
    match format {
        Some("json") => Ok(Format::Json),
        Some("binary") => Ok(Format::Binary),
        Some(other) => Err(PyValueError::new_err(format!(
            "format must be 'json' or 'binary', not {other:?}"
        ))),
        None => Ok(match path.extension().and_then(|e| e.to_str()) {
            Some("bin") => Format::Binary,
            _ => Format::Json,
        }),
    }
}

impl RecordWriter {
    fn closed(&self) -> PyErr {
        PyValueError::new_err(format!(
            "record writer for {} is closed",
            self.path.display()
        ))
    }
}

#[pymethods]
impl RecordWriter {
    /// Starts writing `path`; `format` is `"json"` or `"binary"` (default: binary for
    /// a `.bin` name, JSON Lines otherwise).
    #[new]
    #[pyo3(signature = (path, format = None))]
    fn py_new(path: PathBuf, format: Option<&str>) -> PyResult<Self> {
        let f = format_arg(&path, format)?;
        let w = CoreWriter::create(&path, f).map_err(|e| errors::io(&path, e))?;
        Ok(Self {
            inner: Mutex::new(Some(w)),
            path,
        })
    }

    /// Appends an item: `RecordHeader`, `VoterRegistry`, `BoardEntry`, `BoardSummary`,
    /// `EncryptedTally`, `PartialDecryption` or `Results`.
    fn write(&self, item: &Bound<'_, PyAny>) -> PyResult<()> {
        let item = py_to_item(item)?;
        let mut g = lock(&self.inner);
        let w = g.as_mut().ok_or_else(|| self.closed())?;
        w.write(&item).map_err(|e| errors::io(&self.path, e))
    }

    /// Flushes, syncs and moves the file into place.
    fn close(&self) -> PyResult<()> {
        match lock(&self.inner).take() {
            Some(w) => w.finish().map_err(|e| errors::io(&self.path, e)),
            None => Ok(()),
        }
    }

    /// Drops what was written (the target file is left as it was).
    fn abort(&self) {
        lock(&self.inner).take();
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (exc_type = None, _exc = None, _tb = None))]
    fn __exit__(
        &self,
        exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        if exc_type.is_some_and(|t| !t.is_none()) {
            self.abort();
        } else {
            self.close()?;
        }
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!(
            "RecordWriter(path={:?}, open={})",
            self.path.display().to_string(),
            if lock(&self.inner).is_some() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// The verifier's checks: `{number: name}`.
pub fn checks<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for c in verify::CHECKS {
        d.set_item(c.id, c.name)?;
    }
    Ok(d)
}
