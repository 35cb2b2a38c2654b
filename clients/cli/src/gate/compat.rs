//! `herald compat`: judges schema files or directories against earlier
//! versions offline, with the registry's own engine, or the working tree's
//! mapped files against a git revision (`--against-git`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use herald_client::registry::CompatibilityOptions;
use herald_core::protobuf::buf::{self, Annotation, BufConfig, Module};
use herald_core::{
    CheckRules, CompatibilityLevel, CompatibilityPolicy, Direction, ParseLimits, ParsedSchema,
    ProtobufRules, ReferencedSchema, SchemaType,
};

use super::project::{Project, ProjectArgs, files_below};
use super::report::{Format, Item, Report, SubjectResult};
use super::{CliError, Verdict, files};
use herald_core::project::{MappedSubject, type_of};

/// Options that choose the rules: shared by `check` and `compat`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Protobuf rules: CONFLUENT (Confluent's diff, the default), a buf
    /// category (FILE, PACKAGE, WIRE_JSON, WIRE), or (compat only) a
    /// comma-separated list of categories and buf rule IDs, like buf's `use`
    /// (e.g. FIELD_NO_DELETE,FIELD_SAME_TYPE).
    #[arg(long, value_name = "RULES")]
    pub rules: Option<String>,
    /// JSON Schema policy: STRICT (Confluent's verdicts, the default) or LENIENT.
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<String>,
}

/// Protobuf rules as the engines take them.
enum ProtoRules {
    /// Confluent's diff or one buf category: exactly what the registry runs.
    Registry(ProtobufRules),
    /// Any list of buf categories and rule IDs (offline only).
    Buf(Vec<String>),
}

impl RuleArgs {
    fn protobuf(&self) -> ProtoRules {
        let Some(rules) = &self.rules else {
            return ProtoRules::Registry(ProtobufRules::Confluent);
        };
        match rules.parse::<ProtobufRules>() {
            Ok(rules) => ProtoRules::Registry(rules),
            Err(_) => ProtoRules::Buf(
                rules
                    .split(',')
                    .map(|r| r.trim().to_ascii_uppercase())
                    .filter(|r| !r.is_empty())
                    .collect(),
            ),
        }
    }

    /// The JSON Schema policy.
    pub fn policy(&self) -> Result<CompatibilityPolicy, CliError> {
        self.policy
            .as_deref()
            .map_or(Ok(CompatibilityPolicy::Strict), str::parse)
            .map_err(|e| CliError::Usage(e.to_string()))
    }

    /// The compatibility options that ask the registry for these rules.
    pub fn options(&self) -> Result<CompatibilityOptions, CliError> {
        let mut options = CompatibilityOptions::default();
        match self.protobuf() {
            ProtoRules::Registry(rules) if self.rules.is_some() => {
                options.protobuf_rules = Some(rules.as_str().to_owned());
            }
            ProtoRules::Registry(_) => {}
            ProtoRules::Buf(_) => {
                return Err(CliError::Usage(
                    "`herald check` takes CONFLUENT or one buf category in --rules (the registry's options); use `herald compat` for a list of rule IDs".to_owned(),
                ));
            }
        }
        if self.policy.is_some() {
            options.compatibility_policy = Some(self.policy()?.as_str().to_owned());
        }
        Ok(options)
    }
}

/// `herald compat`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald compat --old v1/order.avsc --new order.avsc
  herald compat --old v1.json --old v2.json --new order.json --level BACKWARD_TRANSITIVE
  herald compat --old previous/proto --new proto --rules FIELD_NO_DELETE,FIELD_SAME_TYPE
  herald compat --old v1/order.avsc --new order.avsc --ref com.acme.Money=shared/money.avsc
  herald compat --against-git origin/main --format github

