//! Avro schemas as Rust types: records become serde structs, enums Rust
//! enums, `["null", T]` unions `Option<T>`, other unions enums with one
//! variant per branch, and logical types the types `herald_client::types`
//! (timestamps, UUIDs) and apache-avro (decimals) provide.

use std::collections::{BTreeMap, HashMap};

use apache_avro::Schema;
use apache_avro::schema::{Name, RecordSchema, UnionSchema};

use crate::GenerateError;
use crate::naming::{doc, field_name, type_name};

const DERIVES: &str =
    "#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]\n";

/// Rust source for one Avro schema and the name of its root type.
pub struct AvroTypes {
    /// The type definitions.
    pub source: String,
    /// The Rust type of the schema itself.
    pub root: String,
}

/// Generates the types of `text`; `references` are the texts of the
/// schemas it names.
pub fn generate(text: &str, references: &[String]) -> Result<AvroTypes, GenerateError> {
    let (schema, dependencies) = Schema::parse_str_with_list(text, references)
        .map_err(|e| GenerateError(format!("Avro schema: {e}")))?;
    let mut named = HashMap::new();
    for schema in dependencies.iter().chain(std::iter::once(&schema)) {
        collect_named(schema, &mut named);
    }
    let mut writer = Writer {
        named,
        defined: BTreeMap::new(),
    };
    let root = writer.rust_type(&schema, "Value")?.name;
    Ok(AvroTypes {
        source: writer.defined.into_values().collect::<Vec<_>>().join("\n"),
        root,
    })
}

/// Every named schema (records, enums, fixed) reachable from `schema`.
fn collect_named(schema: &Schema, named: &mut HashMap<String, Schema>) {
    match schema {
        Schema::Record(record) => {
            named.insert(record.name.fullname(None), schema.clone());
            for field in &record.fields {
                collect_named(&field.schema, named);
            }
        }
        Schema::Enum(e) => {
            named.insert(e.name.fullname(None), schema.clone());
        }
        Schema::Fixed(f) => {
            named.insert(f.name.fullname(None), schema.clone());
        }
        Schema::Array(array) => collect_named(&array.items, named),
        Schema::Map(map) => collect_named(&map.types, named),
        Schema::Union(union) => union
            .variants()
            .iter()
            .for_each(|v| collect_named(v, named)),
        _ => {}
    }
}

