//! Avro schema resolution (reader vs writer), as Apache Avro's Java
//! `SchemaCompatibility` judges it, which is what Confluent uses. One small
//! function per rule; the rules themselves are described in [`super::rules`].

use std::collections::{HashMap, HashSet};

use apache_avro::Schema;
use apache_avro::schema::{
    DecimalSchema, EnumSchema, FixedSchema, InnerDecimalSchema, Name, RecordSchema, UuidSchema,
};

use super::AvroSchema;
use super::rules::{self, Rule};
use crate::Finding;

/// A schema as resolution sees it: references followed and logical types
/// replaced by their underlying type.
#[derive(Clone, Copy)]
enum Shape<'a> {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(&'a Schema),
    Map(&'a Schema),
    Union(&'a [Schema]),
    Record(&'a RecordSchema),
    Enum(&'a EnumSchema),
    Fixed(&'a FixedSchema),
}

impl<'a> Shape<'a> {
    fn of(schema: &'a Schema, names: &'a HashMap<String, Schema>) -> Shape<'a> {
        match schema {
            Schema::Null => Shape::Null,
            Schema::Boolean => Shape::Boolean,
            Schema::Int | Schema::Date | Schema::TimeMillis => Shape::Int,
            Schema::Long
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => Shape::Long,
            Schema::Float => Shape::Float,
            Schema::Double => Shape::Double,
            Schema::Bytes
            | Schema::BigDecimal
            | Schema::Uuid(UuidSchema::Bytes)
            | Schema::Decimal(DecimalSchema {
                inner: InnerDecimalSchema::Bytes,
                ..
            }) => Shape::Bytes,
            Schema::String | Schema::Uuid(UuidSchema::String) => Shape::String,
            Schema::Array(array) => Shape::Array(&array.items),
            Schema::Map(map) => Shape::Map(&map.types),
            Schema::Union(union) => Shape::Union(union.variants()),
            Schema::Record(record) => Shape::Record(record),
            Schema::Enum(e) => Shape::Enum(e),
            Schema::Fixed(fixed)
            | Schema::Duration(fixed)
            | Schema::Uuid(UuidSchema::Fixed(fixed))
            | Schema::Decimal(DecimalSchema {
                inner: InnerDecimalSchema::Fixed(fixed),
                ..
            }) => Shape::Fixed(fixed),
            // Parsing guarantees that every reference names a known type.
            Schema::Ref { name } => names
                .get(&name.fullname(None))
                .map_or(Shape::Null, |named| Shape::of(named, names)),
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Shape::Null => "null",
            Shape::Boolean => "boolean",
            Shape::Int => "int",
            Shape::Long => "long",
            Shape::Float => "float",
            Shape::Double => "double",
            Shape::Bytes => "bytes",
            Shape::String => "string",
            Shape::Array(_) => "array",
            Shape::Map(_) => "map",
            Shape::Union(_) => "union",
            Shape::Record(_) => "record",
            Shape::Enum(_) => "enum",
            Shape::Fixed(_) => "fixed",
        }
    }

    fn full_name(self) -> Option<String> {
        match self {
            Shape::Record(r) => Some(r.name.fullname(None)),
            Shape::Enum(e) => Some(e.name.fullname(None)),
            Shape::Fixed(f) => Some(f.name.fullname(None)),
            _ => None,
        }
    }
}

/// Checks that a reader schema can read everything a writer schema writes.
pub(super) struct Checker<'a> {
    reader: &'a AvroSchema,
    writer: &'a AvroSchema,
    /// How the findings call the reader and the writer ("new", "old").
    roles: (&'static str, &'static str),
    path: Vec<String>,
    /// Pairs of named types being compared, to stop on recursive types.
    in_progress: HashSet<(String, String)>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(
        reader: &'a AvroSchema,
        writer: &'a AvroSchema,
        roles: (&'static str, &'static str),
    ) -> Self {
        Checker {
            reader,
            writer,
            roles,
            path: Vec::new(),
            in_progress: HashSet::new(),
        }
    }

    pub(super) fn run(mut self) -> Vec<Finding> {
        let (reader, writer) = (&self.reader.root, &self.writer.root);
        self.check(reader, writer)
    }

    fn check(&mut self, reader: &'a Schema, writer: &'a Schema) -> Vec<Finding> {
        let r = Shape::of(reader, &self.reader.names);
        let w = Shape::of(writer, &self.writer.names);
        self.check_resolved(reader, r, w)
    }

    /// [`Self::check`] on shapes already resolved; stops on a pair of named
    /// types already being compared (a recursive type).
    fn check_resolved(&mut self, reader: &'a Schema, r: Shape<'a>, w: Shape<'a>) -> Vec<Finding> {
        let pair = r.full_name().zip(w.full_name());
        if let Some(pair) = &pair
            && !self.in_progress.insert(pair.clone())
        {
            // Already being compared further up: a recursive type.
            return Vec::new();
        }
        let findings = self.check_shapes(reader, r, w);
        if let Some(pair) = pair {
            self.in_progress.remove(&pair);
        }
        findings
    }

    fn check_shapes(&mut self, reader: &'a Schema, r: Shape<'a>, w: Shape<'a>) -> Vec<Finding> {
        match (r, w) {
            (Shape::Null, Shape::Null)
            | (Shape::Boolean, Shape::Boolean)
            | (Shape::Int, Shape::Int)
            | (Shape::Long, Shape::Long)
            | (Shape::Float, Shape::Float)
            | (Shape::Double, Shape::Double)
            | (Shape::Bytes, Shape::Bytes)
            | (Shape::String, Shape::String) => Vec::new(),
            (Shape::Array(ri), Shape::Array(wi)) => self.nested(&["items"], |c| c.check(ri, wi)),
            (Shape::Map(rv), Shape::Map(wv)) => self.nested(&["values"], |c| c.check(rv, wv)),
            (Shape::Record(rr), Shape::Record(wr)) => {
                let mut findings = self.name_mismatch(&rr.name, rr.aliases.as_deref(), &wr.name);
                findings.extend(self.record_fields(rr, wr));
                findings
            }
            (Shape::Enum(re), Shape::Enum(we)) => {
                let mut findings = self.name_mismatch(&re.name, re.aliases.as_deref(), &we.name);
                findings.extend(self.missing_enum_symbols(re, we));
                findings
            }
            (Shape::Fixed(rf), Shape::Fixed(wf)) => {
                let mut findings = self.name_mismatch(&rf.name, rf.aliases.as_deref(), &wf.name);
                findings.extend(self.fixed_size(rf, wf));
                findings
            }
            (_, Shape::Union(branches)) => self.writer_union(reader, r, branches),
            (Shape::Union(branches), _) => self.reader_union(branches, w),
            (Shape::Long, Shape::Int)
            | (Shape::Float, Shape::Int | Shape::Long)
            | (Shape::Double, Shape::Int | Shape::Long | Shape::Float)
            | (Shape::Bytes, Shape::String)
            | (Shape::String, Shape::Bytes) => Vec::new(),
            _ => self.type_mismatch(r, w),
        }
    }

    /// Runs `check` with `segments` appended to the path.
    fn nested(
        &mut self,
        segments: &[&str],
        check: impl FnOnce(&mut Self) -> Vec<Finding>,
    ) -> Vec<Finding> {
        let depth = self.path.len();
        self.path.extend(segments.iter().map(|s| (*s).to_owned()));
        let findings = check(self);
        self.path.truncate(depth);
        findings
    }

    fn finding(&self, rule: &Rule, segment: Option<&str>, detail: String) -> Finding {
        let mut path = String::new();
        for part in self.path.iter().map(String::as_str).chain(segment) {
            path.push('/');
            path.push_str(part);
        }
        if path.is_empty() {
            path.push('/');
        }
        let message = rule.render(&path, &detail, self.roles);
        Finding {
            rule: rule.id,
            path,
            message,
            detail,
            location: None,
        }
    }

    /// [`rules::NAME_MISMATCH`]: simple names equal, or the reader's aliases
    /// hold the writer's full name (Java's `schemaNameEquals`).
    fn name_mismatch(
        &self,
        reader: &Name,
        aliases: Option<&[apache_avro::schema::Alias]>,
        writer: &Name,
    ) -> Vec<Finding> {
        let writer_full = writer.fullname(None);
        let aliased = aliases
            .unwrap_or_default()
            .iter()
            .any(|alias| alias.fullname(reader.namespace()) == writer_full);
        if reader.name() == writer.name() || aliased {
            Vec::new()
        } else {
            vec![self.finding(&rules::NAME_MISMATCH, Some("name"), writer_full)]
        }
    }

    /// [`rules::FIXED_SIZE_MISMATCH`].
    fn fixed_size(&self, reader: &FixedSchema, writer: &FixedSchema) -> Vec<Finding> {
        if reader.size == writer.size {
            return Vec::new();
        }
        let detail = format!("expected: {}, found: {}", writer.size, reader.size);
        vec![self.finding(&rules::FIXED_SIZE_MISMATCH, Some("size"), detail)]
    }

    /// [`rules::MISSING_ENUM_SYMBOLS`].
    fn missing_enum_symbols(&self, reader: &EnumSchema, writer: &EnumSchema) -> Vec<Finding> {
        let missing: Vec<&str> = writer
            .symbols
            .iter()
            .filter(|symbol| !reader.symbols.contains(symbol))
            .map(String::as_str)
            .collect();
        let has_default = reader
            .default
            .as_ref()
            .is_some_and(|d| reader.symbols.contains(d));
        if missing.is_empty() || has_default {
            return Vec::new();
        }
        let detail = format!("[{}]", missing.join(", "));
        vec![self.finding(&rules::MISSING_ENUM_SYMBOLS, Some("symbols"), detail)]
    }

    /// [`rules::READER_FIELD_MISSING_DEFAULT_VALUE`], and the field types of
    /// fields both sides have (matched by name, then by reader aliases).
    fn record_fields(
        &mut self,
        reader: &'a RecordSchema,
        writer: &'a RecordSchema,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        // By name, so that wide records cost linear time, not quadratic.
        let mut by_name = std::collections::HashMap::with_capacity(writer.fields.len());
        for candidate in writer.fields.iter().rev() {
            by_name.insert(candidate.name.as_str(), candidate);
        }
        for (position, field) in reader.fields.iter().enumerate() {
            let index = position.to_string();
            let writer_field = std::iter::once(&field.name)
                .chain(&field.aliases)
                .find_map(|name| by_name.get(name.as_str()).copied());
            match writer_field {
                Some(writer_field) => {
                    findings.extend(self.nested(&["fields", &index, "type"], |c| {
                        c.check(&field.schema, &writer_field.schema)
                    }));
                }
                None if field.default.is_none() => {
                    let finding = self.nested(&["fields"], |c| {
                        vec![c.finding(
                            &rules::READER_FIELD_MISSING_DEFAULT_VALUE,
                            Some(&index),
                            field.name.clone(),
                        )]
                    });
                    findings.extend(finding);
                }
                None => {}
            }
        }
        findings
    }

    /// A writer union: every branch must be readable. Against a reader union
    /// a failing branch is [`rules::MISSING_UNION_BRANCH`] at its index;
    /// against a single reader type the branch's own findings are reported.
    fn writer_union(
        &mut self,
        reader: &'a Schema,
        r: Shape<'a>,
        branches: &'a [Schema],
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (index, branch) in branches.iter().enumerate() {
            let branch_findings = self.check(reader, branch);
            if branch_findings.is_empty() {
                continue;
            }
            if matches!(r, Shape::Union(_)) {
                let detail = format!(
                    "reader union lacking writer type: {}",
                    Shape::of(branch, &self.writer.names)
                        .type_name()
                        .to_uppercase()
                );
                findings.push(self.finding(
                    &rules::MISSING_UNION_BRANCH,
                    Some(&index.to_string()),
                    detail,
                ));
            } else {
                findings.extend(branch_findings);
            }
        }
        findings
    }

    /// A reader union against a single writer type: some branch must read it.
    fn reader_union(&mut self, branches: &'a [Schema], w: Shape<'a>) -> Vec<Finding> {
        let writer_schema_readable = |checker: &mut Self, branch: &'a Schema| {
            let r = Shape::of(branch, &checker.reader.names);
            checker.check_resolved(branch, r, w).is_empty()
        };
        if branches
            .iter()
            .any(|branch| writer_schema_readable(self, branch))
        {
            return Vec::new();
        }
        let detail = format!(
            "reader union lacking writer type: {}",
            w.type_name().to_uppercase()
        );
        vec![self.finding(&rules::MISSING_UNION_BRANCH, None, detail)]
    }

    /// [`rules::TYPE_MISMATCH`].
    fn type_mismatch(&self, r: Shape<'a>, w: Shape<'a>) -> Vec<Finding> {
        let detail = format!(
            "reader type: {} not compatible with writer type: {}",
            r.type_name().to_uppercase(),
            w.type_name().to_uppercase()
        );
        vec![self.finding(&rules::TYPE_MISMATCH, None, detail)]
    }
}
