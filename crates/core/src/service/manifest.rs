//! The rotation manifest: what `rotate` (or `rollback`) is about to change,
//! written into `pfx-backups/` before the first file is replaced, and read
//! back by `rollback`.
//!
//! A manifest records, for every file the operation writes, its path
//! relative to the service folder, the backup of what was there (with its
//! SHA-256) or that nothing was, and the SHA-256 of what was installed; and
//! for the operation the old and new `kid`, whether the password changed
//! (never the password) and how the new certificate differs. The reader
//! takes only what it needs to undo the operation and refuses anything
//! incomplete: a manifest is instructions to restore files.

use core::fmt;

use crate::{
    json::{Json, Obj},
    service::jsonc::{self, Node, Value},
};

/// Manifest format identifier (the `format` member).
pub const MANIFEST_FORMAT: &str = "pfxgen-rotation-manifest/1";

/// Largest rotation manifest `rollback` reads (pfxgen's are about 1 KiB).
pub const MAX_MANIFEST_SIZE: u64 = 1024 * 1024;

/// The kind of file a change wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// The PFX.
    Certificate,
    /// `appsettings.json` (or an environment file).
    Appsettings,
}

impl ChangeKind {
    /// The name the manifest uses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::Appsettings => "appsettings",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "certificate" => Some(Self::Certificate),
            "appsettings" => Some(Self::Appsettings),
            _ => None,
        }
    }
}

/// A backup recorded in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backup {
    /// Its path relative to the service folder (`pfx-backups/<id>-<n>-<name>`).
    pub path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
}

/// One file an operation wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its path as configured (relative to the service folder, or absolute).
    pub path: String,
    /// What it is.
    pub kind: ChangeKind,
    /// The backup of what was there; `None` when the file did not exist.
    pub before: Option<Backup>,
    /// SHA-256 of what the operation installed, lower-case hex.
    pub after: String,
}

/// A certificate as a manifest records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateRecord {
    /// Its path relative to the service folder, when known.
    pub path: Option<String>,
    /// Its SHA-1 thumbprint (the `kid`), upper-case hex.
    pub kid: Option<String>,
    /// Its `notAfter`, as text.
    pub not_after: Option<String>,
}

/// A rotation manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The operation's id: the backups are named `<id>-<n>-<name>`, the
    /// manifest `<id>-manifest.json`.
    pub id: String,
    /// When it was written.
    pub time: Option<String>,
    /// `rotate` or `rollback`.
    pub action: String,
    /// The real path of the service folder it was written for.
    pub service_dir: String,
    /// For a rollback: the manifest it undid, relative to the service folder.
    pub rolls_back: Option<String>,
    /// The certificate replaced.
    pub old_certificate: CertificateRecord,
    /// The certificate installed.
    pub new_certificate: CertificateRecord,
    /// Whether the PFX password changed (`None`: unknown).
    pub password_changed: Option<bool>,
    /// Whether the replaced certificate could not be read (installed with
    /// `--allow-unreadable-current`): its backup need not parse.
    pub current_unreadable: bool,
    /// How the new certificate differs from the old one, one line each.
    pub differences: Vec<String>,
    /// The files written, the certificate first.
    pub changes: Vec<Change>,
}

/// Why a manifest was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestError {
    /// Not UTF-8 text.
    NotUtf8,
    /// Not valid JSON.
    Syntax(jsonc::JsonError),
    /// Valid JSON without the manifest format identifier.
    NotAManifest,
    /// A required member is missing or has the wrong type.
    Missing(&'static str),
    /// A change of a kind pfxgen does not write.
    UnknownKind,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 => f.write_str("not UTF-8"),
            Self::Syntax(e) => write!(f, "{e}"),
            Self::NotAManifest => f.write_str("not a pfxgen rotation manifest"),
            Self::Missing(what) => f.write_str(what),
            Self::UnknownKind => f.write_str("a change of an unknown kind"),
        }
    }
}