/// The serde `with` module for an optional field of a type that needs `with`.
fn optional_with(with: &'static str) -> &'static str {
    match with {
        "::herald_client::avro::serde::bytes" => "::herald_client::avro::serde::bytes_opt",
        "::herald_client::avro::serde::fixed" => "::herald_client::avro::serde::fixed_opt",
        _ => "::herald_client::types::uuid_string_opt",
    }
}

/// A Rust type, and the serde `with` module a field of it needs.
struct RustType {
    name: String,
    with: Option<&'static str>,
}

impl RustType {
    fn plain(name: impl Into<String>) -> RustType {
        RustType {
            name: name.into(),
            with: None,
        }
    }
}

struct Writer {
    named: HashMap<String, Schema>,
    /// Definitions by type name, in name order.
    defined: BTreeMap<String, String>,
}

impl Writer {
    fn rust_type(&mut self, schema: &Schema, hint: &str) -> Result<RustType, GenerateError> {
        Ok(match schema {
            Schema::Null => RustType::plain("()"),
            Schema::Boolean => RustType::plain("bool"),
            Schema::Int | Schema::Date | Schema::TimeMillis => RustType::plain("i32"),
            Schema::Long | Schema::TimeMicros => RustType::plain("i64"),
            Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => RustType::plain("i64"),
            Schema::Float => RustType::plain("f32"),
            Schema::Double => RustType::plain("f64"),
            Schema::String => RustType::plain("::std::string::String"),
            Schema::Bytes => RustType {
                name: "::std::vec::Vec<u8>".to_owned(),
                with: Some("::herald_client::avro::serde::bytes"),
            },
            Schema::TimestampMillis => RustType::plain("::herald_client::types::TimestampMillis"),
            Schema::TimestampMicros => RustType::plain("::herald_client::types::TimestampMicros"),
            Schema::TimestampNanos => RustType::plain("i64"),
            Schema::Uuid(_) => RustType {
                name: "::herald_client::types::Uuid".to_owned(),
                with: Some("::herald_client::types::uuid_string"),
            },
            Schema::Decimal(_) => RustType::plain("::herald_client::avro::Decimal"),
            Schema::Array(array) => {
                let item = self.rust_type(&array.items, hint)?;
                RustType::plain(format!("::std::vec::Vec<{}>", item.name))
            }
            Schema::Map(map) => {
                let value = self.rust_type(&map.types, hint)?;
                RustType::plain(format!(
                    "::std::collections::HashMap<::std::string::String, {}>",
                    value.name
                ))
            }
            Schema::Union(union) => self.union(union, hint)?,
            Schema::Record(record) => {
                let name = type_name(record.name.name());
                // A record met again while it is being written is recursive: box it.
                if self.defined.get(&name).is_some_and(String::is_empty) {
                    RustType::plain(format!("::std::boxed::Box<{name}>"))
                } else {
                    RustType::plain(self.record(record)?)
                }
            }
            Schema::Enum(e) => {
                let name = type_name(e.name.name());
                if !self.defined.contains_key(&name) {
                    let mut source = doc(e.doc.as_deref(), "");
                    source.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]\n");
                    source.push_str(&format!("pub enum {name} {{\n"));
                    for symbol in &e.symbols {
                        source.push_str(&format!(
                            "    #[serde(rename = \"{symbol}\")]\n    {},\n",
                            type_name(symbol)
                        ));
                    }
                    source.push_str("}\n");
                    self.defined.insert(name.clone(), source);
                }
                RustType::plain(name)
            }
            Schema::Fixed(fixed) | Schema::Duration(fixed) => RustType {
                name: format!("[u8; {}]", fixed.size),
                with: Some("::herald_client::avro::serde::fixed"),
            },
            Schema::Ref { name } => self.reference(name)?,
            Schema::BigDecimal => {
                return Err(GenerateError(
                    "Avro big-decimal is not supported by the code generator".to_owned(),
                ));
            }
        })
    }

    fn reference(&mut self, name: &Name) -> Result<RustType, GenerateError> {
        let fullname = name.fullname(None);
        let schema = self.named.get(&fullname).cloned().ok_or_else(|| {
            GenerateError(format!("Avro type {fullname} is named but not defined"))
        })?;
        self.rust_type(&schema, name.name())
    }

    fn record(&mut self, record: &RecordSchema) -> Result<String, GenerateError> {
        let name = type_name(record.name.name());
        if self.defined.contains_key(&name) {
            return Ok(name);
        }
        // Reserve the name first: recursive records refer to themselves.
        self.defined.insert(name.clone(), String::new());
        let mut source = doc(record.doc.as_deref(), "");
        source.push_str(DERIVES);
        source.push_str(&format!("pub struct {name} {{\n"));
        for field in &record.fields {
            let hint = format!("{name}{}", type_name(&field.name));
            let rust = self.rust_type(&field.schema, &hint)?;
            let rust_name = field_name(&field.name);
            source.push_str(&doc(field.doc.as_deref(), "    "));
            if rust_name.trim_start_matches("r#") != field.name {
                source.push_str(&format!("    #[serde(rename = \"{}\")]\n", field.name));
            }
            if let Some(with) = rust.with {
                source.push_str(&format!("    #[serde(with = \"{with}\")]\n"));
            }
            source.push_str(&format!("    pub {rust_name}: {},\n", rust.name));
        }
        source.push_str("}\n");
        self.defined.insert(name.clone(), source);
        Ok(name)
    }

    fn union(&mut self, union: &UnionSchema, hint: &str) -> Result<RustType, GenerateError> {
        let variants = union.variants();
        let non_null: Vec<&Schema> = variants.iter().filter(|v| **v != Schema::Null).collect();
        if non_null.len() == 1 && variants.len() == 2 {
            let inner = self.rust_type(non_null[0], hint)?;
            return Ok(RustType {
                name: format!("::std::option::Option<{}>", inner.name),
                with: inner.with.map(optional_with),
            });
        }
        let name = type_name(hint);
        let mut source =
            format!("/// One of the branches of a union.\n{DERIVES}pub enum {name} {{\n");
        for variant in variants {
            let label = match variant {
                Schema::Null => {
                    source.push_str("    Null,\n");
                    continue;
                }
                other => variant_label(other),
            };
            let inner = self.rust_type(variant, &format!("{name}{label}"))?;
            source.push_str(&format!("    {label}({}),\n", inner.name));
        }
        source.push_str("}\n");
        self.defined.insert(name.clone(), source);
        Ok(RustType::plain(name))
    }
}

/// The variant name of a union branch: its type's name.
fn variant_label(schema: &Schema) -> String {
    if let Some(name) = schema.name() {
        return type_name(name.name());
    }
    match schema {
        Schema::Boolean => "Boolean",
        Schema::Int => "Int",
        Schema::Long => "Long",
        Schema::Float => "Float",
        Schema::Double => "Double",
        Schema::Bytes => "Bytes",
        Schema::String => "String",
        Schema::Array(_) => "Array",
        Schema::Map(_) => "Map",
        _ => "Value",
    }
    .to_owned()
}
