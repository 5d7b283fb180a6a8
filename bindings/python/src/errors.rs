//! The exception hierarchy and the conversion of every core error into it.
//!
//! One class per kind of core error, all under `ostracon.Error`. Every exception carries
//! the core's stable machine-readable code unchanged in `.code` (e.g.
//! `"decode.invalid_point"`, `"ballot.proof"`), and the core's message, which names what
//! was wrong and where. Nothing here decides anything: the core's error kind picks
//! the class.

use std::path::Path;

use ostracon::error::{BallotError as CoreBallotError, DecodeError as CoreDecodeError};
use ostracon::record::io::ReadError;
use ostracon::Error as CoreError;
use pyo3::exceptions::{PyException, PyOSError};
use pyo3::prelude::*;
use pyo3::{create_exception, PyTypeInfo};

create_exception!(
    ostracon,
    Error,
    PyException,
    "Base class of every ostracon error. `code` is the core's stable error code."
);
create_exception!(
    ostracon,
    DecodeError,
    Error,
    "Bytes or text that do not decode to the expected object (codes `decode.*`)."
);
create_exception!(
    ostracon,
    ProofError,
    Error,
    "A zero-knowledge proof that does not verify (code `proof.invalid`)."
);
create_exception!(
    ostracon,
    InvalidInput,
    Error,
    "A request that cannot be made with these arguments (code `input.invalid`)."
);
create_exception!(
    ostracon,
    SelectionError,
    InvalidInput,
    "A plaintext selection that breaks its contest's rule (code `selection.invalid`)."
);
create_exception!(
    ostracon,
    ManifestError,
    InvalidInput,
    "A manifest that breaks a structural rule (code `manifest.invalid`)."
);
create_exception!(
    ostracon,
    DlogNotFound,
    Error,
    "A decrypted value outside the searched range (code `dlog.not_found`)."
);
create_exception!(
    ostracon,
    BallotError,
    Error,
    "An encrypted ballot refused (codes `ballot.*`); `ballot`, `contest`, `option` say where."
);
create_exception!(
    ostracon,
    RecordError,
    Error,
    "A record file that is not a readable record (code `record.corrupt`); `at`, `line`, `offset` say where."
);
create_exception!(
    ostracon,
    Unsupported,
    Error,
    "A feature this build or this election does not support (code `unsupported`)."
);

/// An exception of class `T` with `message`, and attributes `code` and `attrs`.
fn raise<T: PyTypeInfo>(message: String, code: &str, attrs: &[(&str, Option<String>)]) -> PyErr {
    Python::attach(|py| {
        let err = PyErr::new::<T, _>(message);
        let value = err.value(py);
        // Setting attributes on a fresh exception instance cannot fail in practice; if
        // it did, the exception without the attribute is still the right one to raise.
        let _ = value.setattr("code", code);
        for (k, v) in attrs {
            let _ = value.setattr(*k, v.clone());
        }
        err
    })
}

/// A core decoding error.
pub fn decode(e: CoreDecodeError) -> PyErr {
    raise::<DecodeError>(e.to_string(), e.code(), &[])
}

/// A registry that is not the one the election commits, or an attestation refused
/// (`InvalidInput`, codes `registry.*`).
pub fn registry(e: ostracon::registry::RegistryError) -> PyErr {
    raise::<InvalidInput>(e.to_string(), e.code(), &[])
}

/// A core ballot error.
pub fn ballot(e: CoreBallotError) -> PyErr {
    raise::<BallotError>(
        e.to_string(),
        e.code(),
        &[
            ("ballot", Some(e.ballot.clone())),
            ("contest", e.contest.clone()),
            ("option", e.option.clone()),
        ],
    )
}

/// Any core error: the class follows the core's kind.
pub fn core(e: CoreError) -> PyErr {
    let msg = e.to_string();
    let code = e.code();
    match e {
        CoreError::Decode(d) => decode(d),
        CoreError::Proof(_) => raise::<ProofError>(msg, code, &[]),
        CoreError::InvalidInput(_) => raise::<InvalidInput>(msg, code, &[]),
        CoreError::DlogNotFound { .. } => raise::<DlogNotFound>(msg, code, &[]),
        CoreError::InvalidManifest(_) => raise::<ManifestError>(msg, code, &[]),
        CoreError::InvalidSelection { contest, .. } => {
            raise::<SelectionError>(msg, code, &[("contest", Some(contest))])
        }
        CoreError::InvalidBallot(b) => ballot(b),
        CoreError::Unsupported(_) => raise::<Unsupported>(msg, code, &[]),
        // The core's error is non-exhaustive: a new kind is still an ostracon.Error.
        _ => raise::<Error>(msg, code, &[]),
    }
}

/// An I/O error about `path`, as the matching `OSError` subclass (e.g.
/// `FileNotFoundError`), with `filename` set.
pub fn io(path: &Path, e: std::io::Error) -> PyErr {
    let path = path.display().to_string();
    match e.raw_os_error() {
        // OSError(errno, strerror, filename) picks the subclass from errno.
        Some(errno) => PyOSError::new_err((errno, e.to_string(), path)),
        None => PyOSError::new_err(format!("{path}: {e}")),
    }
}

/// A corrupt record: `at` is the core's position ("line N" for JSON Lines, "byte N" for
/// the binary encoding), also given as the integer attributes `line` / `offset`.
pub fn corrupt(path: Option<&Path>, at: &str, reason: &str) -> PyErr {
    let place = match path {
        Some(p) => format!("{}: ", p.display()),
        None => String::new(),
    };
    let number = |prefix: &str| {
        at.strip_prefix(prefix)
            .and_then(|n| n.trim().parse::<u64>().ok())
    };
    let err = raise::<RecordError>(
        format!("{place}record corrupt at {at}: {reason}"),
        ostracon::record::RecordError::CODE,
        &[
            ("at", Some(at.to_string())),
            ("reason", Some(reason.to_string())),
            ("path", path.map(|p| p.display().to_string())),
        ],
    );
    Python::attach(|py| {
        let value = err.value(py);
        let _ = value.setattr("line", number("line "));
        let _ = value.setattr("offset", number("byte "));
    });
    err
}

/// A record file that could not be read.
pub fn read(path: &Path, e: ReadError) -> PyErr {
    match e {
        ReadError::Io(io_err) => io(path, io_err),
        ReadError::Corrupt { at, reason } => corrupt(Some(path), &at, &reason),
    }
}

/// A record held in memory that could not be read.
pub fn record(e: ostracon::record::RecordError) -> PyErr {
    corrupt(None, &e.at, &e.reason)
}

/// Registers the classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("ProofError", py.get_type::<ProofError>())?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("SelectionError", py.get_type::<SelectionError>())?;
    m.add("ManifestError", py.get_type::<ManifestError>())?;
    m.add("DlogNotFound", py.get_type::<DlogNotFound>())?;
    m.add("BallotError", py.get_type::<BallotError>())?;
    m.add("RecordError", py.get_type::<RecordError>())?;
    m.add("Unsupported", py.get_type::<Unsupported>())?;
    Ok(())
}
