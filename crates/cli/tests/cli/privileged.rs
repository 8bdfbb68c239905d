//! Attacks on privileged operation (SECURITY.md, "Privileged operation").
//!
//! pfxgen runs as root on a service folder owned by a real unprivileged
//! account (`pfxgen-attacker`, created with `useradd` when missing). The
//! account does what a compromised service account can do — plant links,
//! rename folders, forge manifests, swap a temporary file at the exact
//! moment pfxgen is checking it (the `pause` fault-injection point makes
//! that moment deterministic) — and each test asserts that a victim file
//! outside the folder, owned by root, keeps its bytes, owner and mode.
//! The account's actions run as that account (`runuser`), so they prove
//! what it can really do.
//!
//! Every test needs root (CI runs as root). Run as another user, each test
//! says on stderr that it did not run and passes.

#![cfg(target_os = "linux")]

use crate::common;

use std::{
    os::unix::fs::{MetadataExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::OnceLock,
};

use crate::common::{TempDir, argv, is_root, open, pfxgen, run};

const PW: &str = "Rotate-Pass-42!x";
const NEW_PW: &str = "Next-Year-Pass-7#";
const ACCOUNT: &str = "pfxgen-attacker";

/// The attacker's uid and gid, creating the account once.
fn account() -> (u32, u32) {
    static IDS: OnceLock<(u32, u32)> = OnceLock::new();
    *IDS.get_or_init(|| {
        let id = |flag: &str| {
            Command::new("id")
                .args([flag, ACCOUNT])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .and_then(|s| s.trim().parse::<u32>().ok())
        };
        if id("-u").is_none() {
            let status = Command::new("useradd")
                .args([
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/bin/sh",
                    ACCOUNT,
                ])
                .status()
                .expect("run useradd");
            assert!(status.success() || id("-u").is_some(), "useradd failed");
        }
        (id("-u").unwrap(), id("-g").unwrap())
    })
}

/// Runs `script` with `sh -c` as the attacker, in `dir`.
fn as_attacker(dir: &Path, script: &str) {
    let args = ["-u", ACCOUNT, "--", "sh", "-c", script];
    run(Path::new("runuser"), &args, &[], dir).success();
}

fn skip_unless_root(test: &str) -> bool {
    if is_root() {
        false
    } else {
        eprintln!("{test}: not run: attack tests need root (CI runs as root)");
        true
    }
}

/// Gives `path` and everything below it to the attacker.
fn give_to_attacker(path: &Path) {
    let (uid, gid) = account();
    let status = Command::new("chown")
        .args(["-hR", &format!("{uid}:{gid}")])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A root-owned file in a root-only folder, and its state.
struct Victim {
    path: PathBuf,
    bytes: Vec<u8>,
    owner: (u32, u32),
    mode: u32,
}

impl Victim {
    fn new(work: &TempDir) -> Self {
        let dir = work.join("root-only");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = dir.join("authorized_keys");
        std::fs::write(&path, b"ssh-ed25519 AAAAroot root@host\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let m = std::fs::metadata(&path).unwrap();
        Self {
            bytes: std::fs::read(&path).unwrap(),
            owner: (m.uid(), m.gid()),
            mode: m.mode() & 0o7777,
            path,
        }
    }

    fn assert_untouched(&self, what: &str) {
        let m = std::fs::metadata(&self.path).unwrap();
        assert_eq!(
            std::fs::read(&self.path).unwrap(),
            self.bytes,
            "{what}: bytes"
        );
        assert_eq!((m.uid(), m.gid()), self.owner, "{what}: owner");
        assert_eq!(m.mode() & 0o7777, self.mode, "{what}: mode");
        let entries: Vec<_> = std::fs::read_dir(self.path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            entries.len(),
            1,
            "{what}: new files beside the victim: {entries:?}"
        );
    }
}

/// `work/svc`, owned by the attacker: appsettings.json naming
/// `openssl.pfx`, the current certificate, and `work/new.pfx` to rotate to.
fn service(tag: &str) -> TempDir {
    let work = TempDir::new(tag);
    let svc = work.join("svc");
    std::fs::create_dir(&svc).unwrap();
    std::fs::write(
        svc.join("appsettings.json"),
        "{ \"X509CertificatePath\": \"openssl.pfx\" }\n",
    )
    .unwrap();
    for (dir, name, pw) in [
        (&svc, "openssl.pfx", PW),
        (&work.path().to_path_buf(), "new.pfx", NEW_PW),
    ] {
        pfxgen(
            dir,
            &argv(&format!(
                "generate --algorithm ecdsa-p256 --name {name} --iterations 1000 \
                --password-env PFXGEN_TEST_PW"
            )),
            Some(pw),
        )
        .success();
    }
    give_to_attacker(&svc);
    work
}

/// [`service`], when the tests run as root; otherwise `None`, having
/// said on stderr that the test `tag` did not run.
fn root_service(tag: &str) -> Option<TempDir> {
    (!skip_unless_root(tag)).then(|| service(tag))
}

fn rotate(work: &TempDir, extra: &[&str]) -> common::Run {
    let envs = [("PFXGEN_TEST_PW", NEW_PW), ("CURRENT_PW", PW)];
    common::rotate_svc(work.path(), "--from new.pfx", extra, &envs)
}

fn set_certificate_path(work: &TempDir, value: &str) {
    let text = format!(
        "{{ \"X509CertificatePath\": {} }}\n",
        pfxgen::jsonc::quote(value)
    );
    as_attacker(
        work.path(),
        &format!("printf '%s' '{text}' > svc/appsettings.json"),
    );
}

/// Nobody attacking: root rotates and rolls back a folder the service
/// account owns; the new file stays the account's, the backups root's.
#[test]
fn ordinary_rotation_of_a_service_owned_folder_succeeds() {
    let Some(work) = root_service("priv-ordinary") else {
        return;
    };
    let svc = work.join("svc");
    rotate(&work, &[]).success();
    open(&svc.join("openssl.pfx"), NEW_PW);
    let m = std::fs::metadata(svc.join("openssl.pfx")).unwrap();
    assert_eq!((m.uid(), m.gid()), account(), "the account keeps its file");
    let b = std::fs::metadata(svc.join("pfx-backups")).unwrap();
    assert_eq!((b.uid(), b.mode() & 0o777), (0, 0o700));
    pfxgen(work.path(), &["rollback", "--service-dir", "svc"], None).success();
    open(&svc.join("openssl.pfx"), PW);
}

/// Attack 1: the account points the configuration at root's
/// authorized_keys, swaps pfx-backups for a folder of its own with a forged
/// manifest and a "backup" carrying its key. Rollback must refuse.
#[test]
fn attack_rollback_with_a_forged_backup_folder_cannot_write_root_files() {
    let Some(work) = root_service("priv-rollback") else {
        return;
    };
    let victim = Victim::new(&work);
    rotate(&work, &[]).success();
    set_certificate_path(&work, &victim.path.display().to_string());
    let evil = "ssh-ed25519 AAAAattacker evil";
    let script = format!(
        "mv svc/pfx-backups svc/old-backups && mkdir svc/pfx-backups && \
         printf '%s' '{evil}' > svc/pfx-backups/29990101T000000Z-0-authorized_keys && \
         printf '%s' '{{\"format\": \"pfxgen-rotation-manifest/1\", \"id\": \"29990101T000000Z\", \"action\": \"rotate\", \
         \"service_dir\": \"{svc}\", \"changes\": [{{\"path\": \"{victim}\", \"kind\": \"certificate\", \
         \"before\": {{\"backup\": \"pfx-backups/29990101T000000Z-0-authorized_keys\", \"sha256\": \"x\"}}}}]}}' \
         > svc/pfx-backups/29990101T000000Z-manifest.json",
        svc = work.join("svc").display(),
        victim = victim.path.display()
    );
    as_attacker(work.path(), &script);
    pfxgen(work.path(), &["rollback", "--service-dir", "svc"], None)
        .fails_with(8)
        .stderr_contains("backup folder belongs to uid");
    victim.assert_untouched("rollback with a forged backup folder");
    // And rotate will not take the configured path either.
    rotate(&work, &[])
        .fails_with(8)
        .stderr_contains("outside the service folder");
    victim.assert_untouched("rotate towards root's file");
}

/// Attack 2: the temporary file is swapped for a link to the victim while
/// pfxgen decrypts it. Owner and mode are set on the descriptor, and the
/// name is checked before the rename: nothing reaches the victim and
/// nothing is installed.
#[test]
fn attack_temporary_file_swapped_for_a_link_during_the_check() {
    if skip_unless_root("attack_swap") {
        return;
    }
    for command in ["rotate", "generate"] {
        let work = service(&format!("priv-swap-{command}"));
        let victim = Victim::new(&work);
        let svc = work.join("svc");
        let before = std::fs::read(svc.join("openssl.pfx")).unwrap();
        let pause = work.join("pause");
        std::fs::create_dir(&pause).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pfxgen"));
        if command == "rotate" {
            cmd.args([
                "rotate",
                "--service-dir",
                "svc",
                "--from",
                "new.pfx",
                "--password-env",
                "PFXGEN_TEST_PW",
                "--current-password-env",
                "CURRENT_PW",
            ]);
        } else {
            cmd.args([
                "generate",
                "--out",
                "svc",
                "--force",
                "--iterations",
                "1000",
                "--password-env",
                "PFXGEN_TEST_PW",
            ]);
        }
        let child = cmd
            .current_dir(work.path())
            .env("PFXGEN_TEST_PW", NEW_PW)
            .env("CURRENT_PW", PW)
            .env("PFXGEN_FAULT", "pfx-written=pause")
            .env("PFXGEN_PAUSE_DIR", &pause)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for(&pause.join("pfx-written.paused"));
        as_attacker(
            work.path(),
            &format!(
                "for t in svc/.openssl.pfx.*.tmp; do rm -f \"$t\" && ln -s {} \"$t\"; done",
                victim.path.display()
            ),
        );
        std::fs::write(pause.join("pfx-written.resume"), b"").unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(8), "{command}: {stderr}");
        assert!(
            stderr.contains("temporary file was replaced"),
            "{command}: {stderr}"
        );
        victim.assert_untouched(command);
        assert_eq!(
            std::fs::read(svc.join("openssl.pfx")).unwrap(),
            before,
            "{command}"
        );
    }
}

/// Waits (bounded) for the paused process to reach its pause point.
fn wait_for(marker: &Path) {
    for _ in 0..6000 {
        if marker.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{} never appeared", marker.display());
}

/// Attack 3: a link the account planted at the output is not followed by
/// `generate --force`.
#[test]
fn attack_planted_link_at_the_output_is_refused() {
    let Some(work) = root_service("priv-link") else {
        return;
    };
    let victim = Victim::new(&work);
    as_attacker(
        work.path(),
        &format!(
            "rm svc/openssl.pfx && ln -s {} svc/openssl.pfx",
            victim.path.display()
        ),
    );
    pfxgen(
        work.path(),
        &argv("generate --out svc --force --iterations 1000 --password-env PFXGEN_TEST_PW"),
        Some(NEW_PW),
    )
    .fails_with(8)
    .stderr_contains("symbolic link");
    victim.assert_untouched("generate --force through a planted link");
    let names: Vec<_> = std::fs::read_dir(work.join("svc"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing new in the folder: {names:?}");
}

/// Attack 3, rotate: `pfx-backups` replaced by a link to a root folder.
#[test]
fn attack_backup_folder_link_is_refused() {
    let Some(work) = root_service("priv-backup-link") else {
        return;
    };
    let victim = Victim::new(&work);
    let target = victim.path.parent().unwrap();
    as_attacker(
        work.path(),
        &format!("ln -s {} svc/pfx-backups", target.display()),
    );
    rotate(&work, &[])
        .fails_with(8)
        .stderr_contains("pfx-backups");
    victim.assert_untouched("rotate with pfx-backups linked away");
}

/// An untrusted configuration pointing at another service's certificate
/// is refused; the operator can name it on the command line.
#[test]
fn untrusted_config_pointing_at_another_service_is_refused() {
    let Some(work) = root_service("priv-other") else {
        return;
    };
    let other = work.join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::copy(work.join("svc/openssl.pfx"), other.join("openssl.pfx")).unwrap();
    let before = std::fs::read(other.join("openssl.pfx")).unwrap();
    set_certificate_path(&work, "../other/openssl.pfx");
    rotate(&work, &[])
        .fails_with(8)
        .stderr_contains("outside the service folder");
    assert_eq!(std::fs::read(other.join("openssl.pfx")).unwrap(), before);
    // Named by the operator, it is used.
    rotate(&work, &["--certificate", "../other/openssl.pfx"]).success();
    open(&other.join("openssl.pfx"), NEW_PW);
}

/// A link planted as the lock file is neither followed nor removed.
#[test]
fn attack_lock_file_link_is_not_followed() {
    let Some(work) = root_service("priv-lock") else {
        return;
    };
    let victim = Victim::new(&work);
    as_attacker(
        work.path(),
        &format!("ln -s {} svc/.pfxgen.lock", victim.path.display()),
    );
    rotate(&work, &[]).fails_with(7);
    victim.assert_untouched("a lock file linked to root's file");
    assert!(
        std::fs::symlink_metadata(work.join("svc/.pfxgen.lock")).is_ok(),
        "the account's lock stays"
    );
}

/// A hard link to a root file in the account's folder is not copied into
/// a backup (which a rollback would give back to the account).
#[test]
fn a_hard_link_to_a_root_file_is_not_backed_up() {
    let Some(work) = root_service("priv-hardlink") else {
        return;
    };
    let secret = work.join("secret.pfx");
    std::fs::copy(work.join("svc/openssl.pfx"), &secret).unwrap();
    std::fs::remove_file(work.join("svc/openssl.pfx")).unwrap();
    // What fs.protected_hardlinks=0 would let the account do.
    std::fs::hard_link(&secret, work.join("svc/openssl.pfx")).unwrap();
    rotate(&work, &[])
        .fails_with(8)
        .stderr_contains("hard links");
    assert!(
        !work.join("svc/pfx-backups").exists()
            || std::fs::read_dir(work.join("svc/pfx-backups"))
                .unwrap()
                .count()
                == 0
    );
}

/// A FIFO in place of the current certificate fails at once, not hangs.
#[test]
fn a_fifo_as_the_current_certificate_does_not_hang_rotate() {
    let Some(work) = root_service("priv-fifo") else {
        return;
    };
    std::fs::remove_file(work.join("svc/openssl.pfx")).unwrap();
    as_attacker(work.path(), "mkfifo svc/openssl.pfx");
    rotate(&work, &[]).fails_with(4).stderr_contains("a FIFO");
}
