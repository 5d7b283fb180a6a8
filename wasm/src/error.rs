//! Core errors as JavaScript errors.
//!
//! Every failure reaches JavaScript as a thrown `Error` whose `name` is
//! `"OstraconError"`, whose `code` is the core's stable [`ostracon::Error::code`] and
//! whose `message` is the core's `Display` message (naming the ballot, contest and
//! option). Where the core error says where the problem is, `ballot`, `contest` and
//! `option` carry it as separate properties so a booth can highlight the contest.

use ostracon::record::RecordError;
use ostracon::{BallotError, DecodeError, Error};
use wasm_bindgen::JsValue;

/// A failure on its way to JavaScript (converted at the boundary by `Into<JsValue>`).
#[derive(Debug)]
pub struct OstraconError {
    code: &'static str,
    message: String,
    ballot: Option<String>,
    contest: Option<String>,
    option: Option<String>,
}

impl OstraconError {
    fn plain(code: &'static str, message: String) -> Self {
        Self {
            code,
            message,
            ballot: None,
            contest: None,
            option: None,
        }
    }

    /// `input.invalid`: an argument that is not what the API expects (JSON that does
    /// not parse, a key of the wrong length). The message names the argument.
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into()).into()
    }
}

impl From<Error> for OstraconError {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidBallot(b) => b.into(),
            Error::InvalidSelection { ref contest, .. } => Self {
                contest: Some(contest.clone()),
                ..Self::plain(e.code(), e.to_string())
            },
            e => Self::plain(e.code(), e.to_string()),
        }
    }
}

impl From<BallotError> for OstraconError {
    fn from(e: BallotError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
            ballot: Some(e.ballot.clone()).filter(|b| !b.is_empty()),
            contest: e.contest.clone(),
            option: e.option.clone(),
        }
    }
}

impl From<DecodeError> for OstraconError {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e).into()
    }
}

impl From<RecordError> for OstraconError {
    fn from(e: RecordError) -> Self {
        Self::plain(e.code(), e.to_string())
    }
}

impl From<OstraconError> for JsValue {
    fn from(e: OstraconError) -> Self {
        let err = js_sys::Error::new(&e.message);
        err.set_name("OstraconError");
        let set = |key: &str, value: Option<&str>| {
            if let Some(v) = value {
                // Setting a property on a fresh Error object cannot fail.
                let _ = js_sys::Reflect::set(&err, &JsValue::from_str(key), &JsValue::from_str(v));
            }
        };
        set("code", Some(e.code));
        set("ballot", e.ballot.as_deref());
        set("contest", e.contest.as_deref());
        set("option", e.option.as_deref());
        err.into()
    }
}

/// Result of the exported functions.
pub type Result<T, E = OstraconError> = core::result::Result<T, E>;
