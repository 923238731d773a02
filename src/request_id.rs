//! `X-Request-Id`: taken from the client when it sends a sane one, made up otherwise,
//! echoed on every response and written into every problem+json body, so a volunteer's
//! screenshot of an error leads straight to the server's log line. Problem bodies are also
//! put in the request's language here, the one place that sees both the error and the
//! request (`error::EnglishProblem`).

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::error::EnglishProblem;
use crate::messages::Lang;

/// The header's name.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served (in the request's extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client id is kept if it is 1–128 characters of letters, digits, `.`, `_` and `-`.
fn acceptable(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The request's id: the client's `X-Request-Id` when sane, else the one tracing-actix-web
/// made. The log span (`access_log::QuietRootSpan`) and this middleware both ask here, so
/// the log line and the problem body carry the same id.
pub fn choose(req: &ServiceRequest) -> String {
    if let Some(RequestId(id)) = req.extensions().get::<RequestId>() {
        return id.clone();
    }
    req.headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        // Without one of the client's, reuse the id the request's log span already carries.
        .or_else(|| {
            req.extensions()
                .get::<tracing_actix_web::RequestId>()
                .map(|r| r.to_string())
        })
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The middleware: assigns the id, then stamps the response.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = choose(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let lang = crate::extract::language_of(req.headers());
    let res = next.call(req).await?;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == crate::error::PROBLEM_JSON.as_bytes());
    let mut res = if is_problem {
        let english = match lang {
            Lang::En => res.response().extensions().get::<EnglishProblem>().cloned(),
            Lang::Vi => None,
        };
        let (req, res) = res.into_parts();
        let (mut res, body) = res.into_parts();
        let bytes = to_bytes(body)
            .await
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.into()))?;
        let bytes = english.map_or(bytes, |EnglishProblem(b)| b.into());
        let headers = res.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
        let mut problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if let Some(map) = problem.as_object_mut() {
            map.insert("request_id".into(), serde_json::Value::String(id.clone()));
        }
        let res = res.set_body(serde_json::to_vec(&problem).unwrap_or_default());
        ServiceResponse::new(req, res).map_into_boxed_body()
    } else {
        res.map_into_boxed_body()
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    Ok(res)
}
