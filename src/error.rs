//! The one error type of the API, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{DbError, WorkError};
use crate::messages::{self as msg, Lang, Text};

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One failing field of a request, its message in both languages until the answer is
/// written in the caller's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`phone`, `location.lat`, `visits[3].outcome`).
    pub field: String,
    /// Stable machine-readable reason.
    pub code: String,
    /// Words for people.
    pub message: Text,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: &str, message: Text) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }

    /// The error as sent, in `lang`.
    pub fn view(&self, lang: Lang) -> FieldErrorView {
        FieldErrorView {
            field: self.field.clone(),
            code: self.code.clone(),
            message: self.message.get(lang).to_owned(),
        }
    }
}

/// One failing field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(as = FieldError)]
pub struct FieldErrorView {
    /// Dotted path of the field (`phone`, `location.lat`, `visits[3].outcome`).
    #[schema(example = "phone")]
    pub field: String,
    /// Stable machine-readable reason; the same in every language.
    #[schema(example = "invalid_phone")]
    pub code: String,
    /// Human-readable explanation, in Vietnamese or, with `Accept-Language: en`, English.
    #[schema(example = "Không phải số di động Việt Nam")]
    pub message: String,
}

/// RFC 9457 problem details, as sent on every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[schema(example = "urn:gocua:problem:validation")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    #[schema(example = "Dữ liệu không hợp lệ")]
    pub title: String,
    /// HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong in this request.
    #[schema(example = "phone: Không phải số di động Việt Nam")]
    pub detail: String,
    /// Every failing field (empty unless the problem is about input; a locked period names
    /// `occurred_on` with code `period_locked`).
    pub errors: Vec<FieldErrorView>,
    /// The accepted certification that locks the record's period (`period_locked` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certification_id: Option<String>,
    /// The open household that has the label (`duplicate_label` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
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
    BadRequest(Text),
    /// A malformed query parameter.
    #[error("malformed query parameter {}", .0.field)]
    BadQuery(FieldError),
    /// Missing, invalid or expired credentials.
    #[error("{0}")]
    Unauthorized(Text),
    /// Authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(Text),
    /// Not found, or outside the caller's scope (indistinguishable on purpose).
    #[error("{0}")]
    NotFound(Text),
    /// The path exists, the method does not; the allowed ones go in `Allow`.
    #[error("this path answers {}", .0.join(", "))]
    MethodNotAllowed(Vec<String>),
    /// The request contradicts stored state.
    #[error("{0}")]
    Conflict(Text),
    /// The record's period is locked by this accepted certification.
    #[error("period locked by certification {0}")]
    PeriodLocked(String),
    /// An open household of the hamlet has the label: this one.
    #[error("label taken by household {0}")]
    DuplicateLabel(String),
    /// Body larger than the configured limit.
    #[error("request body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// Body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(Text),
    /// The body arrived too slowly.
    #[error("{0}")]
    RequestTimeout(Text),
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
    pub fn field(field: &str, code: &str, message: Text) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    fn slug_and_title(&self) -> (&'static str, Text) {
        match self {
            Self::BadRequest(_) | Self::BadQuery(_) => ("bad-request", msg::TITLE_BAD_REQUEST),
            Self::Unauthorized(_) => ("unauthorized", msg::TITLE_UNAUTHORIZED),
            Self::Forbidden(_) => ("forbidden", msg::TITLE_FORBIDDEN),
            Self::NotFound(_) => ("not-found", msg::TITLE_NOT_FOUND),
            Self::MethodNotAllowed(_) => ("method-not-allowed", msg::TITLE_METHOD_NOT_ALLOWED),
            Self::Conflict(_) => ("conflict", msg::TITLE_CONFLICT),
            Self::PeriodLocked(_) => ("period-locked", msg::TITLE_CONFLICT),
            Self::DuplicateLabel(_) => ("duplicate-label", msg::TITLE_CONFLICT),
            Self::PayloadTooLarge(_) => ("payload-too-large", msg::TITLE_PAYLOAD_TOO_LARGE),
            Self::UnsupportedMediaType(_) => {
                ("unsupported-media-type", msg::TITLE_UNSUPPORTED_MEDIA_TYPE)
            }
            Self::RequestTimeout(_) => ("timeout", msg::TITLE_TIMEOUT),
            Self::Validation(_) => ("validation", msg::TITLE_VALIDATION),
            Self::TooManyRequests(_) => ("rate-limited", msg::TITLE_RATE_LIMITED),
            Self::Unavailable => ("unavailable", msg::TITLE_UNAVAILABLE),
            Self::Internal(_) => ("internal", msg::TITLE_INTERNAL),
        }
    }

    fn detail(&self, lang: Lang) -> String {
        let text = match self {
            Self::Validation(errors) => match errors.as_slice() {
                [one] => return format!("{}: {}", one.field, one.message.get(lang)),
                many => msg::invalid_fields(many.len()),
            },
            Self::BadQuery(error) => msg::bad_query(&error.field),
            Self::BadRequest(t)
            | Self::Unauthorized(t)
            | Self::Forbidden(t)
            | Self::NotFound(t)
            | Self::Conflict(t)
            | Self::UnsupportedMediaType(t)
            | Self::RequestTimeout(t) => t.clone(),
            Self::MethodNotAllowed(methods) => msg::path_answers(&methods.join(", ")),
            Self::PeriodLocked(id) => msg::period_locked(id),
            Self::DuplicateLabel(_) => msg::DUPLICATE_LABEL,
            Self::PayloadTooLarge(limit) => msg::body_too_large(*limit),
            Self::TooManyRequests(secs) => msg::retry_in(*secs),
            Self::Unavailable => msg::UNAVAILABLE,
            Self::Internal(_) => msg::INTERNAL,
        };
        text.get(lang).to_owned()
    }

    /// The body this error renders as, in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let (slug, title) = self.slug_and_title();
        let mut errors: Vec<FieldErrorView> = match self {
            Self::Validation(errors) => errors.iter().map(|e| e.view(lang)).collect(),
            Self::BadQuery(error) => vec![error.view(lang)],
            Self::PeriodLocked(id) => vec![
                FieldError::new("occurred_on", "period_locked", msg::period_locked(id)).view(lang),
            ],
            Self::DuplicateLabel(_) => {
                vec![FieldError::new("label", "duplicate_label", msg::DUPLICATE_LABEL).view(lang)]
            }
            _ => Vec::new(),
        };
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Problem {
            kind: format!("urn:gocua:problem:{slug}"),
            title: title.get(lang).to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(lang),
            errors,
            certification_id: match self {
                Self::PeriodLocked(id) => Some(id.clone()),
                _ => None,
            },
            duplicate_of: match self {
                Self::DuplicateLabel(id) => Some(id.clone()),
                _ => None,
            },
            request_id: None,
        }
    }
}

