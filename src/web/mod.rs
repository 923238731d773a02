//! The supervisor's page at `/app/`: HTML, CSS and JavaScript written for gocua and compiled
//! into the binary, so `make run` serves it with nothing to install and nothing fetched from
//! elsewhere. The page only calls the public API; it holds no privileges of its own.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// Only this origin's own files may run or load, so injected markup could do nothing, and no
/// other site may frame the page (clickjacking of the review buttons).
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        // Revalidate every time: a new binary must never run against an old cached script.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, POLICY))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(body)
}

/// Registers the page; `/` and `/app` lead to it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::redirect("/", "/app/"))
        .service(web::redirect("/app", "/app/"))
        .route(
            "/app/",
            web::get().to(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app/app.js",
            web::get().to(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/app/app.css",
            web::get().to(|| async { asset("text/css; charset=utf-8", STYLE) }),
        );
}
