//! `pfxgen rotate` and `rollback` on realistic service folders: byte-for-byte
//! comparisons before and after, a failure injected at every step, crashes
//! at every step, locking, and refusals.

use crate::common;

use std::path::Path;

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::WriteOptions;
use pfxgen_x509::CertificateParams;

use crate::common::{TempDir, argv, assert_same, fixtures, open, pfxgen, pfxgen_with, snapshot};

const PW: &str = "Rotate-Pass-42!x";
const NEW_PW: &str = "Next-Year-Pass-7#";

/// appsettings.json as the vendor documents it, with comments, CRLF line
/// ends, a UTF-8 BOM and a Windows-style relative certificate path.
const APPSETTINGS: &str = "\u{FEFF}{\r\n  // Identity service configuration\r\n  \"X509CertificatePath\": \".\\\\pfx\\\\win\\\\certificateDirectory\\\\openssl.pfx\",\r\n  \"DbProvider\": \"MsSql\",\r\n  /* registered applications */\r\n  \"Clients\": [\r\n    { \"ClientId\": \"main-app\", \"RedirectUris\": [ \"https://app.example/signin\" ] }\r\n  ],\r\n  \"RedisConnection\": \"redis:6379,password=not-a-real-one\",\r\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Warning\" } }, // trailing comma next\r\n}\r\n";

const CERT_REL: &str = "pfx/win/certificateDirectory/openssl.pfx";

/// A service folder with an installed certificate (mode 0640).
fn service(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let d = dir.path();
    std::fs::create_dir_all(d.join("pfx/win/certificateDirectory")).unwrap();
    std::fs::write(d.join("appsettings.json"), APPSETTINGS).unwrap();
    pfxgen(
        d,
        &argv(
            "generate --algorithm ecdsa-p256 --out pfx/win/certificateDirectory \
            --password-env PFXGEN_TEST_PW",
        ),
        Some(PW),
    )
    .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(d.join(CERT_REL), std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    dir
}

/// A new certificate file to rotate to, outside the service folder.
fn new_file(dir: &Path, name: &str) {
    pfxgen(
        dir,
        &argv(&format!(
            "generate --algorithm ecdsa-p384 --name {name} --password-env \
            PFXGEN_TEST_PW"
        )),
        Some(NEW_PW),
    )
    .success();
}

fn rotate_args<'a>(svc: &'a str, from: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["rotate", "--service-dir", svc, "--from", from];
    a.extend(argv(
        "--password-env PFXGEN_TEST_PW --current-password-env CURRENT_PW",
    ));
    a.extend_from_slice(extra);
    a
}

fn run_rotate(work: &Path, extra: &[&str], fault: Option<&str>) -> common::Run {
    let args = rotate_args("svc", "new.pfx", extra);
    let mut envs = vec![("PFXGEN_TEST_PW", NEW_PW), ("CURRENT_PW", PW)];
    if let Some(f) = fault {
        envs.push(("PFXGEN_FAULT", f));
    }
    pfxgen_with(work, &args, &envs, None)
}

/// A work folder holding `svc/` (the service) and `new.pfx`.
fn setup(tag: &str) -> TempDir {
    let work = TempDir::new(tag);
    let svc = service(&format!("{tag}-svc"));
    std::fs::rename(svc.path(), work.join("svc")).unwrap();
    new_file(work.path(), "new.pfx");
    work
}

fn thumbprint(path: &Path, password: &str) -> [u8; 20] {
    open(path, password).certificates[0]
        .certificate
        .as_ref()
        .unwrap()
        .sha1_thumbprint()
}

