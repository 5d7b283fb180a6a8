//! Small conversions shared by the wrappers.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::errors;

/// The operating system's randomness (what every randomized core call gets).
pub fn rng() -> rand::rngs::OsRng {
    rand::rngs::OsRng
}

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A JSON text as Python objects (`json.loads`).
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let loads = JSON_LOADS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    loads.bind(py).call1((text,))
}

/// A core value as plain Python objects, through its serde (JSON) form.
pub fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    json_loads(py, &to_json(value)?)
}

/// A core value's JSON text (its serde form, as the record and the CLI write it).
pub fn to_json<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value)
        .map_err(|e| errors::core(ostracon::Error::InvalidInput(format!("JSON: {e}"))))
}

/// Parses `text` (str or bytes) as the JSON form of `T`; errors name `what`.
pub fn from_json<T: DeserializeOwned>(text: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let bytes = text_bytes(text)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| errors::core(ostracon::Error::InvalidInput(format!("{what} JSON: {e}"))))
}

/// The bytes of a `str` (UTF-8) or bytes-like argument.
pub fn text_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "expected str or bytes, got {}",
        obj.get_type().name()?
    )))
}

/// Python `bytes`.
pub fn bytes<'py>(py: Python<'py>, b: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, b)
}

/// Lowercase hex of `b`.
pub fn hex(b: &[u8]) -> String {
    ostracon::hex::encode(b)
}

/// A 32-byte value from bytes, or a decode error naming `what`.
pub fn array32(b: &[u8], what: &'static str) -> PyResult<[u8; 32]> {
    b.try_into().map_err(|_| {
        errors::decode(ostracon::DecodeError::new(
            what,
            ostracon::DecodeErrorKind::WrongLength {
                expected: 32,
                found: b.len(),
            },
        ))
    })
}
