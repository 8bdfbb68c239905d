//! The operator at 2 a.m. (issue 13): rotation keeps what the service has,
//! recovery paths for a damaged current file, dry runs that exit as the
//! real run would, rollback that says what changes back, environment
//! files, linked settings, and generate's early warnings. Each test drives
//! the binary as an operator would.

use crate::common;

use std::path::Path;

use crate::common::{TempDir, argv, assert_same, open, pfxgen, pfxgen_with, snapshot};

const PW: &str = "Rotate-Pass-42!x";
const NEW_PW: &str = "Next-Year-Pass-7#";

fn generate_into(dir: &Path, extra: &[&str], password: &str) {
    let mut args = argv("generate --iterations 1000 --password-env PFXGEN_TEST_PW");
    args.extend_from_slice(extra);
    pfxgen(dir, &args, Some(password)).success();
}

/// A service folder `svc` with an ECDSA P-384 certificate for
/// `CN=billing-ids`, a SAN, an EKU and 200 days of validity.
fn billing_service(tag: &str) -> TempDir {
    let work = TempDir::new(tag);
    std::fs::create_dir(work.join("svc")).unwrap();
    generate_into(
        &work.join("svc"),
        &argv(
            "--algorithm ecdsa-p384 --subject CN=billing-ids,O=Example --san \
            dns:ids.example.com --eku serverAuth --days 200",
        ),
        PW,
    );
    work
}

fn rotate(work: &TempDir, extra: &[&str]) -> common::Run {
    let envs = [("PFXGEN_TEST_PW", NEW_PW), ("CURRENT_PW", PW)];
    common::rotate_svc(work.path(), "--iterations 1000", extra, &envs)
}

fn certificate(path: &Path, password: &str) -> pfxgen_x509::Certificate {
    let opened = open(path, password);
    opened.certificates[0].certificate.as_ref().unwrap().clone()
}

#[test]
fn rotate_in_place_keeps_algorithm_subject_sans_ekus_and_validity() {
    let work = billing_service("op-like");
    let old = certificate(&work.join("svc/openssl.pfx"), PW);
    let run = rotate(&work, &["--json"]).success();
    run.stdout_has("\"changes\": []");
    let new = certificate(&work.join("svc/openssl.pfx"), NEW_PW);
    assert_eq!(
        new.public_key().unwrap().kind(),
        old.public_key().unwrap().kind()
    );
    assert_eq!(new.subject(), "CN=billing-ids,O=Example");
    assert_eq!(
        new.extensions().subject_alt_names,
        old.extensions().subject_alt_names
    );
    assert_eq!(
        new.extensions().extended_key_usage,
        old.extensions().extended_key_usage
    );
    assert_eq!(new.not_before().days_until(new.not_after()), 200);
}

#[test]
fn rotate_says_what_an_option_changes() {
    let work = billing_service("op-change");
    // The next rotation's current password is NEW_PW: rotate once first.
    let run = rotate(&work, &["--algorithm", "rsa-2048", "--dry-run"]).success();
    run.stdout_has("algorithm: ECDSA P-384 → RSA 2048");
    let run = rotate(&work, &["--algorithm", "rsa-2048", "--subject", "CN=other"]).success();
    run.stdout_has("changes:    algorithm: ECDSA P-384 → RSA 2048");
    run.stdout_has("subject: CN=billing-ids,O=Example → CN=other");
}

#[test]
fn a_damaged_current_certificate_has_a_recovery_path() {
    let work = billing_service("op-damaged");
    let path = work.join("svc/openssl.pfx");
    let damaged: Vec<u8> = std::fs::read(&path).unwrap()[..300].to_vec();
    std::fs::write(&path, &damaged).unwrap();
    let before = snapshot(&work.join("svc"));
    rotate(&work, &[])
        .fails_with(4)
        .stderr_contains("--allow-unreadable-current");
    assert_same(&before, &snapshot(&work.join("svc")), "refused rotation");
    let run = rotate(&work, &["--allow-unreadable-current"]).success();
    run.stdout_has("could not be read");
    open(&path, NEW_PW);
    // The damaged bytes are kept and a rollback brings them back.
    pfxgen(work.path(), &["rollback", "--service-dir", "svc"], None).success();
    assert_eq!(std::fs::read(&path).unwrap(), damaged);
}

#[test]
fn dry_run_exits_as_the_real_run_would() {
    let work = billing_service("op-dry");
    // A lock held by a live pfxgen on this machine.
    let holder = common::LivePfxgen::start();
    std::fs::write(work.join("svc/.pfxgen.lock"), holder.lock_text()).unwrap();
    rotate(&work, &["--dry-run"]).fails_with(7);
    rotate(&work, &[]).fails_with(7);
    drop(holder);
    std::fs::remove_file(work.join("svc/.pfxgen.lock")).unwrap();
    // pfx-backups that is a file: the real run refuses it, so does the plan.
    std::fs::write(work.join("svc/pfx-backups"), b"not a folder").unwrap();
    let dry = rotate(&work, &["--dry-run"]).code();
    let real = rotate(&work, &[]).code();
    assert_eq!(dry, real, "dry run and real run disagree");
    assert_eq!(real, 8);
}