#[test]
fn rotate_in_place_keeps_everything_else_and_can_be_rolled_back_twice() {
    let work = setup("rot-inplace");
    let svc = work.join("svc");
    let old_bytes = std::fs::read(svc.join(CERT_REL)).unwrap();
    let old_tp = thumbprint(&svc.join(CERT_REL), PW);
    let run = run_rotate(work.path(), &[], None).success();
    run.stdout_has("old kid:");
    run.stdout_has("new kid:");
    run.stdout_has("recycle the identity service's application pool");
    // NEW_PW is not PW: the operator is told to update the service's setting.
    run.stdout_has("has a different password from the current one");
    run.stdout_has("rebuild and restart the identity service container");
    assert_eq!(
        std::fs::read_to_string(svc.join("appsettings.json")).unwrap(),
        APPSETTINGS,
        "appsettings.json must not change"
    );
    assert_eq!(
        std::fs::read(svc.join(CERT_REL)).unwrap(),
        std::fs::read(work.join("new.pfx")).unwrap()
    );
    #[cfg(unix)]
    assert_eq!(
        common::mode(&svc.join(CERT_REL)),
        0o640,
        "the old file's mode is kept"
    );
    // Backup and manifest.
    let backups: Vec<String> = std::fs::read_dir(svc.join("pfx-backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let backup = backups
        .iter()
        .find(|n| n.ends_with("-openssl.pfx"))
        .unwrap();
    assert_eq!(
        std::fs::read(svc.join("pfx-backups").join(backup)).unwrap(),
        old_bytes
    );
    #[cfg(unix)]
    assert_eq!(common::mode(&svc.join("pfx-backups").join(backup)), 0o600);
    let manifest = backups
        .iter()
        .find(|n| n.ends_with("-manifest.json"))
        .unwrap();
    let text = std::fs::read_to_string(svc.join("pfx-backups").join(manifest)).unwrap();
    assert!(text.contains(&pfxgen_x509::hex_upper(&old_tp)), "{text}");
    assert!(text.contains("\"sha256\""), "{text}");

    // Rollback restores the old file; a second rollback undoes the first.
    pfxgen(&svc, &["rollback", "--service-dir", "."], None).success();
    assert_eq!(std::fs::read(svc.join(CERT_REL)).unwrap(), old_bytes);
    pfxgen(&svc, &["rollback", "--service-dir", "."], None).success();
    assert_eq!(
        std::fs::read(svc.join(CERT_REL)).unwrap(),
        std::fs::read(work.join("new.pfx")).unwrap()
    );
}

#[test]
fn install_path_rewrites_only_the_value() {
    let work = setup("rot-path");
    let svc = work.join("svc");
    std::fs::create_dir(svc.join("certs")).unwrap();
    run_rotate(work.path(), &["--install-path", "certs\\2027.pfx"], None).success();
    let after = std::fs::read_to_string(svc.join("appsettings.json")).unwrap();
    let expected = APPSETTINGS.replace(
        "\".\\\\pfx\\\\win\\\\certificateDirectory\\\\openssl.pfx\"",
        "\"certs\\\\2027.pfx\"",
    );
    assert_eq!(
        after, expected,
        "only the value may change (BOM, comments, CRLF, order kept)"
    );
    open(&svc.join("certs/2027.pfx"), NEW_PW);
    #[cfg(unix)]
    assert_eq!(
        common::mode(&svc.join("certs/2027.pfx")),
        0o640,
        "a new file takes the current certificate's mode (0640 here)"
    );
    // The old file is still there (the service can be switched back).
    open(&svc.join(CERT_REL), PW);
    pfxgen(&svc, &["rollback", "--service-dir", "."], None).success();
    assert_eq!(
        std::fs::read_to_string(svc.join("appsettings.json")).unwrap(),
        APPSETTINGS
    );
}

/// A new certificate file is readable by whoever could read the current one,
/// and by nobody else: it takes the current file's owner and group (when
/// pfxgen may change owners, as root) and at most its owner-read/write and
/// group-read bits.
#[cfg(unix)]
#[test]
fn a_new_file_takes_over_owner_and_mode_without_world_access() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let work = setup("rot-owner");
    let svc = work.join("svc");
    std::fs::create_dir(svc.join("certs")).unwrap();
    let current = svc.join(CERT_REL);
    // A careless installation: world-readable and group-writable.
    std::fs::set_permissions(&current, std::fs::Permissions::from_mode(0o664)).unwrap();
    // As root, give the current file to a service account (uid/gid 4321).
    let service_account = common::is_root().then(|| {
        std::os::unix::fs::chown(&current, Some(4321), Some(4321)).unwrap();
        4321
    });
    run_rotate(work.path(), &["--install-path", "certs/2027.pfx"], None).success();
    let new = std::fs::metadata(svc.join("certs/2027.pfx")).unwrap();
    assert_eq!(
        new.permissions().mode() & 0o777,
        0o640,
        "never world-readable, never group-writable"
    );
    if let Some(uid) = service_account {
        assert_eq!(
            (new.uid(), new.gid()),
            (uid, uid),
            "the service account keeps access"
        );
    }
}

#[test]
fn dry_run_changes_nothing() {
    let work = setup("rot-dry");
    let before = snapshot(work.path());
    let run = run_rotate(work.path(), &["--dry-run"], None).success();
    run.stdout_has("dry run");
    assert_same(&before, &snapshot(work.path()), "dry run");
}

#[test]
fn every_injected_failure_leaves_the_folder_byte_identical() {
    let steps_in_place = argv(
        "lock=eio read-current=eio backup-dir=eacces backup-write=enospc \
        manifest-write=enospc manifest-fsync=eio manifest-install=eio pfx-write=enospc \
        pfx-fsync=eio pfx-install=eio",
    );
    for fault in steps_in_place {
        let work = setup("rot-fault");
        let before = snapshot(&work.join("svc"));
        let run = run_rotate(work.path(), &[], Some(fault));
        assert!(
            !run.output.status.success(),
            "{fault}: succeeded\n{}",
            run.describe()
        );
        assert!(
            [4, 5].contains(&run.code()),
            "{fault}: exit {}\n{}",
            run.code(),
            run.describe()
        );
        assert_same(&before, &snapshot(&work.join("svc")), fault);
    }
    // With a path change: also the appsettings.json steps, and the new file
    // created first must be removed again.
    for fault in [
        "pfx-install=eio",
        "appsettings-write=enospc",
        "appsettings-fsync=eio",
        "appsettings-install=erofs",
    ] {
        let work = setup("rot-fault-path");
        std::fs::create_dir(work.join("svc/certs")).unwrap();
        let before = snapshot(&work.join("svc"));
        let run = run_rotate(
            work.path(),
            &["--install-path", "certs/new.pfx"],
            Some(fault),
        );
        run.fails_with(5);
        assert_same(&before, &snapshot(&work.join("svc")), fault);
    }
}

#[test]
fn a_crash_at_any_step_leaves_old_or_new_whole() {
    let steps =
        argv("backup-write manifest-install pfx-write pfx-fsync pfx-install appsettings-install");
    for step in steps {
        let work = setup("rot-crash");
        let svc = work.join("svc");
        std::fs::create_dir(svc.join("certs")).unwrap();
        let old_cert = std::fs::read(svc.join(CERT_REL)).unwrap();
        let new_cert = std::fs::read(work.join("new.pfx")).unwrap();
        let fault = format!("{step}=crash");
        let run = run_rotate(
            work.path(),
            &["--install-path", "certs/new.pfx"],
            Some(&fault),
        );
        assert!(
            run.output.status.code().is_none(),
            "{step}: did not crash\n{}",
            run.describe()
        );
        // The service's configuration points at a whole certificate.
        let settings = std::fs::read_to_string(svc.join("appsettings.json")).unwrap();
        let in_use = if settings == APPSETTINGS {
            svc.join(CERT_REL)
        } else {
            assert!(
                settings.contains("certs/new.pfx"),
                "{step}: appsettings.json is neither old nor new:\n{settings}"
            );
            // The switch happened: the backup must be complete.
            let backups = std::fs::read_dir(svc.join("pfx-backups")).unwrap().count();
            assert!(backups >= 2, "{step}: switched without a complete backup");
            svc.join("certs/new.pfx")
        };
        let bytes = std::fs::read(&in_use).unwrap();
        assert!(
            bytes == old_cert || bytes == new_cert,
            "{step}: {} is neither the old nor the new file",
            in_use.display()
        );
        // The next rotation takes over the stale lock and succeeds.
        std::fs::remove_file(work.join("new.pfx")).unwrap();
        new_file(work.path(), "new.pfx");
        let retry = run_rotate(work.path(), &["--install-path", "certs/retry.pfx"], None);
        let retry = retry.success();
        assert!(
            retry.stderr().contains("stale lock") || !svc.join(".pfxgen.lock").exists(),
            "{}",
            retry.describe()
        );
    }
}

#[test]
fn refusals_change_nothing() {
    let work = setup("rot-refuse");
    let svc = work.join("svc");
    let before = snapshot(&svc);

    // Wrong password for the new file.
    let args = rotate_args("svc", "new.pfx", &[]);
    pfxgen_with(
        work.path(),
        &args,
        &[("PFXGEN_TEST_PW", "wrong"), ("CURRENT_PW", PW)],
        None,
    )
    .fails_with(3);
    assert_same(&before, &snapshot(&svc), "wrong password");

    // Each refused new file: exit 1, the reason on stderr, nothing changed.
    let refused = |file: &str, reason: &str, label: &str| {
        let args = rotate_args("svc", file, &[]);
        let envs = [("PFXGEN_TEST_PW", PW), ("CURRENT_PW", PW)];
        let run = pfxgen_with(work.path(), &args, &envs, None).fails_with(1);
        run.stderr_has(reason);
        assert_same(&before, &snapshot(&svc), label);
    };
    let write = |file: &str, key: &PrivateKey, params: &CertificateParams| {
        let cert = fixtures::self_signed(key, params);
        let bytes = fixtures::pfx(key, &cert, PW, Some(&WriteOptions::default()));
        std::fs::write(work.join(file), bytes).unwrap();
    };

    // The same certificate as the current one.
    std::fs::copy(svc.join(CERT_REL), work.join("same.pfx")).unwrap();
    refused("same.pfx", "already installed", "same certificate");

    // A new certificate on the current key.
    let current = open(&svc.join(CERT_REL), PW);
    let key = current.keys[0].key.as_ref().unwrap();
    write("samekey.pfx", key, &CertificateParams::default());
    refused("samekey.pfx", "reuses the current private key", "same key");

    // An expired certificate fails the checks.
    let past = pfxgen_x509::UtcTime::now().unwrap().plus_days(-40).unwrap();
    let params = CertificateParams {
        not_before: Some(past),
        validity_days: 10,
        ..Default::default()
    };
    write("expired.pfx", &fixtures::p256_key(), &params);
    refused("expired.pfx", "validity: expired", "expired");

    // Invalid JSON in appsettings.json.
    std::fs::write(
        svc.join("appsettings.json"),
        "{ \"X509CertificatePath\": \"a.pfx\", }}",
    )
    .unwrap();
    let before_bad = snapshot(&svc);
    let run = run_rotate(work.path(), &[], None).fails_with(4);
    run.stderr_has("not valid JSON");
    assert_same(&before_bad, &snapshot(&svc), "invalid JSON");
}

#[test]
fn missing_current_certificate_needs_an_explicit_flag() {
    let work = setup("rot-missing");
    let svc = work.join("svc");
    std::fs::remove_file(svc.join(CERT_REL)).unwrap();
    let before = snapshot(&svc);
    run_rotate(work.path(), &[], None)
        .fails_with(4)
        .stderr_contains("does not exist");
    assert_same(&before, &snapshot(&svc), "missing current");
    run_rotate(work.path(), &["--allow-missing-current"], None).success();
    open(&svc.join(CERT_REL), NEW_PW);
}

#[cfg(target_os = "linux")]
#[test]
fn a_device_in_place_of_appsettings_is_refused_with_bounded_memory() {
    let work = setup("rot-device");
    let svc = work.join("svc");
    std::fs::remove_file(svc.join("appsettings.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", svc.join("appsettings.json")).unwrap();
    run_rotate(work.path(), &["--dry-run"], None)
        .fails_with(4)
        .stderr_contains("not a regular file (a device)");
}

#[test]
fn a_nested_certificate_path_alone_is_refused_not_guessed() {
    let work = setup("rot-nested");
    let svc = work.join("svc");
    // The path moved under a section: pfxgen must not fall back to
    // DIR/openssl.pfx, a file the service would never read.
    let nested = APPSETTINGS.replace(
        "\"X509CertificatePath\":",
        "\"Signing\": { \"Kind\": \"pfx\" },\r\n  \"Other\": { \"X509CertificatePath\":",
    );
    let nested = nested.replace(
        "openssl.pfx\",\r\n  \"DbProvider\"",
        "openssl.pfx\" },\r\n  \"DbProvider\"",
    );
    assert_ne!(nested, APPSETTINGS);
    std::fs::write(svc.join("appsettings.json"), &nested).unwrap();
    let before = snapshot(&svc);
    run_rotate(work.path(), &["--allow-missing-current"], None)
        .fails_with(4)
        .stderr_contains("only below the top level (Other.X509CertificatePath)");
    assert_same(&before, &snapshot(&svc), "nested key");
}

#[test]
fn a_running_rotation_holds_the_lock() {
    let work = setup("rot-lock");
    let svc = work.join("svc");
    // A running pfxgen's process id: a live lock.
    let holder = common::LivePfxgen::start();
    std::fs::write(svc.join(".pfxgen.lock"), holder.lock_text()).unwrap();
    let before = snapshot(&svc);
    run_rotate(work.path(), &[], None)
        .fails_with(7)
        .stderr_contains("another pfxgen");
    assert_same(&before, &snapshot(&svc), "locked");
    pfxgen(&svc, &["rollback", "--service-dir", "."], None).fails_with(7);
    // A lock of another host says nothing about this one's processes.
    let foreign = format!("pid {}\nhost elsewhere.example\nsince now\n", holder.id());
    std::fs::write(svc.join(".pfxgen.lock"), foreign).unwrap();
    run_rotate(work.path(), &[], None).fails_with(7);
    drop(holder);

    // An empty lock is a run that crashed while taking it: fresh, it is
    // respected; a minute old, it is taken over.
    let lock = svc.join(".pfxgen.lock");
    std::fs::write(&lock, b"").unwrap();
    run_rotate(work.path(), &[], None).fails_with(7);
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(old)
        .unwrap();
    run_rotate(work.path(), &[], None)
        .success()
        .stderr_contains("left empty by a run that crashed");
    assert!(!lock.exists());
}

#[test]
fn a_generated_password_never_replaces_a_service_file() {
    let work = setup("rot-pw-clash");
    let svc = work.join("svc");
    let before = snapshot(&svc);
    for (pw_path, extra) in [
        (format!("svc/{CERT_REL}"), &["--allow-missing-current"][..]),
        ("svc/appsettings.json".to_owned(), &[][..]),
        ("svc/./appsettings.json".to_owned(), &["--dry-run"][..]),
    ] {
        let line = format!(
            "rotate --service-dir svc --algorithm ecdsa-p256 --generate-password \
            {pw_path} --current-password-env CURRENT_PW"
        );
        let mut args = argv(&line);
        args.extend_from_slice(extra);
        pfxgen_with(work.path(), &args, &[("CURRENT_PW", PW)], None)
            .fails_with(2)
            .stderr_contains("the password must go to another file");
        assert_same(&before, &snapshot(&svc), &pw_path);
    }
    // An existing file is refused up front, with no hint at a --force that
    // rotate does not have.
    std::fs::write(work.join("taken.txt"), b"keep me").unwrap();
    let run = pfxgen_with(
        work.path(),
        &argv(
            "rotate --service-dir svc --algorithm ecdsa-p256 --generate-password taken.txt \
            --current-password-env CURRENT_PW --dry-run",
        ),
        &[("CURRENT_PW", PW)],
        None,
    )
    .fails_with(5)
    .stderr_contains("will not overwrite a password file");
    run.stderr_lacks("--force");
    assert_eq!(std::fs::read(work.join("taken.txt")).unwrap(), b"keep me");
    assert_same(&before, &snapshot(&svc), "existing password file");
}

#[test]
fn generate_mode_makes_a_new_certificate_in_place() {
    let work = setup("rot-generate");
    let svc = work.join("svc");
    let old = thumbprint(&svc.join(CERT_REL), PW);
    let args =
        argv("rotate --service-dir svc --algorithm rsa-2048 --password-env PFXGEN_TEST_PW --json");
    // A dry run cannot promise the kid: the real run makes a new key.
    let before = snapshot(&svc);
    let mut dry = args.to_vec();
    dry.pop();
    dry.push("--dry-run");
    let plan = pfxgen(work.path(), &dry, Some(PW)).success();
    plan.stdout_has("generated by the real run with a fresh key");
    let stdout = plan.stdout();
    let line = stdout
        .lines()
        .find(|l| l.contains("new certificate"))
        .unwrap();
    assert!(
        !line
            .split_whitespace()
            .any(|w| w.len() == 40 && w.chars().all(|c| c.is_ascii_hexdigit())),
        "a kid was promised: {line}"
    );
    assert_same(&before, &snapshot(&svc), "dry run");
    let run = pfxgen(work.path(), &args, Some(PW)).success();
    run.stdout_has("\"new_kid\"");
    run.stdout_has("\"password_changed\": false");
    assert_ne!(thumbprint(&svc.join(CERT_REL), PW), old);
}

#[test]
fn rollback_refuses_a_damaged_backup() {
    let work = setup("rot-damaged");
    let svc = work.join("svc");
    run_rotate(work.path(), &[], None).success();
    let backup = std::fs::read_dir(svc.join("pfx-backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-openssl.pfx"))
        .unwrap();
    let mut bytes = std::fs::read(&backup).unwrap();
    bytes[100] ^= 0xFF;
    std::fs::write(&backup, bytes).unwrap();
    let before = snapshot(&svc);
    let run = pfxgen(&svc, &["rollback", "--service-dir", "."], None).fails_with(4);
    run.stderr_has("does not match its manifest");
    assert_same(&before, &snapshot(&svc), "damaged backup");
    pfxgen(
        &work.join("svc"),
        &["rollback", "--service-dir", "nowhere"],
        None,
    )
    .fails_with(4);
}

#[cfg(unix)]
#[test]
fn a_symlinked_certificate_stays_a_link() {
    let work = setup("rot-symlink");
    let svc = work.join("svc");
    let real = work.join("secure.pfx");
    std::fs::rename(svc.join(CERT_REL), &real).unwrap();
    std::os::unix::fs::symlink(&real, svc.join(CERT_REL)).unwrap();
    run_rotate(work.path(), &[], None).success();
    assert!(
        std::fs::symlink_metadata(svc.join(CERT_REL))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read(&real).unwrap(),
        std::fs::read(work.join("new.pfx")).unwrap()
    );
}

/// Review finding: a manifest planted in pfx-backups must not make rollback
/// write anywhere but the service's own files.
#[test]
fn rollback_refuses_a_crafted_manifest() {
    let work = setup("rot-crafted");
    let svc = work.join("svc");
    run_rotate(work.path(), &[], None).success();
    let victim = work.join("victim.json");
    std::fs::write(&victim, "{ \"safe\": true }").unwrap();
    let evil = b"{ \"attacker\": true }";
    let sha = pfxgen_x509::hex_lower(&<sha2::Sha256 as sha2::Digest>::digest(evil));
    let id = "99999999T999999Z";
    std::fs::write(svc.join(format!("pfx-backups/{id}-0-victim.json")), evil).unwrap();
    let hash = |b: &[u8]| pfxgen_x509::hex_lower(&<sha2::Sha256 as sha2::Digest>::digest(b));
    let real_svc = std::fs::canonicalize(&svc).unwrap();
    let service_dir = pfxgen::jsonc::quote(&real_svc.display().to_string());
    let victim_sha = hash(&std::fs::read(&victim).unwrap());
    let manifest = format!(
        "{{\"format\": \"pfxgen-rotation-manifest/1\", \"id\": \"{id}\", \"action\": \"rotate\", \"service_dir\": {service_dir}, \"changes\": [{{\"path\": {}, \"kind\": \"appsettings\", \"before\": {{\"backup\": \"pfx-backups/{id}-0-victim.json\", \"sha256\": \"{sha}\"}}, \"after\": {{\"sha256\": \"{victim_sha}\"}}}}]}}",
        pfxgen::jsonc::quote(&victim.display().to_string())
    );
    std::fs::write(
        svc.join(format!("pfx-backups/{id}-manifest.json")),
        manifest,
    )
    .unwrap();
    let run = pfxgen(&svc, &["rollback", "--service-dir", "."], None).fails_with(4);
    run.stderr_has("as appsettings.json");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "{ \"safe\": true }"
    );
    // A backup path that escapes pfx-backups is refused too.
    let settings_sha = hash(&std::fs::read(svc.join("appsettings.json")).unwrap());
    let manifest = format!(
        "{{\"format\": \"pfxgen-rotation-manifest/1\", \"id\": \"{id}\", \"action\": \"rotate\", \"service_dir\": {service_dir}, \"changes\": [{{\"path\": \"appsettings.json\", \"kind\": \"appsettings\", \"before\": {{\"backup\": \"pfx-backups/../../victim.json\", \"sha256\": \"{sha}\"}}, \"after\": {{\"sha256\": \"{settings_sha}\"}}}}]}}"
    );
    std::fs::write(
        svc.join(format!("pfx-backups/{id}-manifest.json")),
        manifest,
    )
    .unwrap();
    pfxgen(&svc, &["rollback", "--service-dir", "."], None)
        .fails_with(4)
        .stderr_contains("not one of its own backups");
}

/// Review finding: when standard output fails after the rotation is
/// committed, pfxgen still finishes: exit 0, lock released.
#[cfg(target_os = "linux")]
#[test]
fn output_failure_after_rotation_still_releases_the_lock() {
    let work = setup("rot-devfull");
    let args = rotate_args("svc", "new.pfx", &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pfxgen"))
        .args(&args)
        .current_dir(work.path())
        .env("PFXGEN_TEST_PW", NEW_PW)
        .env("CURRENT_PW", PW)
        .env_remove("PFXGEN_FAULT")
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!work.join("svc/.pfxgen.lock").exists(), "lock leaked");
    assert_eq!(
        std::fs::read(work.join("svc").join(CERT_REL)).unwrap(),
        std::fs::read(work.join("new.pfx")).unwrap()
    );
}

/// The top-level keys of a JSON object printed by pfxgen.
fn json_keys(text: &str) -> Vec<String> {
    let doc = pfxgen::jsonc::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let pfxgen::jsonc::Value::Object(members) = doc.value else {
        panic!("not an object: {text}");
    };
    let mut keys: Vec<String> = members.into_iter().map(|(k, _, _)| k).collect();
    keys.sort();
    keys
}

#[test]
fn dry_and_real_runs_report_the_same_keys_in_json() {
    let work = setup("rot-keys");
    let dry = run_rotate(work.path(), &["--dry-run", "--json"], None).success();
    let real = run_rotate(work.path(), &["--json"], None).success();
    let keys = json_keys(&real.stdout());
    assert_eq!(json_keys(&dry.stdout()), keys);
    for key in [
        "appsettings_changed",
        "installed",
        "new_kid",
        "manifest",
        "dry_run",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing: {keys:?}");
    }
    assert!(dry.stdout().contains("\"dry_run\": true"));
    assert!(real.stdout().contains("\"dry_run\": false"));

    let svc = work.join("svc");
    let rollback = |extra: &[&str]| {
        let mut args = vec!["rollback", "--service-dir", ".", "--json"];
        args.extend_from_slice(extra);
        pfxgen(&svc, &args, None).success()
    };
    let dry = rollback(&["--dry-run"]);
    let before = snapshot(&svc);
    let real_keys = json_keys(&rollback(&[]).stdout());
    assert_ne!(before, snapshot(&svc), "the real rollback restores");
    assert_eq!(json_keys(&dry.stdout()), real_keys);
    for key in ["restored_kid", "restore", "undoes", "manifest", "dry_run"] {
        assert!(real_keys.iter().any(|k| k == key), "{key} missing");
    }
}
