//! The parts of the OpenAPI document that no handler declares: title, security scheme,
//! tags, and the error responses every operation can give.

use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Spec, Ref, RefOr, Response, ResponseBuilder};

use crate::error::{FieldErrorView, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gocua API",
        description = "Backend of Vietnam's community digital technology teams (tổ công nghệ số cộng đồng): \
volunteers log household visits, VNeID assists and digital-signature registrations; supervisors follow \
progress. Errors are RFC 9457 `application/problem+json`. Anything outside the caller's scope answers 404.",
        license(name = "MIT", url = "https://opensource.org/license/mit")
    ),
    components(schemas(Problem, FieldErrorView)),
    tags(
        (name = "auth", description = "Đăng nhập, phiên và mật khẩu (sign-in, sessions, passwords)"),
        (name = "units", description = "Đơn vị hành chính 2025 (administrative units)"),
        (name = "users", description = "Người dùng (users)"),
        (name = "teams", description = "Tổ công nghệ số cộng đồng và thành viên (teams and members)"),
        (name = "visits", description = "Thăm hộ gia đình (household visits)"),
        (name = "vneid-assists", description = "Hỗ trợ cài đặt, kích hoạt VNeID (VNeID assists)"),
        (name = "signature-registrations", description = "Đăng ký chữ ký số (digital-signature registrations)"),
        (name = "follow-ups", description = "Việc cần quay lại (what a team must come back to)"),
        (name = "campaigns", description = "Chiến dịch và chỉ tiêu (campaigns and targets)"),
        (name = "stats", description = "Thống kê (statistics, read from per-day rollups)"),
        (name = "exports", description = "Xuất dữ liệu CSV (record-level CSV exports)"),
        (name = "api-keys", description = "Khóa API cho bảng điều khiển (read-only dashboard keys)"),
        (name = "audit", description = "Nhật ký thao tác (append-only audit log)"),
        (name = "sync", description = "Đồng bộ ngoại tuyến (offline sync) and server facts"),
        (name = "operations", description = "Probes")
    )
)]
struct BaseDoc;

/// The document before handlers add their paths.
pub fn base() -> Spec {
    BaseDoc::openapi()
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build(),
    )
}

fn add_default(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

/// Adds the bearer scheme, the server (this one: paths are relative to where the spec is
/// served), `security: []` on public operations (so a generated client sends no token), and,
/// to every operation, the error responses its shape implies: 401 where a token is required,
/// 400/413/415/422 where there is a body, 400/422 where there are query parameters, 503
/// wherever the database is used, and 500 everywhere.
pub fn finish(mut api: Spec) -> Spec {
    api.servers = Some(vec![
        utoipa::openapi::server::ServerBuilder::new()
            .url("/")
            .description(Some("the server that serves this document"))
            .build(),
    ]);
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "Access token from /api/v1/auth/login, or a dashboard key (`gck_…`) on the read-only \
                     units, statistics and campaign endpoints",
                ))
                .build(),
        ),
    );
    for (path, item) in api.paths.paths.iter_mut() {
        // The liveness probe never touches the database, so it cannot answer 503.
        let uses_database = path != "/healthz";
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            match &op.security {
                Some(s) if !s.is_empty() => {
                    add_default(op, "401", "Missing, invalid or expired access token");
                }
                _ => op.security = Some(Vec::new()),
            }
            if op.request_body.is_some() {
                add_default(op, "400", "Malformed JSON");
                add_default(
                    op,
                    "408",
                    "The body arrived too slowly (stalled or trickling)",
                );
                add_default(op, "413", "Body larger than the limit");
                add_default(op, "415", "Body is not application/json");
                add_default(op, "422", "Invalid fields (every failing field is listed)");
            }
            let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)))
            });
            allow_empty_values(op);
            if has_query {
                add_default(op, "400", "Malformed query parameter");
                add_default(op, "422", "Invalid query parameter value");
            }
            add_default(
                op,
                "500",
                "Unexpected error (details are logged, never sent)",
            );
            if uses_database {
                add_default(
                    op,
                    "503",
                    "Database unavailable; retry after `Retry-After` seconds",
                );
            }
        }
    }
    api
}

/// The server reads an empty optional query parameter (`?to=`, as forms send) as an absent
/// one, so the spec says so with OpenAPI's `allowEmptyValue`. utoipa has no field for that
/// keyword, hence the raw entry beside the extensions.
fn allow_empty_values(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(p) = p
            && matches!(p.parameter_in, ParameterIn::Query)
            && !matches!(p.required, utoipa::openapi::Required::True)
        {
            p.extensions
                .get_or_insert_with(Default::default)
                .insert("allowEmptyValue".into(), true.into());
        }
    }
}