#[test]
fn rollback_reports_the_password_change_and_the_restored_kid() {
    let work = billing_service("op-rollback");
    let old = certificate(&work.join("svc/openssl.pfx"), PW);
    let kid = pfxgen_x509::hex_upper(&old.sha1_thumbprint());
    rotate(&work, &[]).success();
    let dry = pfxgen(
        work.path(),
        &argv("rollback --service-dir svc --dry-run --json"),
        None,
    )
    .success();
    dry.stdout_has("\"dry_run\": true");
    dry.stdout_has(&kid);
    let run = pfxgen(work.path(), &["rollback", "--service-dir", "svc"], None).success();
    run.stdout_has(&format!("restored kid:       {kid}"));
    run.stdout_has("uses the previous password");
    open(&work.join("svc/openssl.pfx"), PW);
}

#[test]
fn an_environment_file_overriding_the_path_must_be_named() {
    let work = billing_service("op-env");
    let svc = work.join("svc");
    std::fs::write(
        svc.join("appsettings.json"),
        "{ \"X509CertificatePath\": \"openssl.pfx\" }",
    )
    .unwrap();
    std::fs::copy(svc.join("openssl.pfx"), svc.join("prod.pfx")).unwrap();
    std::fs::write(
        svc.join("appsettings.Production.json"),
        "{ \"X509CertificatePath\": \"prod.pfx\" }",
    )
    .unwrap();
    let before = snapshot(&svc);
    rotate(&work, &[])
        .fails_with(2)
        .stderr_contains("appsettings.Production.json");
    assert_same(&before, &snapshot(&svc), "ambiguous environment");
    rotate(&work, &["--environment", "Production"]).success();
    open(&svc.join("prod.pfx"), NEW_PW);
    open(&svc.join("openssl.pfx"), PW);
    // The variable ASP.NET Core reads says the same.
    pfxgen_with(
        work.path(),
        &argv(
            "rotate --service-dir svc --iterations 1000 --password-env PFXGEN_TEST_PW \
            --current-password-env CURRENT_PW",
        ),
        &[
            ("PFXGEN_TEST_PW", NEW_PW),
            ("CURRENT_PW", PW),
            ("ASPNETCORE_ENVIRONMENT", "Development"),
        ],
        None,
    )
    .success();
    open(&svc.join("openssl.pfx"), NEW_PW);
}