impl std::error::Error for ManifestError {}

fn string(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::as_str).map(str::to_owned)
}

fn boolean(node: &Node, key: &str) -> Option<bool> {
    match node.get(key) {
        Some(Node {
            value: Value::Bool(b),
            ..
        }) => Some(*b),
        _ => None,
    }
}

fn strings(node: &Node, key: &str) -> Vec<String> {
    match node.get(key) {
        Some(Node {
            value: Value::Array(items),
            ..
        }) => items
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn certificate_record(doc: &Node, key: &str) -> CertificateRecord {
    doc.get(key)
        .map_or_else(CertificateRecord::default, |c| CertificateRecord {
            path: string(c, "path"),
            kid: string(c, "sha1_thumbprint"),
            not_after: string(c, "not_after"),
        })
}

fn change(item: &Node) -> Result<Change, ManifestError> {
    let path = string(item, "path").ok_or(ManifestError::Missing("a change without a path"))?;
    let kind = string(item, "kind").ok_or(ManifestError::Missing("a change without a kind"))?;
    let kind = ChangeKind::parse(&kind).ok_or(ManifestError::UnknownKind)?;
    let before = match item.get("before") {
        Some(Node {
            value: Value::Null, ..
        }) => None,
        Some(b) => Some(
            string(b, "backup")
                .zip(string(b, "sha256"))
                .map(|(path, sha256)| Backup { path, sha256 })
                .ok_or(ManifestError::Missing(
                    "a change whose backup is not recorded",
                ))?,
        ),
        None => {
            return Err(ManifestError::Missing(
                "a change without its previous state",
            ));
        }
    };
    let after =
        item.get("after")
            .and_then(|a| string(a, "sha256"))
            .ok_or(ManifestError::Missing(
                "a change without the hash of what it installed",
            ))?;
    Ok(Change {
        path,
        kind,
        before,
        after,
    })
}

impl Manifest {
    /// Reads a manifest. It must carry the format identifier, an id, the
    /// service folder and, for every change, the SHA-256 of what was there
    /// before (or that nothing was) and of what was installed.
    ///
    /// # Errors
    /// What is missing or malformed.
    pub fn parse(bytes: &[u8]) -> Result<Self, ManifestError> {
        let text = core::str::from_utf8(bytes).map_err(|_| ManifestError::NotUtf8)?;
        let doc = jsonc::parse(text).map_err(ManifestError::Syntax)?;
        if string(&doc, "format").as_deref() != Some(MANIFEST_FORMAT) {
            return Err(ManifestError::NotAManifest);
        }
        let id = string(&doc, "id").ok_or(ManifestError::Missing("no id"))?;
        let service_dir =
            string(&doc, "service_dir").ok_or(ManifestError::Missing("no service folder"))?;
        let Some(Node {
            value: Value::Array(items),
            ..
        }) = doc.get("changes")
        else {
            return Err(ManifestError::Missing("no changes"));
        };
        let changes = items.iter().map(change).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            id,
            time: string(&doc, "time"),
            action: string(&doc, "action").unwrap_or_default(),
            service_dir,
            rolls_back: string(&doc, "rolls_back"),
            old_certificate: certificate_record(&doc, "old_certificate"),
            new_certificate: certificate_record(&doc, "new_certificate"),
            password_changed: boolean(&doc, "password_changed"),
            current_unreadable: boolean(&doc, "current_unreadable") == Some(true),
            differences: strings(&doc, "differences"),
            changes,
        })
    }

    /// The manifest as pfxgen writes it: pretty JSON with a final newline.
    /// A rotation records the certificates' paths and expiry, whether the
    /// current one was unreadable and the differences; a rollback the
    /// manifest it undid and the `kid`s.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut obj = Obj::new()
            .field("format", MANIFEST_FORMAT)
            .field("id", self.id.as_str())
            .field("time", self.time.clone())
            .field("action", self.action.as_str())
            .field("service_dir", self.service_dir.as_str());
        if let Some(undone) = &self.rolls_back {
            obj.push("rolls_back", undone.as_str());
        }
        let rotation = self.rolls_back.is_none();
        let record = |c: &CertificateRecord| {
            if rotation {
                Obj::new()
                    .field("path", c.path.clone())
                    .field("sha1_thumbprint", c.kid.clone())
                    .field("not_after", c.not_after.clone())
            } else {
                Obj::new().field("sha1_thumbprint", c.kid.clone())
            }
        };
        obj.push("old_certificate", record(&self.old_certificate));
        obj.push("new_certificate", record(&self.new_certificate));
        obj.push("password_changed", self.password_changed);
        if rotation {
            obj.push("current_unreadable", self.current_unreadable);
            obj.push("differences", self.differences.clone());
        }
        let changes: Vec<Json> = self.changes.iter().map(change_json).collect();
        obj.push("changes", Json::Array(changes));
        Json::from(obj).pretty() + "\n"
    }
}

