//! Conversions between JavaScript values and core types. No validation happens here
//! beyond what parsing needs: every rule is checked by the core.

use ostracon::ballot::{BallotOpening, EncryptedBallot, PlaintextBallot};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{OstraconError, Result};

/// A plaintext ballot whose values are wiped when dropped (they are the vote).
pub(crate) struct SecretPlaintext(pub PlaintextBallot);

impl Drop for SecretPlaintext {
    fn drop(&mut self) {
        for values in self.0 .0.values_mut() {
            values.zeroize();
        }
    }
}

/// A plaintext ballot given as JSON text or as an object `{ contestId: number[] }`.
pub(crate) fn plaintext(value: &JsValue) -> Result<SecretPlaintext> {
    let json = Zeroizing::new(match value.as_string() {
        Some(s) => s,
        None if value.is_object() => js_sys::JSON::stringify(value)
            .map(String::from)
            .map_err(|_| OstraconError::invalid_input("plaintext ballot: not serialisable"))?,
        None => {
            return Err(OstraconError::invalid_input(
                "plaintext ballot: expected JSON text or an object { contestId: number[] }",
            ))
        }
    });
    serde_json::from_str(&json)
        .map(SecretPlaintext)
        .map_err(|e| OstraconError::invalid_input(format!("plaintext ballot JSON: {e}")))
}

/// An encrypted ballot given as its canonical bytes (`Uint8Array`) or as its JSON
/// form (the bytes as a hex string, quoted or not).
pub(crate) fn ballot(value: &JsValue) -> Result<EncryptedBallot> {
    let bytes = if let Some(s) = value.as_string() {
        let t = s.trim();
        let hex = match serde_json::from_str::<String>(t) {
            Ok(h) => h,
            Err(_) => t.to_owned(),
        };
        ostracon::hex::decode(&hex, "ballot")?
    } else if let Some(a) = value.dyn_ref::<js_sys::Uint8Array>() {
        a.to_vec()
    } else {
        return Err(OstraconError::invalid_input(
            "ballot: expected a Uint8Array (canonical bytes) or a string (JSON / hex)",
        ));
    };
    Ok(EncryptedBallot::from_bytes(&bytes)?)
}

/// A challenge opening given as JSON text (what `EncryptedBallot.challenge()` returns)
/// or as the parsed object.
pub(crate) fn opening(value: &JsValue) -> Result<BallotOpening> {
    let json = match value.as_string() {
        Some(s) => s,
        None if value.is_object() => js_sys::JSON::stringify(value)
            .map(String::from)
            .map_err(|_| OstraconError::invalid_input("opening: not serialisable"))?,
        None => return Err(OstraconError::invalid_input("opening: expected JSON text")),
    };
    serde_json::from_str(&json)
        .map_err(|e| OstraconError::invalid_input(format!("opening JSON: {e}")))
}

/// A serialisable core value as a plain JavaScript object (through its JSON form, so
/// JavaScript sees exactly the core's JSON).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    match serde_json::to_string(value) {
        Ok(s) => js_sys::JSON::parse(&s).unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    }
}

/// Sets `key` on a plain object (cannot fail on a fresh object).
pub(crate) fn set(obj: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value.into());
}
