//! The authenticated caller, as an extractor: handlers that take an [`AuthUser`] are
//! protected, and a token of a disabled user or an older token generation is refused.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::roles::{Role, Scope};
use crate::app::AppState;
use crate::error::ApiError;

/// The caller of a request, loaded fresh from the database on every request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: String,
    /// Normalised phone (the key of failed-attempt throttling).
    pub phone: String,
    /// Current role.
    pub role: Role,
    /// Home unit (`None` for admins).
    pub unit_code: Option<String>,
    /// What the caller may see.
    pub scope: Scope,
}

impl AuthUser {
    /// 403 unless the caller supervises (commune supervisor and up).
    pub fn require_supervisor(&self) -> Result<(), ApiError> {
        if self.role.is_supervisor() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only supervisors and admins may do this".into(),
            ))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(|| {
                ApiError::Unauthorized("send Authorization: Bearer <access token>".into())
            })?;
            let claims = state
                .jwt
                .verify(&token)
                .ok_or_else(|| ApiError::Unauthorized("invalid or expired access token".into()))?;
            let user_id = claims.sub.clone();
            let user = crate::db::run(&state.pool, move |conn| {
                Ok(crate::users::queries::find(conn, &user_id)?)
            })
            .await?;
            match user {
                Some(u) if u.active == 1 && u.token_generation == claims.r#gen => {
                    let role = u.role();
                    Ok(AuthUser {
                        scope: Scope::of(role, u.unit_code.as_deref()),
                        id: u.id,
                        phone: u.phone,
                        role,
                        unit_code: u.unit_code,
                    })
                }
                _ => Err(ApiError::Unauthorized(
                    "this session has ended; sign in again".into(),
                )),
            }
        })
    }
}
