//! A module: every `.proto` file of a tree, compiled together, by path.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use prost_reflect::FileDescriptor;
use protox::file::File;

use super::Span;
use super::spans::SourceSpans;
use crate::SchemaError;
use crate::protobuf::sources::Sources;

/// The compiled files of one tree, by their path within the module root.
#[derive(Debug)]
pub struct Module {
    files: BTreeMap<String, FileDescriptor>,
    sources: BTreeMap<String, String>,
    spans: BTreeMap<String, Arc<SourceSpans>>,
}

impl Module {
    /// Compiles `sources` (path within the module -> `.proto` text). Imports
    /// resolve within the module, then to the built-in files.
    pub fn compile(sources: &BTreeMap<String, String>) -> Result<Module, SchemaError> {
        let mut files = HashMap::new();
        for (path, text) in sources {
            let file = File::from_source(path, text)
                .map_err(|e| SchemaError::Invalid(format!("{e:?}")))?;
            files.insert(path.clone(), file);
        }
        let mut compiler = protox::Compiler::with_file_resolver(Sources::new(files));
        compiler.include_imports(true).include_source_info(true);
        for path in sources.keys() {
            compiler
                .open_file(path)
                .map_err(|e| SchemaError::Invalid(format!("{e:?}")))?;
        }
        let pool = compiler.descriptor_pool();
        let files: BTreeMap<String, FileDescriptor> = sources
            .keys()
            .filter_map(|path| pool.get_file_by_name(path).map(|file| (path.clone(), file)))
            .collect();
        let spans = files
            .iter()
            .map(|(path, file)| {
                let info = file.file_descriptor_proto().source_code_info.as_ref();
                let spans = info.map(SourceSpans::from_info).unwrap_or_default();
                (path.clone(), Arc::new(spans))
            })
            .collect();
        Ok(Module {
            files,
            sources: sources.clone(),
            spans,
        })
    }

    /// A module of one registered schema's own file (its references are
    /// dependencies, not part of the module).
    pub fn single(schema: &crate::protobuf::ProtobufSchema) -> Module {
        let name = schema.file().name().to_owned();
        Module {
            files: BTreeMap::from([(name.clone(), schema.file().clone())]),
            sources: BTreeMap::from([(name.clone(), schema.formatted().to_owned())]),
            spans: BTreeMap::from([(name, schema.spans())]),
        }
    }

    /// The module's own files (not imported built-ins), by path.
    pub fn files(&self) -> &BTreeMap<String, FileDescriptor> {
        &self.files
    }

    /// `span` started earlier, at `keyword`, when the keyword is the last
    /// one before the span on its line.
    pub fn widen(&self, file: &str, span: Span, keyword: &str) -> Span {
        let line = self.sources.get(file).and_then(|text| {
            text.lines()
                .nth(usize::try_from(span.start_line).unwrap_or(1) - 1)
        });
        let before =
            line.and_then(|line| line.get(..usize::try_from(span.start_col).unwrap_or(1) - 1));
        match before.and_then(|before| before.rfind(keyword)) {
            Some(index) => Span {
                start_col: u32::try_from(index).unwrap_or(0) + 1,
                ..span
            },
            None => span,
        }
    }

    /// The span of the element at `source_path` in `file`, if recorded.
    pub fn span(&self, file: &str, source_path: &[i32]) -> Option<Span> {
        self.spans.get(file)?.get(source_path)
    }
}
