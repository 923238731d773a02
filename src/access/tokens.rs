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

/// Signing and verifying keys with the validation rules, built once at start. Tokens are
/// signed with the current key and carry its `kid`; retired keys still verify the tokens
/// they signed until those expire, so a key can be replaced without logging anyone out.
pub struct JwtKeys {
    encoding: EncodingKey,
    kid: String,
    decoding: Vec<(String, DecodingKey)>,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kid", &self.kid)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// A key's public name: the first 8 hex digits of a SHA-256 of the secret, so it names the
/// key without revealing it and needs no separate configuration.
pub fn key_id(secret: &Secret) -> String {
    let mut hash = Sha256::new();
    hash.update(b"gocua-jwt-kid:");
    hash.update(secret.expose());
    hash.finalize()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl JwtKeys {
    /// Keys for the current secret, the retired ones still accepted, and the access-token
    /// lifetime.
    pub fn new(current: &Secret, retired: &[Secret], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let decoding = std::iter::once(current)
            .chain(retired)
            .map(|s| (key_id(s), DecodingKey::from_secret(s.expose())))
            .collect();
        Self {
            encoding: EncodingKey::from_secret(current.expose()),
            kid: key_id(current),
            decoding,
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
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, &claims, &self.encoding)?)
    }

    /// Verifies signature, algorithm, expiry, issuer and audience with the key the token
    /// names (`kid`); a token without one (issued before keys had names) must verify with
    /// the current key.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let key = match header.kid {
            Some(kid) => &self.decoding.iter().find(|(id, _)| *id == kid)?.1,
            None => &self.decoding[0].1,
        };
        jsonwebtoken::decode::<Claims>(token, key, &self.validation)
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

    fn secret(c: &str) -> Secret {
        Secret::new("k", &c.repeat(32)).unwrap()
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(&secret("k"), &[], Duration::from_secs(900))
    }

    #[test]
    fn round_trip_and_tamper() {
        let k = keys();
        let t = k.issue("u1", 3).unwrap();
        let c = k.verify(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.r#gen), ("u1", 3));
        assert!(k.verify(&format!("{t}x")).is_none());
        let other = JwtKeys::new(&secret("x"), &[], Duration::from_secs(900));
        assert!(other.verify(&t).is_none());
    }

    #[test]
    fn retired_keys_keep_their_tokens_valid_until_removed() {
        let old = keys();
        let token = old.issue("u1", 0).unwrap();
        let rotated = JwtKeys::new(&secret("n"), &[secret("k")], Duration::from_secs(900));
        assert_eq!(rotated.verify(&token).unwrap().sub, "u1");
        let fresh = rotated.issue("u2", 0).unwrap();
        let kid = jsonwebtoken::decode_header(&fresh).unwrap().kid.unwrap();
        assert_eq!(kid, key_id(&secret("n")));
        assert_ne!(kid, key_id(&secret("k")));
        assert!(
            old.verify(&fresh).is_none(),
            "the old server does not know the new key"
        );
        let retired = JwtKeys::new(&secret("n"), &[], Duration::from_secs(900));
        assert!(retired.verify(&token).is_none());
        assert_eq!(retired.verify(&fresh).unwrap().sub, "u2");
    }

    #[test]
    fn a_named_key_must_verify_and_unnamed_tokens_need_the_current_key() {
        let claims = Claims {
            sub: "u1".into(),
            exp: jsonwebtoken::get_current_timestamp() + 60,
            iat: jsonwebtoken::get_current_timestamp(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            r#gen: 0,
        };
        let sign = |kid: Option<String>, key: &str| {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = kid;
            jsonwebtoken::encode(
                &header,
                &claims,
                &EncodingKey::from_secret(key.repeat(32).as_bytes()),
            )
            .unwrap()
        };
        let keys = JwtKeys::new(&secret("n"), &[secret("k")], Duration::from_secs(900));
        assert!(
            keys.verify(&sign(Some(key_id(&secret("k"))), "x"))
                .is_none()
        );
        assert!(keys.verify(&sign(Some("deadbeef".into()), "n")).is_none());
        assert!(keys.verify(&sign(None, "n")).is_some());
        assert!(keys.verify(&sign(None, "k")).is_none());
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
