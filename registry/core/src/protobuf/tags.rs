//! Schema tags in a `.proto` file: the `tags` of the
//! `(confluent.message_meta)` option of a message and of the
//! `(confluent.field_meta)` option of a field, as Confluent writes them.
//! The file is printed again from its descriptor (comments are not kept,
//! as Confluent's re-rendered text keeps none), importing
//! `confluent/meta.proto` when it did not.

use std::collections::HashMap;

use prost_reflect::{
    DynamicMessage, ExtensionDescriptor, FieldDescriptor, FileDescriptor, MessageDescriptor, Value,
};

use super::{ProtobufSchema, printer};
use crate::tags::{Change, EntityKind};
use crate::{ParseLimits, ReferencedSchema, SchemaError};

/// The file declaring Confluent's `Meta` options.
const META_FILE: &str = "confluent/meta.proto";

/// `text` printed with `changes` applied to its messages' and fields' tags.
pub(crate) fn retag(
    text: &str,
    references: &[ReferencedSchema],
    changes: &[Change<'_>],
    limits: ParseLimits,
) -> Result<String, SchemaError> {
    let schema = ProtobufSchema::parse(text, references, limits)?;
    let imports_meta = schema
        .file()
        .dependencies()
        .any(|dependency| dependency.name() == META_FILE);
    let schema = if imports_meta {
        schema
    } else {
        // An import may stand anywhere after `syntax`: at the end is safe.
        let with_import = format!("{text}\nimport \"{META_FILE}\";\n");
        ProtobufSchema::parse(&with_import, references, limits)?
    };
    let file = schema.file();
    let mut replaced: HashMap<String, DynamicMessage> = HashMap::new();
    for change in changes {
        let path = change.entity.normalized();
        let (full_name, options, extension) = match change.entity.kind {
            EntityKind::Record => {
                let message = find_message(file, path)?;
                let options = message.options();
                (message.full_name().to_owned(), options, "message_meta")
            }
            EntityKind::Field => {
                let field = find_field(file, path)?;
                let options = field.options();
                (field.full_name().to_owned(), options, "field_meta")
            }
        };
        let extension = file
            .parent_pool()
            .get_extension_by_name(&format!("confluent.{extension}"))
            .ok_or_else(|| SchemaError::Invalid(format!("{META_FILE} is not the expected one")))?;
        let options = replaced.remove(&full_name).unwrap_or(options);
        replaced.insert(full_name, with_tags(options, &extension, change)?);
    }
    Ok(printer::print_with_options(file, false, replaced))
}

/// `options` with the `tags` of its `extension` (a `confluent.Meta`)
/// changed; a `Meta` left empty is dropped.
fn with_tags(
    mut options: DynamicMessage,
    extension: &ExtensionDescriptor,
    change: &Change<'_>,
) -> Result<DynamicMessage, SchemaError> {
    let mut meta = match options.get_extension(extension).into_owned() {
        Value::Message(meta) => meta,
        _ => {
            return Err(SchemaError::Invalid(
                "a confluent.Meta option that is not a message".to_owned(),
            ));
        }
    };
    let tags_field = extension
        .kind()
        .as_message()
        .and_then(|meta| meta.get_field_by_name("tags"))
        .ok_or_else(|| SchemaError::Invalid("confluent.Meta without tags".to_owned()))?;
    let existing: Vec<String> = match meta.get_field(&tags_field).as_ref() {
        Value::List(values) => values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let tags = change.apply(existing);
    if tags.is_empty() {
        meta.clear_field(&tags_field);
    } else {
        meta.set_field(
            &tags_field,
            Value::List(tags.into_iter().map(Value::String).collect()),
        );
    }
    if meta.fields().next().is_none() {
        options.clear_extension(extension);
    } else {
        options.set_extension(extension, Value::Message(meta));
    }
    Ok(options)
}

/// The message at `path` (`Outer.Inner`, without the package), as
/// Confluent's `findMatchingElement` walks it.
fn find_message(file: &FileDescriptor, path: &str) -> Result<MessageDescriptor, SchemaError> {
    let mut names = path.split('.');
    let first = names.next().unwrap_or_default();
    let mut message = file
        .messages()
        .find(|m| m.name() == first)
        .ok_or_else(|| no_message(first))?;
    for name in names {
        let child = message.child_messages().find(|m| m.name() == name);
        message = child.ok_or_else(|| no_message(name))?;
    }
    Ok(message)
}

/// The field at `path` (`Outer.Inner.field`, or `Message.oneof.field`).
fn find_field(file: &FileDescriptor, path: &str) -> Result<FieldDescriptor, SchemaError> {
    let no_field = |name: &str| {
        SchemaError::Invalid(format!(
            "No matching Field with name '{name}' found in the schema"
        ))
    };
    let (messages, field) = path.rsplit_once('.').ok_or_else(|| no_field(path))?;
    let found = match find_message(file, messages) {
        Ok(message) => message.get_field_by_name(field),
        // The last part may name a oneof of the message before it.
        Err(_) => {
            let (outer, oneof) = messages.rsplit_once('.').ok_or_else(|| no_field(field))?;
            find_message(file, outer)?
                .oneofs()
                .find(|o| o.name() == oneof)
                .and_then(|o| o.fields().find(|f| f.name() == field))
        }
    };
    found.ok_or_else(|| no_field(field))
}

fn no_message(name: &str) -> SchemaError {
    SchemaError::Invalid(format!(
        "No matching Message with name '{name}' found in the schema"
    ))
}
