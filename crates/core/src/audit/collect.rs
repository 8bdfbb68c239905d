//! Expanding the command line's paths into instances: PFX and certificate
//! files named or found, and service folders (an `appsettings.json` beside
//! them) with the certificate their settings name.
//!
//! Nothing is skipped silently: a folder too deep to search, a broken link
//! or a certificate-named entry that is not a regular file is a problem (an
//! UNREADABLE finding). Symbolic links are followed (secret volumes such as
//! Kubernetes' are made of them), each real folder is searched once, so
//! link loops end; folders whose names start with a dot are not searched,
//! but links to files in them are. A path named on the command line that
//! does not exist stops the audit (exit 2): a typo must not pass as clean.

use std::{
    collections::{BTreeMap, HashSet},
    fs::Metadata,
    path::{Component, Path, PathBuf},
};

use crate::{
    audit::map::absolute,
    error::Failure,
    service::{appsettings, locate, transaction::BACKUP_DIR},
};

/// Deepest folder level searched.
pub const MAX_SEARCH_DEPTH: usize = 12;

/// Where one audited certificate lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The name shown: the service folder's name, made longer (`eu/prod`,
    /// `us/prod`) when two service folders share it; or the file's path.
    pub label: String,
    /// The service folder's own name (or the file's path): what password
    /// map rules written for the short name match.
    pub name: String,
    /// The PFX (or certificate) file.
    pub path: PathBuf,
    /// The service folder, when found through one.
    pub service_dir: Option<PathBuf>,
}

/// Something on the way that is not an instance but must be reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The path concerned.
    pub what: String,
    /// Why it was not read.
    pub why: String,
}

/// Finds the certificate file of a service folder. The binary implements
/// it with the rules `rotate` uses, so both read the same file.
pub trait ServiceFolders {
    /// The certificate file the service in `dir` uses.
    ///
    /// # Errors
    /// Why it cannot be told (unreadable settings, ...).
    fn certificate_of(&self, dir: &Path) -> Result<PathBuf, String>;

    /// The name of the backup folder inside a service folder (never
    /// searched: old certificates are not instances).
    fn backup_folder(&self) -> &str;
}

/// Service folders as `rotate` locates them (its settings, environment
/// overrides and link rules), with its backup folder skipped.
#[derive(Clone, Copy, Debug, Default)]
pub struct AsRotate;

impl ServiceFolders for AsRotate {
    fn certificate_of(&self, dir: &Path) -> Result<PathBuf, String> {
        locate::locate(dir)
            .map(|s| s.current)
            .map_err(|f| f.message)
    }

    fn backup_folder(&self) -> &str {
        BACKUP_DIR
    }
}

/// Whether `dir` looks like a service folder.
fn is_service_dir(dir: &Path) -> bool {
    dir.join(appsettings::FILE_NAME).is_file()
}

/// Whether the name says certificate: `.pfx`, `.p12`, `.crt`, `.cer`,
/// `.der` or `.pem`, any case.
#[must_use]
pub fn is_certificate_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["pfx", "p12", "crt", "cer", "der", "pem"].contains(&e.to_ascii_lowercase().as_str())
    })
}

fn name_of(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn file_instance(path: PathBuf) -> Instance {
    let label = path.display().to_string();
    Instance {
        name: label.clone(),
        label,
        path,
        service_dir: None,
    }
}

/// The walk's state.
struct Collector<'a> {
    services: &'a dyn ServiceFolders,
    found: Vec<Instance>,
    problems: Vec<Problem>,
    searched: HashSet<PathBuf>,
}

impl Collector<'_> {
    fn problem(&mut self, what: &Path, why: impl Into<String>) {
        self.problems.push(Problem {
            what: what.display().to_string(),
            why: why.into(),
        });
    }

    /// One path from the command line.
    fn named(&mut self, p: &Path) -> Result<(), Failure> {
        let Ok(meta) = std::fs::metadata(p) else {
            let why = if std::fs::symlink_metadata(p).is_ok() {
                "is a broken link"
            } else {
                "does not exist"
            };
            return Err(Failure::usage(format!("{} {why}", p.display()))
                .with_hint("name existing service folders, files, or a folder above them"));
        };
        if meta.is_dir() {
            self.search(p);
        } else {
            // Named explicitly: read whatever it is (a FIFO or process
            // substitution too); the reader bounds its size.
            self.found.push(file_instance(p.to_path_buf()));
        }
        Ok(())
    }

    /// A folder and everything below it, depth first, in name order.
    fn search(&mut self, root: &Path) {
        let mut stack = vec![(root.to_path_buf(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            if !self.searched.insert(absolute(&dir)) {
                continue;
            }
            if is_service_dir(&dir) {
                self.service(&dir);
            }
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    self.problem(&dir, format!("cannot read the folder: {e}"));
                    continue;
                }
            };
            let mut entries: Vec<PathBuf> =
                entries.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            for entry in entries {
                if let Some(sub) = self.entry(entry, depth, root) {
                    stack.push((sub, depth + 1));
                }
            }
        }
    }

    fn service(&mut self, dir: &Path) {
        match self.services.certificate_of(dir) {
            Ok(path) => {
                let name = name_of(dir);
                self.found.push(Instance {
                    label: name.clone(),
                    name,
                    path,
                    service_dir: Some(dir.to_path_buf()),
                });
            }
            Err(why) => self.problem(dir, why),
        }
    }

    /// One folder entry: a sub-folder to search is returned.
    fn entry(&mut self, entry: PathBuf, depth: usize, root: &Path) -> Option<PathBuf> {
        let meta = self.followed(&entry)?;
        if meta.is_dir() {
            let name = name_of(&entry);
            if name == self.services.backup_folder() || name.starts_with('.') {
                return None;
            }
            if depth >= MAX_SEARCH_DEPTH {
                let why = format!(
                    "not searched: more than {MAX_SEARCH_DEPTH} folder levels below {}",
                    root.display()
                );
                self.problem(&entry, why);
                return None;
            }
            return Some(entry);
        }
        if is_certificate_file(&entry) {
            if meta.is_file() {
                self.found.push(file_instance(entry));
            } else {
                self.problem(&entry, "not a regular file (a pipe or device?); not read");
            }
        }
        None
    }

    /// The entry's metadata, through a link; a broken link named like a
    /// certificate is a problem.
    fn followed(&mut self, entry: &Path) -> Option<Metadata> {
        let link_meta = std::fs::symlink_metadata(entry).ok()?;
        if !link_meta.file_type().is_symlink() {
            return Some(link_meta);
        }
        match std::fs::metadata(entry) {
            Ok(m) => Some(m),
            Err(_) => {
                if is_certificate_file(entry) {
                    self.problem(entry, "is a broken link");
                }
                None
            }
        }
    }
}

