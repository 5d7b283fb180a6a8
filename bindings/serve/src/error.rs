//! Typed API errors: an HTTP status, a stable code and a message, sent as JSON.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ostracon::{BallotError, BallotErrorKind};
use serde::Serialize;

/// An error answered to a client, as
/// `{"error": {"code": "...", "message": "...", "ballot": ..., "contest": ..., "option": ...}}`.
///
/// The `code` is stable (clients branch on it); the message is for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable error code.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// Ballot, contest and option concerned, when known.
    pub ballot: Option<Box<BallotError>>,
    /// Seconds after which the client may retry (503, 429).
    pub retry_after: Option<u32>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ballot: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contest: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    option: Option<&'a str>,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            ballot: None,
            retry_after: None,
        }
    }

    /// 400: a body that does not parse.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_body", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500: storage or another internal failure (details go to the log, not the client).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// 503 with Retry-After: the service is at capacity.
    pub fn overloaded() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "the ballot box is at capacity; retry after the delay given",
            )
        }
    }

    /// 503 with Retry-After: the configured number of record exports is running.
    pub fn busy_exporting() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "exports_busy",
                "the most record exports the service serves at once are running; retry after the delay given",
            )
        }
    }

    /// 429 with Retry-After: the configured submission rate is exceeded.
    pub fn rate_limited() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many submissions; retry after the delay given",
            )
        }
    }

    /// 409: the board is closed (the tally was computed).
    pub fn closed() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "board_closed",
            "the board is closed: no more ballots are accepted",
        )
    }

    /// A ballot refused by the core, with its stable code.
    pub fn ballot(e: BallotError) -> Self {
        let (status, code) = match &e.kind {
            BallotErrorKind::Decode(_) => (StatusCode::UNPROCESSABLE_ENTITY, "undecodable_ballot"),
            BallotErrorKind::WrongElection => (StatusCode::UNPROCESSABLE_ENTITY, "wrong_election"),
            BallotErrorKind::Malformed(_) => (StatusCode::UNPROCESSABLE_ENTITY, "malformed_ballot"),
            BallotErrorKind::Proof(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_proof"),
            BallotErrorKind::DuplicateId => (StatusCode::CONFLICT, "duplicate_ballot_id"),
            BallotErrorKind::DuplicateCode => (StatusCode::CONFLICT, "duplicate_tracking_code"),
            BallotErrorKind::UnknownVoter => (StatusCode::FORBIDDEN, "unknown_voter"),
            BallotErrorKind::MissingSignature => (StatusCode::FORBIDDEN, "missing_signature"),
            BallotErrorKind::BadSignature => (StatusCode::FORBIDDEN, "bad_signature"),
            BallotErrorKind::BadOpening(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_opening"),
            BallotErrorKind::AlreadyUsed => (StatusCode::CONFLICT, "already_used"),
            BallotErrorKind::WeightNotAllowed { .. } => {
                (StatusCode::FORBIDDEN, "weight_not_allowed")
            }
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_ballot"),
        };
        Self {
            message: e.to_string(),
            ballot: Some(Box::new(e)),
            ..Self::new(status, code, "")
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                ballot: self.ballot.as_ref().map(|b| b.ballot.as_str()),
                contest: self.ballot.as_ref().and_then(|b| b.contest.as_deref()),
                option: self.ballot.as_ref().and_then(|b| b.option.as_deref()),
            },
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}
