//! The files a schema may import: its references, Confluent's own
//! `confluent/*.proto`, and the google/protobuf well-known types.

use std::cell::RefCell;
use std::collections::HashMap;

use protox::file::{File, FileResolver, GoogleFileResolver};

/// Confluent's files, importable without a reference.
const CONFLUENT_FILES: &[(&str, &str)] = &[
    ("confluent/meta.proto", include_str!("builtin/meta.proto")),
    (
        "confluent/type/decimal.proto",
        include_str!("builtin/decimal.proto"),
    ),
];

/// Whether `name` is importable without a reference.
pub fn is_builtin(name: &str) -> bool {
    CONFLUENT_FILES.iter().any(|(file, _)| *file == name)
        || GoogleFileResolver::new().open_file(name).is_ok()
}

/// Resolves imports for the compiler: given files first (the schema and
/// its references), then the built-in ones. The compiler opens each file
/// once, so a given file is handed over rather than copied.
pub(crate) struct Sources {
    files: RefCell<HashMap<String, File>>,
    google: GoogleFileResolver,
}

impl Sources {
    pub(crate) fn new(files: HashMap<String, File>) -> Sources {
        Sources {
            files: RefCell::new(files),
            google: GoogleFileResolver::new(),
        }
    }
}

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Some(file) = self.files.borrow_mut().remove(name) {
            return Ok(file);
        }
        if let Some((_, text)) = CONFLUENT_FILES.iter().find(|(file, _)| *file == name) {
            return File::from_source(name, text);
        }
        self.google.open_file(name)
    }
}
