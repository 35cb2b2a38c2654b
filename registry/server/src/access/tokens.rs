//! Bearer tokens: JWTs verified offline against configured public keys
//! (a JWKS file or PEM files; RS256, ES256, EdDSA), with the issuer,
//! audience and expiry checked (with a small clock skew). Who the caller is
//! and its grants come from configured claims, so any OIDC provider works.

use std::collections::HashMap;

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

use super::ANONYMOUS;
use super::grants::{Grant, Principal};
use crate::config::JwtConfig;

/// The keys and rules tokens are checked with.
pub struct TokenVerifier {
    /// Keys with a `kid`.
    by_kid: HashMap<String, (DecodingKey, Algorithm)>,
    /// Keys without one, tried in turn.
    others: Vec<(DecodingKey, Algorithm)>,
    config: JwtConfig,
}

impl TokenVerifier {
    /// Reads the keys `config` names.
    pub fn new(config: &JwtConfig) -> Result<TokenVerifier, String> {
        let mut by_kid = HashMap::new();
        let mut others = Vec::new();
        if let Some(path) = &config.jwks {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let set: JwkSet =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            for jwk in &set.keys {
                let algorithm = match &jwk.algorithm {
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                    AlgorithmParameters::OctetKeyPair(_) => Algorithm::EdDSA,
                    AlgorithmParameters::OctetKey(_) => continue,
                };
                let key = DecodingKey::from_jwk(jwk)
                    .map_err(|e| format!("{}: a key: {e}", path.display()))?;
                match &jwk.common.key_id {
                    Some(kid) => {
                        by_kid.insert(kid.clone(), (key, algorithm));
                    }
                    None => others.push((key, algorithm)),
                }
            }
        }
        for path in &config.public_keys {
            let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let key = DecodingKey::from_rsa_pem(&pem)
                .map(|key| (key, Algorithm::RS256))
                .or_else(|_| DecodingKey::from_ec_pem(&pem).map(|key| (key, Algorithm::ES256)))
                .or_else(|_| DecodingKey::from_ed_pem(&pem).map(|key| (key, Algorithm::EdDSA)))
                .map_err(|_| {
                    format!(
                        "{}: not a PEM public key (RSA, EC P-256 or Ed25519)",
                        path.display()
                    )
                })?;
            others.push(key);
        }
        if by_kid.is_empty() && others.is_empty() {
            return Err("jwt: no key (set jwks or public_keys)".to_owned());
        }
        Ok(TokenVerifier {
            by_kid,
            others,
            config: config.clone(),
        })
    }

    /// The principal of `token`, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Principal, String> {
        let header = decode_header(token).map_err(|_| "the token is not a JWT".to_owned())?;
        let candidates: Vec<&(DecodingKey, Algorithm)> =
            match header.kid.as_ref().and_then(|kid| self.by_kid.get(kid)) {
                Some(key) => vec![key],
                None => self
                    .others
                    .iter()
                    .chain(self.by_kid.values())
                    .filter(|(_, algorithm)| *algorithm == header.alg)
                    .collect(),
            };
        let mut last = "no key of the token's algorithm".to_owned();
        for (key, algorithm) in candidates {
            match decode::<Value>(token, key, &self.validation(*algorithm)) {
                Ok(data) => return self.principal(&data.claims),
                Err(error) => last = error.to_string(),
            }
        }
        Err(format!("the token is not valid: {last}"))
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = self.config.leeway_seconds;
        validation.validate_nbf = true;
        let mut required = vec!["exp"];
        match &self.config.issuer {
            Some(issuer) => {
                validation.set_issuer(&[issuer]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.config.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    fn principal(&self, claims: &Value) -> Result<Principal, String> {
        let name = claim(claims, &self.config.name_claim)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the token has no {} claim", self.config.name_claim))?;
        if name == ANONYMOUS {
            return Err("the token names the anonymous caller".to_owned());
        }
        let values: Vec<&str> = match claim(claims, &self.config.grants_claim) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(text)) => text.split_whitespace().collect(),
            _ => Vec::new(),
        };
        Ok(Principal {
            name: name.to_owned(),
            grants: values
                .into_iter()
                .filter_map(|value| value.parse::<Grant>().ok())
                .collect(),
        })
    }
}

/// The claim at a dotted `path`.
fn claim<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(claims, |value, key| value.get(key))
}
