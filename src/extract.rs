//! Request body and query extractors that fail with problem+json naming the field, instead
//! of actix's plain-text errors, and never echo submitted values (they may be citizen ids).

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};
use crate::json_shape::{self, Complaint};
use crate::messages as msg;
use crate::state::AppState;

/// A JSON body of type `T`, bounded by `GOCUA_MAX_BODY_BYTES`; unknown fields are refused by
/// the `deny_unknown_fields` on each request type, and text holding control characters
/// before anything else. `ApiJson<T, false>` leaves the text check to the handler, for a
/// batch whose records each stand alone (one bad record must not refuse the others).
#[derive(Debug)]
pub struct ApiJson<T, const CHECK_TEXT: bool = true>(pub T);

impl<T: DeserializeOwned + 'static, const CHECK_TEXT: bool> FromRequest for ApiJson<T, CHECK_TEXT> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (limit, idle, whole) = req
            .app_data::<web::Data<AppState>>()
            .map(|s| {
                (
                    s.config.max_body_bytes,
                    s.config.body_idle_timeout,
                    s.config.body_timeout,
                )
            })
            .unwrap_or((64 * 1024, Duration::from_secs(10), Duration::from_secs(120)));
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let encoding = BodyEncoding::of(req);
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            let gzip = encoding?;
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(msg::SEND_JSON));
            }
            let read = async {
                let mut body = BytesMut::new();
                loop {
                    let next = actix_web::rt::time::timeout(idle, payload.next())
                        .await
                        .map_err(|_| ApiError::RequestTimeout(msg::body_stalled(idle.as_secs())))?;
                    let Some(chunk) = next else {
                        return Ok(body);
                    };
                    let chunk = chunk
                        .map_err(|e| ApiError::BadRequest(msg::reading_body(&e.to_string())))?;
                    if body.len() + chunk.len() > limit {
                        return Err(ApiError::PayloadTooLarge(limit));
                    }
                    body.extend_from_slice(&chunk);
                }
            };
            let body = actix_web::rt::time::timeout(whole, read)
                .await
                .map_err(|_| ApiError::RequestTimeout(msg::body_too_slow(whole.as_secs())))??;
            let body = if gzip {
                gunzip(&body, limit)?
            } else {
                body.freeze()
            };
            if CHECK_TEXT {
                parse_json(&body).map(ApiJson)
            } else {
                decode_json(&body).map(ApiJson)
            }
        })
    }
}

/// How a request body is encoded: plain, or gzip (a phone's batch on a slow rural link).
struct BodyEncoding;

impl BodyEncoding {
    /// `Ok(true)` for gzip, `Ok(false)` for none; any other coding is refused (415).
    fn of(req: &HttpRequest) -> Result<bool, ApiError> {
        let Some(value) = req.headers().get(header::CONTENT_ENCODING) else {
            return Ok(false);
        };
        match value
            .to_str()
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            Ok("gzip" | "x-gzip") => Ok(true),
            Ok("identity" | "") => Ok(false),
            _ => Err(ApiError::UnsupportedMediaType(msg::SEND_PLAIN_OR_GZIP)),
        }
    }
}

/// Inflates a gzip body, never past `limit` bytes: the limit holds for the decompressed
/// size, so a small bomb is a 413 after at most `limit` bytes, not a full inflation.
fn gunzip(compressed: &[u8], limit: usize) -> Result<web::Bytes, ApiError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(compressed)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| ApiError::BadRequest(msg::NOT_GZIP))?;
    if out.len() > limit {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    Ok(out.into())
}

/// Parses a JSON document, refusing text with control characters (422, every such field
/// named) and mapping serde's error to 400 (syntax) or 422 (shape) with the offending
/// field's path.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if crate::text::may_hold_control(body) {
        // A syntax error is reported by the decoding below.
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            let errors = crate::text::control_errors(&value, "");
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
        }
    }
    decode_json(body)
}

/// Decodes a JSON document as [`parse_json`] does, without the control-character check.
/// The body is decoded straight into `T` first; only a body of the wrong shape is read again
/// as a JSON tree with integral numbers made integers (`json_shape::integral_numbers`), so
/// the common case pays nothing for `2.0`.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => value,
        Err(err) if err.inner().classify() == serde_json::error::Category::Data => {
            let Ok(mut tree) = serde_json::from_slice::<serde_json::Value>(body) else {
                return Err(shape_error(&err.path().to_string(), err.inner()));
            };
            if !json_shape::integral_numbers(&mut tree) {
                return Err(shape_error(&err.path().to_string(), err.inner()));
            }
            return decode_value(tree).map_err(|e| ApiError::Validation(vec![e]));
        }
        Err(err) => return Err(shape_error(&err.path().to_string(), err.inner())),
    };
    de.end()
        .map_err(|_| ApiError::BadRequest(msg::TRAILING_JSON))?;
    Ok(value)
}

fn shape_error(path: &str, err: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::BadRequest(msg::malformed_json(err.line(), err.column()))
        }
        Category::Data => {
            let message = err.to_string();
            let base = if path == "." {
                String::new()
            } else {
                path.to_owned()
            };
            ApiError::Validation(vec![describe(&base, &message)])
        }
    }
}

