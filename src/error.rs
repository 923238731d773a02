//! The one error type of the API, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One failing field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`phone`, `location.lat`, `visits[3].outcome`).
    #[schema(example = "phone")]
    pub field: String,
    /// Stable machine-readable reason.
    #[schema(example = "invalid_phone")]
    pub code: String,
    /// Human-readable explanation.
    #[schema(example = "không phải số di động Việt Nam / not a Vietnamese mobile number")]
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, as sent on every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[schema(example = "urn:gocua:problem:validation")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    #[schema(example = "Dữ liệu không hợp lệ (validation failed)")]
    pub title: String,
    /// HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong in this request.
    #[schema(example = "1 field is invalid")]
    pub detail: String,
    /// Every failing field (empty unless the problem is about input).
    pub errors: Vec<FieldError>,
    /// The request's `X-Request-Id` (added on the way out), to quote when reporting it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5f2b7c1e-8a3d-4e9f-b6c0-1d2e3f4a5b6c")]
    pub request_id: Option<String>,
}

/// Everything a handler can fail with; each variant is one status code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON or query string.
    #[error("{0}")]
    BadRequest(String),
    /// A malformed query parameter.
    #[error("malformed query parameter {}", .0.field)]
    BadQuery(FieldError),
    /// Missing, invalid or expired credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Not found, or outside the caller's scope (indistinguishable on purpose).
    #[error("{0}")]
    NotFound(String),
    /// The path exists, the method does not; the allowed ones go in `Allow`.
    #[error("this path answers {}", .0.join(", "))]
    MethodNotAllowed(Vec<String>),
    /// The request contradicts stored state.
    #[error("{0}")]
    Conflict(String),
    /// Body larger than the configured limit.
    #[error("request body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// Body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body arrived too slowly.
    #[error("{0}")]
    RequestTimeout(String),
    /// One or more fields failed validation.
    #[error("{} invalid", .0.len())]
    Validation(Vec<FieldError>),
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts, retry in {0} s")]
    TooManyRequests(u64),
    /// The database cannot be reached; the client should retry.
    #[error("database unavailable")]
    Unavailable,
    /// A bug or an unexpected failure; details go to the log, never to the client.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// Result type of handlers and queries.
pub type ApiResult<T> = Result<T, ApiError>;

/// Seconds a client should wait before retrying after a 503.
const UNAVAILABLE_RETRY_AFTER: u64 = 5;

impl ApiError {
    /// A 422 for a single field.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The standard 404 wording for a kind of object.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) | Self::BadQuery(_) => {
                ("bad-request", "Yêu cầu sai cú pháp (bad request)")
            }
            Self::Unauthorized(_) => ("unauthorized", "Chưa xác thực (unauthorized)"),
            Self::Forbidden(_) => ("forbidden", "Không có quyền (forbidden)"),
            Self::NotFound(_) => ("not-found", "Không tìm thấy (not found)"),
            Self::MethodNotAllowed(_) => (
                "method-not-allowed",
                "Phương thức không được hỗ trợ (method not allowed)",
            ),
            Self::Conflict(_) => ("conflict", "Xung đột dữ liệu (conflict)"),
            Self::PayloadTooLarge(_) => {
                ("payload-too-large", "Dữ liệu quá lớn (payload too large)")
            }
            Self::UnsupportedMediaType(_) => (
                "unsupported-media-type",
                "Sai định dạng (unsupported media type)",
            ),
            Self::RequestTimeout(_) => ("timeout", "Gửi dữ liệu quá chậm (request timeout)"),
            Self::Validation(_) => ("validation", "Dữ liệu không hợp lệ (validation failed)"),
            Self::TooManyRequests(_) => ("rate-limited", "Quá nhiều yêu cầu (too many requests)"),
            Self::Unavailable => (
                "unavailable",
                "Tạm thời không phục vụ được (service unavailable)",
            ),
            Self::Internal(_) => ("internal", "Lỗi máy chủ (internal error)"),
        }
    }

    /// The body this error renders as.
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let errors = match self {
            Self::Validation(errors) => {
                let mut sorted = errors.clone();
                sorted.sort_by(|a, b| a.field.cmp(&b.field));
                sorted
            }
            Self::BadQuery(error) => vec![error.clone()],
            _ => Vec::new(),
        };
        let detail = match self {
            Self::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                many => format!("{} fields are invalid", many.len()),
            },
            Self::Unavailable => "the database is unavailable; retry shortly".into(),
            Self::Internal(_) => "an unexpected error occurred; it has been logged".into(),
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:gocua:problem:{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
            request_id: None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::BadQuery(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            Self::TooManyRequests(secs) => {
                crate::metrics::rate_limited();
                res.insert_header((header::RETRY_AFTER, secs.max(&1).to_string()));
            }
            Self::Unavailable => {
                res.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string()));
            }
            Self::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed(methods) => {
                res.insert_header((header::ALLOW, methods.join(", ")));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Self::Unavailable,
            Error::DatabaseError(_, ref info) if is_unavailable_message(info.message()) => {
                Self::Unavailable
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// Messages of errors that mean "the database is down or busy", not "the query is wrong".
fn is_unavailable_message(message: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "database is locked",
        "server closed the connection",
        "terminating connection",
        "could not connect",
        "the database system is",
        "connection refused",
    ];
    let lower = message.to_ascii_lowercase();
    SIGNS.iter().any(|s| lower.contains(s))
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        Self::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        Self::Validation(field_errors(&errors))
    }
}

/// Flattens validator's nested errors into dotted field paths.
pub fn field_errors(errors: &validator::ValidationErrors) -> Vec<FieldError> {
    fn walk(prefix: &str, errors: &validator::ValidationErrors, out: &mut Vec<FieldError>) {
        use validator::ValidationErrorsKind;
        for (field, kind) in errors.errors() {
            let path = if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        let message = e
                            .message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| format!("failed check {}", e.code));
                        out.push(FieldError::new(path.clone(), &e.code, message));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(&path, inner, out),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(&format!("{path}[{i}]"), inner, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", errors, &mut out);
    out
}
