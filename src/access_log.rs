//! One log line per request: method, route pattern, status, latency, request id and the
//! caller's user id; and its count in the metrics. Only the route pattern is written, never the path or query (they can
//! carry ids and search text), and never a body, token or phone number.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use tracing::Span;

use crate::request_id::RequestId;

/// The span around every request: method, route pattern and request id only. (The default
/// one also records the raw path and query string, which can carry search text such as a
/// phone number, and the client's user agent.)
pub struct QuietRootSpan;

impl tracing_actix_web::RootSpanBuilder for QuietRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = crate::request_id::choose(request);
        request
            .extensions_mut()
            .insert(RequestId(request_id.clone()));
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %request_id
        )
    }

    fn on_request_end<B: MessageBody>(_: Span, _: &Result<ServiceResponse<B>, Error>) {}
}

/// The authenticated caller of a request (user id, or dashboard key id), left in the
/// request's extensions by the authentication extractors for this log line.
#[derive(Debug, Clone)]
pub struct CallerId(pub String);

/// The middleware: the log line, and the request counted in [`crate::metrics`].
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let request = res.request();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let extensions = request.extensions();
    let request_id = extensions.get::<RequestId>().map_or("-", |r| r.0.as_str());
    let user_id = extensions.get::<CallerId>().map_or("-", |c| c.0.as_str());
    tracing::info!(
        target: "gocua::access",
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id = %request_id,
        user_id = %user_id,
        "request"
    );
    drop(extensions);
    crate::metrics::request_answered(
        &route,
        method.as_str(),
        res.status().as_u16(),
        started.elapsed(),
    );
    Ok(res)
}