Files are compared with files; directories pair their files by relative path
(findings then name paths relative to the new directory, as buf does). A
.proto file's imports and a JSON Schema's $refs resolve to files next to it;
an Avro schema's named types to the .avsc file of its directory defining them;
--ref NAME=FILE names the file for a reference found nowhere else.
Exit status: 0 compatible, 1 incompatible or invalid, 2 usage or I/O error.")]
pub struct CompatArgs {
    /// An earlier version (file or directory); repeat, oldest first, for
    /// transitive levels.
    #[arg(long = "old", value_name = "PATH")]
    pub old: Vec<PathBuf>,
    /// The new version (file or directory).
    #[arg(long, value_name = "PATH")]
    pub new: Option<PathBuf>,
    /// The format, when the extension does not say (avro, protobuf, json).
    #[arg(long = "type", value_name = "TYPE")]
    pub schema_type: Option<String>,
    /// The file a reference names (an Avro named type, a proto import, a
    /// JSON `$ref`), when it is not found next to the schema; repeatable.
    #[arg(long = "ref", value_name = "NAME=FILE", value_parser = parse_reference)]
    pub references: Vec<(String, PathBuf)>,
    /// The compatibility level.
    #[arg(long, default_value = "BACKWARD")]
    pub level: String,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Compare herald.toml's mapped files with the same files at this git
    /// revision (like `buf breaking --against .git#branch=main`).
    #[arg(long, value_name = "REF", conflicts_with_all = ["old", "new"])]
    pub against_git: Option<String>,
    /// The project file and subjects (with --against-git).
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `NAME=FILE` of `--ref`.
fn parse_reference(raw: &str) -> Result<(String, PathBuf), String> {
    match raw.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(file)))
        }
        _ => Err(format!("'{raw}' is not NAME=FILE")),
    }
}

/// The judge: a level, the rules for each format, and the files given for
/// references.
struct Judge {
    level: CompatibilityLevel,
    rules: CheckRules,
    buf_rules: Option<Vec<String>>,
    references: Vec<(String, PathBuf)>,
}

/// Runs `herald compat`.
pub fn run(args: &CompatArgs) -> Result<(Report, Verdict), CliError> {
    let level: CompatibilityLevel = args
        .level
        .parse()
        .map_err(|e: herald_core::compatibility::InvalidLevel| CliError::Usage(e.to_string()))?;
    let (protobuf, buf_rules) = match args.rules.protobuf() {
        ProtoRules::Registry(rules) => (rules, None),
        ProtoRules::Buf(list) => (ProtobufRules::Confluent, Some(list)),
    };
    let judge = Judge {
        level,
        rules: CheckRules {
            protobuf,
            json: args.rules.policy()?,
        },
        buf_rules,
        references: args.references.clone(),
    };
    let given_type = args
        .schema_type
        .as_deref()
        .map(|t| t.parse::<SchemaType>())
        .transpose()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let results = if let Some(revision) = &args.against_git {
        against_git(
            &judge,
            &args.project.config,
            &args.project.subjects,
            revision,
        )?
    } else {
        let new = args.new.as_ref().ok_or_else(|| {
            CliError::Usage("give --new and at least one --old, or --against-git REF".to_owned())
        })?;
        if args.old.is_empty() {
            return Err(CliError::Usage("give at least one --old".to_owned()));
        }
        if new.is_dir() {
            directories(&judge, &args.old, new, given_type)?
        } else {
            vec![files_pair(&judge, &args.old, new, given_type)?]
        }
    };
    let report = Report::new(results);
    let verdict = report.verdict();
    Ok((report, verdict))
}

impl Judge {
    /// Findings of `new` against `old` (oldest first), exactly as the
    /// registry judges a registration.
    fn parsed(&self, new: &ParsedSchema, old: &[ParsedSchema], file: &str) -> Vec<Item> {
        let previous: Vec<&ParsedSchema> = old.iter().collect();
        self.level
            .check(new, &previous, self.rules)
            .iter()
            .flat_map(|(_, findings)| findings.iter().map(|f| Item::from_finding(f, Some(file))))
            .collect()
    }

    /// Findings of buf's rules between two modules, in every direction of
    /// the level; files are named as in the modules.
    fn modules(
        &self,
        rules: &[String],
        config: &BufConfig,
        old: &Module,
        new: &Module,
    ) -> Vec<Item> {
        let mut breaking = config.breaking.clone();
        breaking.use_ = rules.to_vec();
        let selected = breaking.rules();
        self.level
            .directions()
            .iter()
            .flat_map(|direction| match direction {
                Direction::Backward => buf::breaking(old, new, &selected, &breaking),
                Direction::Forward => buf::breaking(new, old, &selected, &breaking),
            })
            .map(|annotation| annotation_item(&annotation))
            .collect()
    }
}

fn annotation_item(annotation: &Annotation) -> Item {
    Item {
        rule: annotation.rule.to_owned(),
        path: annotation.file.clone().unwrap_or_default(),
        message: annotation.message.clone(),
        file: annotation.file.clone(),
        line: annotation.span.map(|s| s.start_line),
        column: annotation.span.map(|s| s.start_col),
        end_line: annotation.span.map(|s| s.end_line),
        end_column: annotation.span.map(|s| s.end_col),
    }
}

