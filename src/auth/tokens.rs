//! Access tokens (HS256 JWT, algorithm pinned) and opaque refresh tokens (random, stored
//! only as a SHA-256 digest so a database leak yields no usable token).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;

/// Issuer written into and required of every access token.
pub const ISSUER: &str = "gocua";
/// Audience written into and required of every access token.
pub const AUDIENCE: &str = "gocua-api";

/// Claims of an access token. `gen` is the user's token generation at issue: a password
/// change or deactivation bumps it, and older tokens stop working at once.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// The user's token generation.
    pub r#gen: i32,
}

/// Signing and verifying keys with the validation rules, built once at start.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Keys for a secret and access-token lifetime.
    pub fn new(secret: &Secret, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            validation,
            ttl,
        }
    }

    /// Lifetime of the tokens this issues, in seconds.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl.as_secs()
    }

    /// Signs an access token for a user at a token generation.
    pub fn issue(&self, user_id: &str, generation: i32) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            iat: now,
            exp: now + self.ttl.as_secs(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            r#gen: generation,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature, algorithm, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new random token (refresh token, dashboard key): what the client gets, and the digest
/// the database keeps.
pub fn random_token() -> anyhow::Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = digest(&token);
    Ok((token, digest))
}

/// The stored form of a refresh token.
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            &Secret::new("k", &"k".repeat(32)).unwrap(),
            Duration::from_secs(900),
        )
    }

    #[test]
    fn round_trip_and_tamper() {
        let k = keys();
        let t = k.issue("u1", 3).unwrap();
        let c = k.verify(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.r#gen), ("u1", 3));
        assert!(k.verify(&format!("{t}x")).is_none());
        let other = JwtKeys::new(
            &Secret::new("k", &"x".repeat(32)).unwrap(),
            Duration::from_secs(900),
        );
        assert!(other.verify(&t).is_none());
    }

    #[test]
    fn refuses_other_algorithms() {
        let k = keys();
        let claims = Claims {
            sub: "u1".into(),
            exp: jsonwebtoken::get_current_timestamp() + 60,
            iat: jsonwebtoken::get_current_timestamp(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            r#gen: 0,
        };
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret("k".repeat(32).as_bytes()),
        )
        .unwrap();
        assert!(k.verify(&hs512).is_none());
    }
}