/// The instances under `paths`, sorted by label, and the problems met.
///
/// # Errors
/// Exit 2 when a path named does not exist (or is a broken link).
pub fn collect(
    paths: &[PathBuf],
    services: &dyn ServiceFolders,
) -> Result<(Vec<Instance>, Vec<Problem>), Failure> {
    let mut c = Collector {
        services,
        found: Vec::new(),
        problems: Vec::new(),
        searched: HashSet::new(),
    };
    for p in paths {
        c.named(p)?;
    }
    let mut instances = dedupe(c.found);
    distinguish(&mut instances);
    instances.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.path.cmp(&b.path)));
    Ok((instances, c.problems))
}

/// Every service folder is its own instance, even when two of them point at
/// the same certificate file (that is the REUSE finding audit exists for);
/// a bare file found again as some service's certificate, or twice, counts
/// once.
fn dedupe(all: Vec<Instance>) -> Vec<Instance> {
    let mut services: Vec<Instance> = Vec::new();
    let mut service_dirs = HashSet::new();
    let mut service_files = HashSet::new();
    for inst in all.iter().filter(|i| i.service_dir.is_some()) {
        if let Some(dir) = &inst.service_dir {
            if service_dirs.insert(absolute(dir)) {
                service_files.insert(absolute(&inst.path));
                services.push(inst.clone());
            }
        }
    }
    let mut files_seen = HashSet::new();
    let files = all.into_iter().filter(|i| {
        i.service_dir.is_none()
            && !service_files.contains(&absolute(&i.path))
            && files_seen.insert(absolute(&i.path))
    });
    services.into_iter().chain(files).collect()
}

/// The folder names of `dir`, outermost first: as given, or from its
/// absolute form when the given one is too short to tell it apart.
fn folder_names(dir: &Path, at_least: usize) -> Vec<String> {
    let names = |p: &Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let given = names(dir);
    if given.len() >= at_least {
        given
    } else {
        names(&absolute(dir))
    }
}

/// Service folders that share a name (`eu/prod`, `us/prod`) are labelled
/// with as many trailing folder names as it takes to tell them apart.
fn distinguish(instances: &mut [Instance]) {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, inst) in instances.iter().enumerate() {
        if inst.service_dir.is_some() {
            by_name.entry(inst.name.clone()).or_default().push(i);
        }
    }
    for group in by_name.values().filter(|g| g.len() > 1) {
        for depth in 2..=64 {
            let labels: Vec<String> = group
                .iter()
                .filter_map(|&i| instances.get(i)?.service_dir.as_deref())
                .map(|dir| {
                    let names = folder_names(dir, depth);
                    let skip = names.len().saturating_sub(depth);
                    names.get(skip..).unwrap_or_default().join("/")
                })
                .collect();
            let unique: HashSet<&String> = labels.iter().collect();
            let last = depth == 64;
            if unique.len() == labels.len() || last {
                for (&i, label) in group.iter().zip(labels) {
                    if let Some(inst) = instances.get_mut(i) {
                        inst.label = label;
                    }
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(dir: &str) -> Instance {
        Instance {
            label: name_of(Path::new(dir)),
            name: name_of(Path::new(dir)),
            path: PathBuf::from(dir).join("openssl.pfx"),
            service_dir: Some(PathBuf::from(dir)),
        }
    }

    #[test]
    fn colliding_names_get_their_distinguishing_path() {
        let mut all = vec![
            service("srv/eu/prod"),
            service("srv/us/prod"),
            service("a/x/test"),
            service("b/x/test"),
            service("srv/dev"),
        ];
        distinguish(&mut all);
        let labels: Vec<&str> = all.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            ["eu/prod", "us/prod", "a/x/test", "b/x/test", "dev"]
        );
        assert_eq!(all[0].name, "prod", "the short name is kept for map rules");
    }
}