/// `--old FILE... --new FILE`.
fn files_pair(
    judge: &Judge,
    old: &[PathBuf],
    new: &Path,
    given: Option<SchemaType>,
) -> Result<SubjectResult, CliError> {
    let schema_type = files::schema_type(new, given)?;
    let shown = new.display().to_string();
    let new_text = files::read(new)?;
    let old = versions(old, new)?;
    let old = old.as_slice();
    if let (SchemaType::Protobuf, Some(rules)) = (schema_type, &judge.buf_rules) {
        let module = |path: &Path, text: &str| -> Result<Module, CliError> {
            let mut sources = BTreeMap::new();
            for reference in files::local_references(path, schema_type, text, &judge.references)? {
                sources.insert(reference.name, reference.text);
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sources.insert(name, text.to_owned());
            Module::compile(&sources)
                .map_err(|e| CliError::Invalid(format!("{}: {e}", path.display())))
        };
        let current = module(new, &new_text)?;
        let mut items = Vec::new();
        for path in judge.level.compared(old) {
            let previous = module(path, &files::read(path)?)?;
            items.extend(judge.modules(rules, &BufConfig::default(), &previous, &current));
        }
        let dir = new.parent().unwrap_or(Path::new(""));
        for item in &mut items {
            item.file = item
                .file
                .as_ref()
                .map(|f| dir.join(f).display().to_string());
        }
        return Ok(SubjectResult::new(shown, items));
    }
    let refs = &judge.references;
    let new_schema = files::parse(new, schema_type, &new_text, refs)?;
    let previous = old
        .iter()
        .map(|path| {
            let schema_type = files::schema_type(path, given)?;
            files::parse(path, schema_type, &files::read(path)?, refs)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SubjectResult::new(
        shown.clone(),
        judge.parsed(&new_schema, &previous, &shown),
    ))
}

/// The earlier versions of a file, oldest first: each `--old` file, and
/// for an `--old` directory its files of the new file's extension, in name
/// order (`v1.avsc`, `v2.avsc`, ...).
fn versions(old: &[PathBuf], new: &Path) -> Result<Vec<PathBuf>, CliError> {
    let extension = new
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut found = Vec::new();
    for path in old {
        if !path.is_dir() {
            found.push(path.clone());
            continue;
        }
        let inside = files_below(path, &extension)
            .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
        if inside.is_empty() {
            return Err(CliError::Usage(format!(
                "{} holds no .{extension} file to compare {} with",
                path.display(),
                new.display()
            )));
        }
        found.extend(inside.keys().map(|name| path.join(name)));
    }
    Ok(found)
}

/// `--old DIR... --new DIR`: files paired by relative path.
fn directories(
    judge: &Judge,
    old: &[PathBuf],
    new: &Path,
    given: Option<SchemaType>,
) -> Result<Vec<SubjectResult>, CliError> {
    let io = |dir: &Path, e: std::io::Error| CliError::Io(format!("{}: {e}", dir.display()));
    if let Some(rules) = buf_rules_for(judge, new)? {
        let config = buf_config(new)?;
        let current = tree_module(new, &config)?;
        let mut items = Vec::new();
        for dir in judge.level.compared(old) {
            let previous = tree_module(dir, &buf_config(dir)?)?;
            items.extend(judge.modules(&rules, &config, &previous, &current));
        }
        return Ok(vec![SubjectResult::new(new.display().to_string(), items)]);
    }
    let mut results = Vec::new();
    for extension in ["avsc", "proto", "json"] {
        let current = files_below(new, extension).map_err(|e| io(new, e))?;
        for relative in current.keys() {
            let path = new.join(relative);
            let schema_type = given.or_else(|| type_of(&path)).unwrap_or(SchemaType::Avro);
            let previous: Vec<PathBuf> = judge
                .level
                .compared(old)
                .iter()
                .map(|dir| dir.join(relative))
                .filter(|p| p.is_file())
                .collect();
            if previous.is_empty() {
                results
                    .push(SubjectResult::new(relative.clone(), Vec::new()).with_note("new file"));
                continue;
            }
            let new_schema =
                files::parse(&path, schema_type, &current[relative], &judge.references)?;
            let previous = previous
                .iter()
                .map(|p| files::parse(p, schema_type, &files::read(p)?, &judge.references))
                .collect::<Result<Vec<_>, _>>()?;
            results.push(SubjectResult::new(
                relative.clone(),
                judge.parsed(&new_schema, &previous, relative),
            ));
        }
    }
    Ok(results)
}

/// The buf rules for a protobuf tree: `--rules` as a list, or the
/// `breaking` section of its `buf.yaml`; `None` for Confluent's diff.
fn buf_rules_for(judge: &Judge, dir: &Path) -> Result<Option<Vec<String>>, CliError> {
    if let Some(rules) = &judge.buf_rules {
        return Ok(Some(rules.clone()));
    }
    if let ProtobufRules::Buf(category) = judge.rules.protobuf {
        return Ok(Some(vec![category.as_str().to_owned()]));
    }
    if dir.join("buf.yaml").is_file() {
        let config = buf_config(dir)?;
        let mut rules = config.breaking.use_.clone();
        if rules.is_empty() {
            rules.push("FILE".to_owned());
        }
        return Ok(Some(rules));
    }
    Ok(None)
}

fn buf_config(dir: &Path) -> Result<BufConfig, CliError> {
    let path = dir.join("buf.yaml");
    if !path.is_file() {
        return Ok(BufConfig::default());
    }
    serde_yaml_ng::from_str(&files::read(&path)?)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// The `.proto` files of a tree (below its `build.roots`, if any), compiled.
fn tree_module(dir: &Path, config: &BufConfig) -> Result<Module, CliError> {
    let roots: Vec<PathBuf> = if config.build.roots.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        config
            .build
            .roots
            .iter()
            .map(|root| dir.join(root))
            .collect()
    };
    let mut sources = BTreeMap::new();
    for root in roots {
        sources.extend(
            files_below(&root, "proto")
                .map_err(|e| CliError::Io(format!("{}: {e}", root.display())))?,
        );
    }
    Module::compile(&sources).map_err(|e| CliError::Invalid(format!("{}: {e}", dir.display())))
}

/// `--against-git REF`: every mapped subject's file against itself at REF.
fn against_git(
    judge: &Judge,
    config: &Path,
    only: &[String],
    revision: &str,
) -> Result<Vec<SubjectResult>, CliError> {
    let project = Project::load(config)?;
    let verified = git(
        project.dir(),
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{revision}^{{commit}}"),
        ],
    );
    if verified.is_none() {
        return Err(CliError::Usage(format!(
            "{revision} is not a git revision of {}",
            project.root.display()
        )));
    }
    let mut results = Vec::new();
    for subject in project.select(only)? {
        let shown = project.root.join(&subject.file).display().to_string();
        let Some(old_text) = at_revision(&project, revision, &subject.file) else {
            results.push(
                SubjectResult::new(subject.name.clone(), Vec::new()).with_note(format!(
                    "{} is new since {revision}",
                    subject.file.display()
                )),
            );
            continue;
        };
        let new_text = files::read(&project.root.join(&subject.file))?;
        let new_refs = mapped_references(&project, subject, &|file| {
            files::read(&project.root.join(file)).map(Some)
        })?;
        let old_refs = mapped_references(&project, subject, &|file| {
            Ok(at_revision(&project, revision, file))
        })?;
        let parse = |text: &str, references: &[ReferencedSchema], when: &str| {
            ParsedSchema::parse(
                subject.schema_type,
                text,
                references,
                ParseLimits::default(),
            )
            .map_err(|e| CliError::Invalid(format!("{shown} ({when}): {e}")))
        };
        let new = parse(&new_text, &new_refs, "working tree")?;
        let old = parse(&old_text, &old_refs, revision)?;
        let items = judge.parsed(&new, std::slice::from_ref(&old), &shown);
        results.push(SubjectResult::new(subject.name.clone(), items));
    }
    Ok(results)
}

/// The texts of the project subjects `subject` references, transitively,
/// read with `read` (the working tree, or a revision).
fn mapped_references(
    project: &Project,
    subject: &MappedSubject,
    read: &dyn Fn(&Path) -> Result<Option<String>, CliError>,
) -> Result<Vec<ReferencedSchema>, CliError> {
    let mut found: Vec<ReferencedSchema> = Vec::new();
    let mut pending: Vec<&MappedSubject> = vec![subject];
    while let Some(current) = pending.pop() {
        for reference in &current.references {
            if found.iter().any(|r| r.name == reference.name) {
                continue;
            }
            let target = project.subject(&reference.subject).ok_or_else(|| {
                CliError::Usage(format!(
                    "{} references subject {}, which herald.toml does not map to a file; `herald compat` works offline, so map it (or use `herald check`)",
                    current.name, reference.subject
                ))
            })?;
            if let Some(text) = read(&target.file)? {
                found.push(ReferencedSchema {
                    name: reference.name.clone(),
                    schema_type: target.schema_type,
                    text,
                });
                pending.push(target);
            }
        }
    }
    Ok(found)
}

/// `file` (relative to the project root) as it was at `revision`.
fn at_revision(project: &Project, revision: &str, file: &Path) -> Option<String> {
    let spec = format!("{revision}:./{}", file.display());
    git(project.dir(), &["show", &spec])
}

/// Runs git in `dir`; its output when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
