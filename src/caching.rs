//! What caches may keep. Answers carrying tokens or keys say `no-store`, so no proxy, browser
//! or phone HTTP cache writes a secret to disk.

use actix_web::http::header::{CacheControl, CacheDirective};

/// `Cache-Control: no-store`, for answers that carry a token or a key.
pub fn no_store() -> CacheControl {
    CacheControl(vec![CacheDirective::NoStore])
}