fn change_json(c: &Change) -> Json {
    let before = c.before.as_ref().map_or(Json::Null, |b| {
        Json::from(
            Obj::new()
                .field("backup", b.path.as_str())
                .field("sha256", b.sha256.as_str()),
        )
    });
    Json::from(
        Obj::new()
            .field("path", c.path.as_str())
            .field("kind", c.kind.as_str())
            .field("before", before)
            .field("after", Obj::new().field("sha256", c.after.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            id: "20261130T120000Z".to_owned(),
            time: Some("2026-11-30 12:00:00 UTC".to_owned()),
            action: "rotate".to_owned(),
            service_dir: "/srv/ids".to_owned(),
            rolls_back: None,
            old_certificate: CertificateRecord {
                path: Some("openssl.pfx".to_owned()),
                kid: Some("AB".to_owned()),
                not_after: None,
            },
            new_certificate: CertificateRecord::default(),
            password_changed: Some(true),
            current_unreadable: false,
            differences: vec!["algorithm: RSA 2048 → ECDSA P-384".to_owned()],
            changes: vec![Change {
                path: "openssl.pfx".to_owned(),
                kind: ChangeKind::Certificate,
                before: Some(Backup {
                    path: "pfx-backups/20261130T120000Z-0-openssl.pfx".to_owned(),
                    sha256: "00".to_owned(),
                }),
                after: "11".to_owned(),
            }],
        }
    }

    #[test]
    fn a_written_manifest_reads_back_the_same() {
        let m = sample();
        assert_eq!(Manifest::parse(m.to_text().as_bytes()), Ok(m.clone()));
        let mut r = m;
        r.action = "rollback".to_owned();
        r.rolls_back = Some("pfx-backups/x-manifest.json".to_owned());
        r.old_certificate.path = None;
        r.differences.clear();
        assert_eq!(Manifest::parse(r.to_text().as_bytes()), Ok(r));
    }

    #[test]
    fn incomplete_manifests_are_refused_with_the_reason() {
        let cases = [
            (&b"\xff"[..], "not UTF-8"),
            (b"{}", "not a pfxgen rotation manifest"),
            (
                br#"{"format": "pfxgen-rotation-manifest/1", "service_dir": "/"}"#,
                "no id",
            ),
            (
                br#"{"format": "pfxgen-rotation-manifest/1", "id": "x", "service_dir": "/", "changes": [{"path": "a", "kind": "script", "before": null}]}"#,
                "a change of an unknown kind",
            ),
            (
                br#"{"format": "pfxgen-rotation-manifest/1", "id": "x", "service_dir": "/", "changes": [{"path": "a", "kind": "certificate", "before": null}]}"#,
                "a change without the hash of what it installed",
            ),
        ];
        for (bytes, why) in cases {
            let e = Manifest::parse(bytes).unwrap_err();
            assert_eq!(e.to_string(), why);
        }
    }
}