#[cfg(unix)]
#[test]
fn a_linked_appsettings_is_edited_through_its_link() {
    let work = billing_service("op-link");
    let svc = work.join("svc");
    std::fs::create_dir(work.join("config")).unwrap();
    std::fs::write(
        work.join("config/appsettings.json"),
        "{\n  \"X509CertificatePath\": \"openssl.pfx\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        work.join("config/appsettings.json"),
        svc.join("appsettings.json"),
    )
    .unwrap();
    rotate(&work, &["--install-path", "next.pfx"]).success();
    assert!(
        std::fs::symlink_metadata(svc.join("appsettings.json"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let edited = std::fs::read_to_string(work.join("config/appsettings.json")).unwrap();
    assert!(edited.contains("\"next.pfx\""), "{edited}");
    pfxgen(work.path(), &["rollback", "--service-dir", "svc"], None).success();
    assert!(
        std::fs::symlink_metadata(svc.join("appsettings.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let restored = std::fs::read_to_string(work.join("config/appsettings.json")).unwrap();
    assert!(restored.contains("\"openssl.pfx\""), "{restored}");
}

#[test]
fn a_utf16_appsettings_gets_a_save_as_utf8_hint() {
    let work = billing_service("op-utf16");
    let text = "{ \"X509CertificatePath\": \"openssl.pfx\" }";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(work.join("svc/appsettings.json"), bytes).unwrap();
    rotate(&work, &["--dry-run"])
        .fails_with(4)
        .stderr_contains("UTF-16")
        .stderr_contains("save it as UTF-8");
}

#[test]
fn generate_warns_before_making_an_unusable_file() {
    let work = TempDir::new("op-warn");
    let run = pfxgen(
        work.path(),
        &argv("generate --no-password --days 10 --name a.pfx"),
        None,
    )
    .success();
    run.stderr_has("valid for 10 days");
    let run = pfxgen(
        work.path(),
        &argv("generate --no-password --iterations 300000 --name b.pfx"),
        None,
    )
    .success();
    run.stderr_has("older .NET runtimes accept");
    let run = pfxgen(work.path(), &["verify", "b.pfx"], None).fails_with(1);
    assert!(
        (run.stdout() + &run.stderr()).contains("dotnet-loader-limits"),
        "{}",
        run.describe()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_prompt_asks_again_after_a_mismatch_or_a_weak_password() {
    let work = TempDir::new("op-reask");
    common::asks_again_at_the_prompt(
        work.path(),
        "generate --algorithm ecdsa-p256 --iterations 1000",
        NEW_PW,
    );
    open(&work.join("openssl.pfx"), NEW_PW);
}

#[cfg(target_os = "linux")]
#[test]
fn password_stdin_at_a_terminal_does_not_echo() {
    let work = TempDir::new("op-stdin-tty");
    let (code, transcript) = common::under_terminal(
        work.path(),
        "generate --algorithm ecdsa-p256 --iterations 1000 --password-stdin",
        &[NEW_PW],
    );
    assert_eq!(code, 0, "{transcript}");
    assert!(!transcript.contains(NEW_PW), "echoed:\n{transcript}");
    open(&work.join("openssl.pfx"), NEW_PW);
}

#[cfg(target_os = "linux")]
#[test]
fn rotate_asks_for_the_current_password_at_a_terminal() {
    let work = billing_service("op-ask-current");
    let (code, transcript) = common::under_terminal_env(
        work.path(),
        "rotate --service-dir svc --iterations 1000 --password-env NEXT",
        &[("NEXT", NEW_PW)],
        &[PW],
    );
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains("Password for the current certificate"),
        "{transcript}"
    );
    open(&work.join("svc/openssl.pfx"), NEW_PW);
}

#[test]
fn password_file_accepts_a_pipe() {
    let work = TempDir::new("op-pipe");
    pfxgen_with(
        work.path(),
        &argv("generate --algorithm ecdsa-p256 --iterations 1000 --password-file /dev/stdin"),
        &[],
        Some(&format!("{NEW_PW}\n")),
    )
    .success();
    open(&work.join("openssl.pfx"), NEW_PW);
}

#[test]
fn powershell_parameter_names_work_in_powershell_spelling() {
    let work = TempDir::new("op-ps");
    std::fs::create_dir(work.join("out")).unwrap();
    pfxgen(
        work.path(),
        &[
            "generate",
            "-pemPassword",
            NEW_PW,
            "-OUTPUTPATH",
            "out",
            "-validDays",
            "90",
            "--iterations",
            "1000",
        ],
        None,
    )
    .success();
    let cert = certificate(&work.join("out/openssl.pfx"), NEW_PW);
    assert_eq!(cert.not_before().days_until(cert.not_after()), 90);
}

#[test]
fn near_misses_get_a_did_you_mean() {
    let work = TempDir::new("op-dym");
    pfxgen(work.path(), &["generate", "--pemPassword", "x"], None)
        .fails_with(2)
        .stderr_contains("did you mean --pem-password?");
    pfxgen(work.path(), &["rotate", "--pasword-file", "x"], None)
        .fails_with(2)
        .stderr_contains("did you mean --password-file?");
}

#[test]
fn an_empty_lock_is_called_empty_not_an_unnamed_process() {
    let work = billing_service("op-emptylock");
    // Fresh and empty: a run that is taking the lock right now.
    std::fs::write(work.join("svc/.pfxgen.lock"), b"").unwrap();
    for extra in [&["--dry-run"][..], &[]] {
        let run = rotate(&work, extra)
            .fails_with(7)
            .stderr_contains("its lock file is empty");
        run.stderr_lacks("()");
    }
}

#[test]
fn a_lock_naming_a_reused_process_id_is_stale() {
    let work = billing_service("op-reusedpid");
    // This test runs, on this host, but it is not a pfxgen: the process id
    // of the run that held the lock has been reused.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned();
    let lock = work.join("svc/.pfxgen.lock");
    let text = format!("pid {}\nhost {host}\nsince now\n", std::process::id());
    std::fs::write(&lock, &text).unwrap();
    rotate(&work, &["--dry-run"]).success();
    let run = rotate(&work, &[])
        .success()
        .stderr_contains("not a pfxgen")
        .stderr_contains("process id was reused");
    run.stderr_has(&format!("of process {}", std::process::id()));
    assert!(!lock.exists(), "the lock is released after the run");
}

#[test]
fn a_password_file_in_a_missing_folder_names_that_folder() {
    let work = billing_service("op-pwfolder");
    let missing = work.join("no-such-folder/pw.txt");
    let missing = missing.to_str().unwrap();
    let run = pfxgen(
        work.path(),
        &[
            "generate",
            "--out",
            "svc",
            "--name",
            "x.pfx",
            "--generate-password",
            missing,
        ],
        None,
    )
    .fails_with(5)
    .stderr_contains("cannot write the password file")
    .stderr_contains("no-such-folder does not exist");
    run.stderr_lacks("output folder");
    assert!(!work.join("svc/x.pfx").exists());
    // rotate refuses it before anything is made or changed.
    let before = snapshot(&work.join("svc"));
    let args = [
        "rotate",
        "--service-dir",
        "svc",
        "--current-password-env",
        "PFXGEN_TEST_PW",
        "--generate-password",
        missing,
    ];
    pfxgen(work.path(), &args, Some(PW))
        .fails_with(5)
        .stderr_contains("no-such-folder does not exist");
    assert_same(&before, &snapshot(&work.join("svc")), "refused rotation");
}
