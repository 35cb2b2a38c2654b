//! Who may do what: roles, grants scoped to a subject prefix and a
//! context, and the principal a request runs as.

use std::fmt;
use std::str::FromStr;

use crate::service::names::{DEFAULT_CONTEXT, split_context};

/// What a grant allows; each role includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Every read.
    Reader,
    /// Registrations, lookups and compatibility checks, plus reads.
    Writer,
    /// Configuration, modes, deletes and IMPORT, plus everything else.
    Admin,
}

impl Role {
    /// The role as written in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Writer => "writer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        match text.to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "writer" => Ok(Role::Writer),
            "admin" => Ok(Role::Admin),
            _ => Err(format!("unknown role {text:?}: reader, writer or admin")),
        }
    }
}

/// A role over the subjects whose name (within the context) starts with
/// `prefix`, in `context` (`None`: every context). Written
/// `ROLE[:PREFIX][@CONTEXT]`, e.g. `writer:payments.@.` or `reader`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    /// What it allows.
    pub role: Role,
    /// The start of the subject names it covers (empty: all).
    pub prefix: String,
    /// The context it covers (`.` is the default one; `None`: all).
    pub context: Option<String>,
}

impl Grant {
    /// A grant of `role` over everything.
    pub fn everywhere(role: Role) -> Grant {
        Grant {
            role,
            prefix: String::new(),
            context: None,
        }
    }

    /// Whether it covers every subject of every context.
    pub fn is_unscoped(&self) -> bool {
        self.prefix.is_empty() && self.context.is_none()
    }

    /// Whether it covers the subject (or context scope, `:.ctx:`)
    /// `subject`; a name that is not valid only by an unscoped grant (the
    /// registry then refuses the name itself).
    pub fn covers(&self, subject: &str) -> bool {
        let Ok((context, local)) = split_context(subject) else {
            return self.is_unscoped();
        };
        self.context.as_ref().is_none_or(|own| *own == context) && local.starts_with(&self.prefix)
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.role.as_str())?;
        if !self.prefix.is_empty() {
            write!(f, ":{}", self.prefix)?;
        }
        if let Some(context) = &self.context {
            write!(f, "@{context}")?;
        }
        Ok(())
    }
}

impl FromStr for Grant {
    type Err = String;

    fn from_str(text: &str) -> Result<Grant, String> {
        let (rest, context) = match text.rsplit_once('@') {
            Some((rest, context)) => (rest, Some(context)),
            None => (text, None),
        };
        let (role, prefix) = rest.split_once(':').unwrap_or((rest, ""));
        let context = match context {
            None => None,
            Some("" | ".") => Some(DEFAULT_CONTEXT.to_owned()),
            Some(context) if context.starts_with('.') && !context.contains(':') => {
                Some(context.to_owned())
            }
            Some(_) => {
                return Err(format!(
                    "grant {text:?}: a context starts with a dot, e.g. @.staging"
                ));
            }
        };
        Ok(Grant {
            role: role.parse().map_err(|e| format!("grant {text:?}: {e}"))?,
            prefix: prefix.to_owned(),
            context,
        })
    }
}

/// Who a request runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user name, the token's subject, or `anonymous`.
    pub name: String,
    /// What it may do.
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Whether this is the caller without credentials.
    pub fn is_anonymous(&self) -> bool {
        self.name == super::ANONYMOUS
    }

    /// Whether some grant of at least `role` covers `subject`.
    pub fn may(&self, role: Role, subject: &str) -> bool {
        self.grants
            .iter()
            .any(|grant| grant.role >= role && grant.covers(subject))
    }

    /// Whether some grant of at least `role` covers everything.
    pub fn may_everywhere(&self, role: Role) -> bool {
        self.grants
            .iter()
            .any(|grant| grant.role >= role && grant.is_unscoped())
    }

    /// Whether it holds any grant of at least `role`.
    pub fn may_somewhere(&self, role: Role) -> bool {
        self.grants.iter().any(|grant| grant.role >= role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(text: &str) -> Grant {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn grants_are_written_role_prefix_context() {
        assert_eq!(grant("reader"), Grant::everywhere(Role::Reader));
        let scoped = grant("writer:payments.@.");
        assert_eq!(scoped.role, Role::Writer);
        assert_eq!(scoped.prefix, "payments.");
        assert_eq!(scoped.context.as_deref(), Some("."));
        assert_eq!(scoped.to_string(), "writer:payments.@.");
        assert_eq!(grant("ADMIN@.staging").to_string(), "admin@.staging");
        assert!("owner".parse::<Grant>().is_err());
        assert!("reader@staging".parse::<Grant>().is_err());
    }

    #[test]
    fn a_grant_covers_its_prefix_in_its_context() {
        let payments = grant("writer:payments.@.");
        assert!(payments.covers("payments.orders-value"));
        assert!(payments.covers(":.:payments.orders-value"));
        assert!(!payments.covers("orders-value"));
        assert!(!payments.covers(":.staging:payments.orders-value"));
        let staging = grant("reader@.staging");
        assert!(staging.covers(":.staging:anything"));
        assert!(staging.covers(":.staging:"));
        assert!(!staging.covers("anything"));
        assert!(grant("reader").covers(":.staging:anything"));
    }

    #[test]
    fn roles_include_the_lesser_ones() {
        let team = Principal {
            name: "payments".to_owned(),
            grants: vec![grant("writer:payments."), grant("reader")],
        };
        assert!(team.may(Role::Writer, "payments.orders"));
        assert!(team.may(Role::Reader, "payments.orders"));
        assert!(!team.may(Role::Admin, "payments.orders"));
        assert!(!team.may(Role::Writer, "billing.invoices"));
        assert!(team.may(Role::Reader, "billing.invoices"));
        assert!(team.may_everywhere(Role::Reader));
        assert!(!team.may_everywhere(Role::Writer));
        assert!(team.may_somewhere(Role::Writer));
    }
}
