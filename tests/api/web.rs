//! The supervisor page is served from the binary, locked down, and self-contained.

use crate::util::TestApp;

#[actix_web::test]
async fn the_page_is_served_from_the_binary_with_a_strict_policy() {
    let app = TestApp::init().empty().await;
    for (path, kind) in [
        ("/app/", "text/html"),
        ("/app/app.js", "text/javascript"),
        ("/app/app.css", "text/css"),
    ] {
        let (status, headers, body) = app.get_bytes(path, "", None).await;
        assert_eq!(status, 200, "{path}");
        let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
        assert!(header("content-type").starts_with(kind), "{path}");
        let policy = header("content-security-policy");
        assert!(policy.contains("default-src 'none'"), "{policy}");
        assert!(policy.contains("script-src 'self'"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        assert_eq!(header("x-frame-options"), "DENY");
        let text = String::from_utf8(body).unwrap();
        // Nothing is fetched from elsewhere: the only absolute URL is the SVG namespace name.
        let outside = text
            .match_indices("http")
            .filter(|(at, _)| !text[*at..].starts_with("http://www.w3.org/2000/svg"))
            .count();
        assert_eq!(outside, 0, "{path} refers to another site");
    }
    let (_, _, html) = app.get_bytes("/app/", "", None).await;
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains(r#"<script src="/app/app.js" defer></script>"#));
    assert!(!html.contains("<script>"), "no inline script");
}

#[actix_web::test]
async fn the_root_and_app_lead_to_the_page() {
    let app = TestApp::init().empty().await;
    let client = awc::Client::builder().disable_redirects().finish();
    for path in ["/", "/app"] {
        let res = client.get(app.server.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 307, "{path}");
        assert_eq!(res.headers().get("location").unwrap(), "/app/");
    }
    let (status, _, _) = app.get_bytes("/app/missing.js", "", None).await;
    assert_eq!(status, 404);
}