/// Turns a serde message into a field error in words for people (`json_shape::complaint`),
/// without echoing the submitted value.
fn describe(base: &str, message: &str) -> FieldError {
    let join = |name: &str| {
        if base.is_empty() {
            name.to_owned()
        } else {
            format!("{base}.{name}")
        }
    };
    let field = if base.is_empty() {
        "body".to_owned()
    } else {
        base.to_owned()
    };
    match json_shape::complaint(message) {
        Complaint::UnknownField(name) => {
            // serde_path_to_error already ends the path with the unknown field's name. A
            // key named "" is shown quoted, or the error would seem to be about the body.
            let field = if name.is_empty() {
                let parent = base.strip_suffix('.').unwrap_or(base);
                if parent.is_empty() {
                    "\"\"".to_owned()
                } else {
                    format!("{parent}.\"\"")
                }
            } else if base.ends_with(name.as_str()) {
                base.to_owned()
            } else {
                join(&name)
            };
            FieldError::new(field, "unknown_field", msg::UNKNOWN_FIELD)
        }
        Complaint::MissingField(name) => FieldError::new(join(&name), "required", msg::REQUIRED),
        Complaint::NotOneOf(allowed) => {
            FieldError::new(field, "invalid_choice", msg::one_of(&allowed))
        }
        Complaint::OutOfRange => FieldError::new(field, "out_of_range", msg::OUT_OF_RANGE),
        Complaint::WrongType(words) => FieldError::new(field, "invalid_type", words),
        Complaint::Invalid => FieldError::new(field, "invalid", msg::INVALID),
    }
}

/// Query parameters of type `T`; a malformed parameter is a 400 that names it.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // An empty parameter (`?cursor=`) means the same as an absent one.
        let pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let refused: Vec<FieldError> = pairs
            .iter()
            .filter(|(_, v)| crate::text::has_control(v, false))
            .map(|(k, _)| crate::text::control_error(k.clone()))
            .collect();
        if !refused.is_empty() {
            return std::future::ready(Err(ApiError::Validation(refused)));
        }
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(ApiQuery)
                .map_err(|err| {
                    let path = err.path().to_string();
                    let message = err.into_inner().to_string();
                    let field = describe(if path == "." { "" } else { &path }, &message);
                    ApiError::BadQuery(FieldError {
                        field: if field.field == "body" {
                            "query".into()
                        } else {
                            field.field
                        },
                        ..field
                    })
                }),
        )
    }
}

/// A body field parsed on its own, so that one malformed value (a wrong type, an unknown
/// enum value) does not hide the other fields' errors: validation lists them all at once.
#[derive(Debug, Clone)]
pub enum Checked<T> {
    /// The value parsed.
    Valid(T),
    /// It did not; the error names the path inside the field, if any.
    Invalid(FieldError),
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Checked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(deserializer)?;
        json_shape::integral_numbers(&mut value);
        Ok(match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Checked::Valid(v),
            Err(err) => {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                Checked::Invalid(describe(if path == "." { "" } else { &path }, &message))
            }
        })
    }
}

impl<T> Checked<T> {
    /// The value, or `None` with the error recorded under `field`.
    pub fn take(self, field: &str, errors: &mut Vec<FieldError>) -> Option<T> {
        match self {
            Checked::Valid(v) => Some(v),
            Checked::Invalid(mut e) => {
                e.field = match e.field.as_str() {
                    "body" => field.to_owned(),
                    inner if inner.starts_with('[') => format!("{field}{inner}"),
                    inner => format!("{field}.{inner}"),
                };
                errors.push(e);
                None
            }
        }
    }
}

/// Takes an optional checked field.
pub fn optional<T>(
    value: Option<Checked<T>>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    value.and_then(|v| v.take(field, errors))
}

/// Takes a required checked field: absent or `null` is a `required` error.
pub fn required<T>(
    value: Option<Checked<T>>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match value {
        None => {
            errors.push(FieldError::new(field, "required", msg::REQUIRED));
            None
        }
        Some(v) => v.take(field, errors),
    }
}

/// Parses one JSON value as `T` (an element of a batch), naming the failing field; text
/// with control characters is refused first, every such field named.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Vec<FieldError>> {
    let errors = crate::text::control_errors(&value, "");
    if !errors.is_empty() {
        return Err(errors);
    }
    decode_value(value).map_err(|e| vec![e])
}

fn decode_value<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, FieldError> {
    json_shape::integral_numbers(&mut value);
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        describe(if path == "." { "" } else { &path }, &message)
    })
}

/// The language of the answer, from `Accept-Language` (see `messages::Lang::negotiate`).
impl FromRequest for crate::messages::Lang {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(language_of(req.headers())))
    }
}

/// The language a request asks for.
pub fn language_of(headers: &header::HeaderMap) -> crate::messages::Lang {
    crate::messages::Lang::negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

#[cfg(test)]
mod tests {
    use super::{from_value, parse_json};
    use crate::error::ApiError;
    use crate::records::input::VisitInput;

    fn field_of(body: &str) -> String {
        match parse_json::<VisitInput>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// Found by the sync fuzz target: a key named "" was reported as field "", which reads
    /// as "the whole body".
    #[test]
    fn an_unknown_empty_key_is_named() {
        assert_eq!(field_of(r#"{"": 1}"#), r#""""#);
        let nested = parse_json::<VisitInput>(br#"{"location": {"": 1}}"#).unwrap();
        let mut errors = Vec::new();
        assert!(
            nested
                .location
                .unwrap()
                .take("location", &mut errors)
                .is_none()
        );
        assert_eq!(errors[0].field, r#"location."""#);
        assert_eq!(field_of(r#"{"colour": 1}"#), "colour");
        let value = serde_json::json!({"": 1});
        assert_eq!(
            from_value::<VisitInput>(value).unwrap_err()[0].field,
            r#""""#
        );
    }
}
