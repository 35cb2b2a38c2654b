//! The credentials file (user names, argon2id password hashes and grants)
//! and checking a user's password against it.
//!
//! ```toml
//! # Written by `herald users add`.
//! [users.payments-ci]
//! password_hash = "$argon2id$v=19$m=19456,t=2,p=1$..."
//! grants = ["writer:payments.", "reader"]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::grants::{Grant, Principal};

/// The file as stored.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UsersFile {
    /// Users by name.
    #[serde(default)]
    pub users: BTreeMap<String, UserEntry>,
}

/// One user.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// The PHC string of the password's argon2id hash.
    pub password_hash: String,
    /// Grants, as `ROLE[:PREFIX][@CONTEXT]`.
    pub grants: Vec<String>,
}

impl UsersFile {
    /// Reads `path`; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<UsersFile, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(UsersFile::default()),
            Err(error) => Err(format!("{}: {error}", path.display())),
        }
    }

    /// Writes the file to `path` (readable by its owner only, on Unix).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = toml::to_string_pretty(self).map_err(|e| e.to_string())?;
        let text = format!("# Herald users: written by `herald users add`.\n{text}");
        let scratch = path.with_extension("tmp");
        std::fs::write(&scratch, text).map_err(|e| format!("{}: {e}", scratch.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&scratch, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("{}: {e}", scratch.display()))?;
        }
        std::fs::rename(&scratch, path).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Adds (or replaces) `name` with `password` and `grants`.
    pub fn set_user(&mut self, name: &str, password: &str, grants: &[Grant]) -> Result<(), String> {
        if name.is_empty() || name.contains(':') || name == super::ANONYMOUS {
            return Err(format!(
                "user name {name:?}: not empty, without ':', not {:?}",
                super::ANONYMOUS
            ));
        }
        if grants.is_empty() {
            return Err("a user needs at least one grant (--role or --grant)".to_owned());
        }
        self.users.insert(
            name.to_owned(),
            UserEntry {
                password_hash: hash_password(password)?,
                grants: grants.iter().map(Grant::to_string).collect(),
            },
        );
        Ok(())
    }
}

/// The argon2id hash (PHC string, random salt) of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Verified users, remembered by a keyed digest of their credentials so
/// that argon2 runs once per user and password, not once per request.
const REMEMBERED: usize = 10_000;

/// The users of a credentials file, ready to check passwords against.
pub struct Credentials {
    users: HashMap<String, (String, Vec<Grant>)>,
    /// A hash to verify against for unknown users, so that they take as
    /// long as known ones.
    decoy: String,
    /// Keys the digests of [`Credentials::verified`] (random per process).
    key: [u8; 32],
    verified: Mutex<HashMap<[u8; 32], Principal>>,
}

impl Credentials {
    /// The users of `file`; a grant that does not parse is an error.
    pub fn new(file: UsersFile) -> Result<Credentials, String> {
        let mut users = HashMap::new();
        for (name, entry) in file.users {
            if name == super::ANONYMOUS {
                return Err(format!(
                    "user {name}: the name of callers without credentials"
                ));
            }
            PasswordHash::new(&entry.password_hash)
                .map_err(|e| format!("user {name}: password_hash: {e}"))?;
            let grants = entry
                .grants
                .iter()
                .map(|g| g.parse())
                .collect::<Result<Vec<Grant>, String>>()
                .map_err(|e| format!("user {name}: {e}"))?;
            users.insert(name, (entry.password_hash, grants));
        }
        let mut key = [0; 32];
        OsRng.fill_bytes(&mut key);
        Ok(Credentials {
            users,
            decoy: hash_password("decoy")?,
            key,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// The principal `user` authenticates as with `password`, if the
    /// password is right. Known answers are immediate; otherwise argon2
    /// runs (tens of milliseconds: call it off the async threads).
    pub fn verify(&self, user: &str, password: &str) -> Option<Principal> {
        let digest = self.digest(user, password);
        if let Some(known) = self.remembered().get(&digest) {
            return Some(known.clone());
        }
        let (hash, grants) = match self.users.get(user) {
            Some((hash, grants)) => (hash.as_str(), Some(grants)),
            None => (self.decoy.as_str(), None),
        };
        let parsed = PasswordHash::new(hash).ok()?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        let principal = Principal {
            name: user.to_owned(),
            grants: grants.filter(|_| matches)?.clone(),
        };
        let mut remembered = self.remembered();
        if remembered.len() >= REMEMBERED {
            remembered.clear();
        }
        remembered.insert(digest, principal.clone());
        Some(principal)
    }

    /// The grants of `user`, if the file has it (for a caller known by its
    /// client certificate).
    pub fn grants_of(&self, user: &str) -> Option<Vec<Grant>> {
        self.users.get(user).map(|(_, grants)| grants.clone())
    }

    /// Whether `user` and `password` were verified before (no argon2 needed).
    pub fn is_remembered(&self, user: &str, password: &str) -> bool {
        self.remembered().contains_key(&self.digest(user, password))
    }

    fn digest(&self, user: &str, password: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(user.len().to_le_bytes());
        hasher.update(user.as_bytes());
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Principal>> {
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::grants::Role;

    #[test]
    fn passwords_are_checked_against_salted_hashes() {
        let mut file = UsersFile::default();
        file.set_user("ci", "s3cret", &[Grant::everywhere(Role::Writer)])
            .expect("added");
        let stored = &file.users["ci"].password_hash;
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("s3cret"));
        let again = hash_password("s3cret").expect("hashed");
        assert_ne!(&again, stored, "a random salt each time");

        let credentials = Credentials::new(file).expect("valid");
        assert_eq!(credentials.verify("ci", "wrong"), None);
        assert!(!credentials.is_remembered("ci", "s3cret"));
        let principal = credentials.verify("ci", "s3cret").expect("right password");
        assert_eq!(principal.name, "ci");
        assert_eq!(principal.grants, [Grant::everywhere(Role::Writer)]);
        assert!(credentials.is_remembered("ci", "s3cret"));
        assert_eq!(credentials.verify("ci", "s3cret"), Some(principal));
        assert_eq!(credentials.verify("nobody", "s3cret"), None);
    }

    #[test]
    fn a_user_needs_a_name_and_a_grant() {
        let mut file = UsersFile::default();
        assert!(
            file.set_user("a:b", "pw", &[Grant::everywhere(Role::Reader)])
                .is_err()
        );
        assert!(file.set_user("ci", "pw", &[]).is_err());
        let bad = UsersFile {
            users: BTreeMap::from([(
                "ci".to_owned(),
                UserEntry {
                    password_hash: "plain".to_owned(),
                    grants: vec!["reader".to_owned()],
                },
            )]),
        };
        assert!(Credentials::new(bad).is_err());
    }
}