/// The English body of a problem answer, kept beside the Vietnamese one it is sent with,
/// for the middleware that knows the request's language (`request_id::middleware`); an
/// error itself never sees the request.
#[derive(Debug, Clone)]
pub struct EnglishProblem(pub Vec<u8>);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::BadQuery(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::PeriodLocked(_) | Self::DuplicateLabel(_) => {
                StatusCode::CONFLICT
            }
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
        let english = serde_json::to_vec(&self.problem(Lang::En)).unwrap_or_default();
        let mut res = res.body(serde_json::to_vec(&self.problem(Lang::Vi)).unwrap_or_default());
        res.extensions_mut().insert(EnglishProblem(english));
        res
    }
}

/// One failing field (a page's `limit` or `cursor`, say) is a 422 naming it.
impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::Validation(vec![e])
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable => Self::Unavailable,
            DbError::Query(diesel::result::Error::NotFound) => Self::NotFound(msg::NOT_FOUND),
            DbError::Query(other) => Self::Internal(other.into()),
            DbError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        DbError::from(e).into()
    }
}

impl WorkError for ApiError {
    fn is_database_failure(&self) -> bool {
        matches!(self, Self::Unavailable | Self::Internal(_))
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

/// The catalogue's words for a broken `validator` rule, from its code and bounds.
fn rule_message(e: &validator::ValidationError) -> Text {
    let bound = |name: &str| {
        e.params
            .get(name)
            .and_then(serde_json::Value::as_u64)
            .map(|n| n as usize)
    };
    match (e.code.as_ref(), bound("min"), bound("max")) {
        ("invalid_phone", _, _) => msg::INVALID_PHONE,
        ("length", Some(min), Some(max)) => msg::length(min, max),
        ("length" | "too_long", None, Some(max)) => msg::at_most_chars(max),
        ("length" | "too_short", Some(min), None) => msg::at_least_chars(min),
        _ => msg::INVALID,
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
                        out.push(FieldError::new(path.clone(), &e.code, rule_message(e)));
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
