//! A path holding a control character (`%00`–`%1F`, `%7F` once decoded) names no object, so
//! it is answered 404 at the door, before a handler hands it to a database (PostgreSQL
//! fails on U+0000, SQLite would look it up): the same answer on both.

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::ApiError;
use crate::messages as msg;

/// Whether a raw (percent-encoded) path encodes a control character.
fn encodes_control(path: &str) -> bool {
    path.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1].to_ascii_uppercase(), w[2].to_ascii_uppercase()),
                (b'0' | b'1', b'0'..=b'9' | b'A'..=b'F') | (b'7', b'F')
            )
    }) || path.bytes().any(|b| b.is_ascii_control())
}

/// The middleware.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if encodes_control(req.path()) {
        let res = req.error_response(ApiError::NotFound(msg::NO_SUCH_OBJECT));
        return Ok(res.map_into_boxed_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::encodes_control;

    #[test]
    fn finds_encoded_control_characters() {
        for path in ["/a/%00", "/a/x%1fy", "/a/%7F", "/a/%0a", "/a/%09"] {
            assert!(encodes_control(path), "{path}");
        }
        for path in [
            "/api/v1/units/00004",
            "/a/%20b",
            "/a/%C4%90",
            "/a/%2F",
            "/a/%7E",
        ] {
            assert!(!encodes_control(path), "{path}");
        }
    }
}
