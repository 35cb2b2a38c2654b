//! A yes/no column or expression read the same from both databases:
//! PostgreSQL answers `boolean`, SQLite an integer 0 or 1.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, Type};

/// A boolean as either database stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <bool as Type<Any>>::compatible(ty) || <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <i64 as Decode<Any>>::decode(value.clone()) {
            Ok(number) => Ok(Flag(number != 0)),
            Err(_) => Ok(Flag(<bool as Decode<Any>>::decode(value)?)),
        }
    }
}

/// A yes/no column that may be NULL (unset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NullableFlag(pub Option<bool>);

impl From<NullableFlag> for Option<bool> {
    fn from(flag: NullableFlag) -> Option<bool> {
        flag.0
    }
}

impl Type<Any> for NullableFlag {
    fn type_info() -> AnyTypeInfo {
        <Flag as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <Flag as Type<Any>>::compatible(ty) || ty.kind() == sqlx::any::AnyTypeInfoKind::Null
    }
}

impl<'r> Decode<'r, Any> for NullableFlag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        if sqlx::ValueRef::is_null(&value) {
            return Ok(NullableFlag(None));
        }
        Ok(NullableFlag(Some(Flag::decode(value)?.0)))
    }
}
