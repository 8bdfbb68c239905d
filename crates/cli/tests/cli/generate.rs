//! `pfxgen generate` behaviour: forms of invocation, password handling,
//! refusals and exit statuses, and that nothing is ever half-written or
//! silently replaced.

use crate::common;

#[cfg(target_os = "linux")]
use crate::common::under_terminal;
use crate::common::{STRONG, TempDir, argv, is_root, open, pfxgen, pfxgen_with};

const PW_ENV: [&str; 2] = ["--password-env", "PFXGEN_TEST_PW"];

fn generate(dir: &TempDir, extra: &[&str]) -> common::Run {
    let mut args = vec!["generate", "--algorithm", "ecdsa-p256"];
    args.extend_from_slice(&PW_ENV);
    args.extend_from_slice(extra);
    pfxgen(dir.path(), &args, Some(STRONG))
}

#[test]
fn vendor_positional_form_works_and_warns_about_argv() {
    let dir = TempDir::new("positional");
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let run = pfxgen(dir.path(), &["generate", STRONG, "out", "90"], None).success();
    run.stderr_has("warning: a password on the command line");
    assert!(
        !run.stdout().contains(STRONG) && !run.stderr().contains(STRONG),
        "password echoed\n{}",
        run.describe()
    );
    let opened = open(&out.join("openssl.pfx"), STRONG);
    let cert = opened.certificates[0].certificate.as_ref().unwrap();
    assert_eq!(cert.not_before().days_until(cert.not_after()), 90);
    assert_eq!(
        cert.signature_algorithm_name(),
        "sha256WithRSAEncryption",
        "default is rsa-2048"
    );
    #[cfg(unix)]
    assert_eq!(common::mode(&out.join("openssl.pfx")), 0o600);
}

#[test]
fn powershell_option_names_work() {
    let dir = TempDir::new("ps-names");
    let run = pfxgen(
        dir.path(),
        &[
            "generate",
            "--pem-password",
            STRONG,
            "--output-path",
            ".",
            "--valid-days",
            "10",
            "--algorithm",
            "ecdsa-p256",
        ],
        None,
    )
    .success();
    run.stderr_has("warning");
    let opened = open(&dir.join("openssl.pfx"), STRONG);
    let cert = opened.certificates[0].certificate.as_ref().unwrap();
    assert_eq!(cert.not_before().days_until(cert.not_after()), 10);
}

#[test]
fn existing_file_is_refused_without_force_and_backed_up_with_it() {
    let dir = TempDir::new("force");
    std::fs::write(dir.join("openssl.pfx"), b"previous bytes").unwrap();
    generate(&dir, &[])
        .fails_with(5)
        .stderr_contains("already exists");
    assert_eq!(
        std::fs::read(dir.join("openssl.pfx")).unwrap(),
        b"previous bytes"
    );
    assert_eq!(
        dir.entries(),
        ["openssl.pfx"],
        "nothing else may be left behind"
    );
    // The file a service reads (0644 here, and owned by its account when
    // we can arrange that) passes owner and group on, with at most rw-r-----.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let old = dir.join("openssl.pfx");
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        if is_root() {
            std::os::unix::fs::chown(&old, Some(4321), Some(4321)).unwrap();
        }
    }

    let run = generate(&dir, &["--force", "--json"]).success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let new = dir.join("openssl.pfx");
        assert_eq!(common::mode(&new), 0o640);
        if is_root() {
            let meta = std::fs::metadata(&new).unwrap();
            assert_eq!((meta.uid(), meta.gid()), (4321, 4321));
        }
    }
    let entries = dir.entries();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let backup = entries
        .iter()
        .find(|e| e.starts_with("openssl.pfx.") && e.ends_with(".bak"))
        .unwrap();
    assert_eq!(std::fs::read(dir.join(backup)).unwrap(), b"previous bytes");
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join(backup)), 0o600);
    run.stdout_has(&format!("\"backup\": \"./{backup}\""));
    open(&dir.join("openssl.pfx"), STRONG);
    // Twice more at once (same second): each backup gets its own name.
    generate(&dir, &["--force"]).success();
    generate(&dir, &["--force"]).success();
    assert_eq!(dir.entries().len(), 4, "{:?}", dir.entries());
}

#[test]
fn missing_output_folder_is_exit_5() {
    let dir = TempDir::new("missing");
    generate(&dir, &["--out", "nope"])
        .fails_with(5)
        .stderr_contains("does not exist");
    dir.assert_empty("a missing output folder");
}

#[test]
fn output_folder_that_is_a_file_is_exit_5() {
    let dir = TempDir::new("notdir");
    std::fs::write(dir.join("f"), b"x").unwrap();
    generate(&dir, &["--out", "f"])
        .fails_with(5)
        .stderr_contains("not a folder");
}

/// The account the permission tests run pfxgen as when the suite runs as
/// root (as CI does): root ignores permission bits, so only a real
/// unprivileged account shows the real "permission denied" path. Created
/// here if missing; a failure to create it fails the test (nothing is
/// skipped silently).
#[cfg(target_os = "linux")]
const TEST_ACCOUNT: &str = "pfxgen-test";

#[cfg(target_os = "linux")]
fn ensure_test_account() {
    let exists = || {
        std::process::Command::new("id")
            .args(["-u", TEST_ACCOUNT])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if exists() {
        return;
    }
    let created = std::process::Command::new("useradd")
        .args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            TEST_ACCOUNT,
        ])
        .output();
    // Another test process may have created it meanwhile: check again.
    assert!(
        exists(),
        "running as root, the permission tests need the unprivileged account \
         {TEST_ACCOUNT:?} and could not create it with useradd: {created:?}"
    );
}

/// Runs pfxgen as the current user, or, when that is root, as
/// [`TEST_ACCOUNT`] (through util-linux `setpriv`, no supplementary groups).
#[cfg(target_os = "linux")]
fn pfxgen_unprivileged(dir: &std::path::Path, args: &[&str]) -> common::Run {
    if !is_root() {
        return pfxgen_with(dir, args, &[("PFXGEN_TEST_PW", STRONG)], None);
    }
    ensure_test_account();
    // A copy the account can surely run: the build folder may be private.
    let bin = dir.join("bin/pfxgen");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_pfxgen"), &bin).unwrap();
    let output = std::process::Command::new("setpriv")
        .args([
            "--reuid",
            TEST_ACCOUNT,
            "--regid",
            TEST_ACCOUNT,
            "--clear-groups",
            "--",
        ])
        .arg(&bin)
        .args(args)
        .current_dir(dir)
        .env_remove("PFXGEN_FAULT")
        .env("PFXGEN_TEST_PW", STRONG)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `setpriv` is needed to run as the test account");
    common::Run {
        command: format!(
            "setpriv --reuid {TEST_ACCOUNT} -- pfxgen {}",
            args.join(" ")
        ),
        output,
    }
}

#[cfg(target_os = "linux")]
#[test]
fn read_only_folder_is_exit_5_and_leaves_nothing() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("readonly");
    let ro = dir.join("ro");
    std::fs::create_dir(&ro).unwrap();
    // Others (the test account) may enter the test folder, not write in `ro`.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let args = argv("generate --algorithm ecdsa-p256 --password-env PFXGEN_TEST_PW --out ro");
    pfxgen_unprivileged(dir.path(), &args)
        .fails_with(5)
        .stderr_contains("permission denied");
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0);
    // A read-only file system, simulated at the first write into a
    // writable folder.
    let rw = dir.join("rw");
    std::fs::create_dir(&rw).unwrap();
    let mut args = args;
    args[6] = "rw";
    let run = pfxgen_with(
        dir.path(),
        &args,
        &[
            ("PFXGEN_TEST_PW", STRONG),
            ("PFXGEN_FAULT", "pfx-write=erofs"),
        ],
        None,
    );
    run.fails_with(5).stderr_contains("read-only");
    assert_eq!(std::fs::read_dir(&rw).unwrap().count(), 0);
}

#[test]
fn disk_full_is_exit_5_and_leaves_nothing() {
    let dir = TempDir::new("enospc");
    for fault in ["pfx-write=enospc", "pfx-fsync=enospc", "pfx-install=enospc"] {
        let args = argv("generate --algorithm ecdsa-p256 --password-env PFXGEN_TEST_PW");
        let run = pfxgen_with(
            dir.path(),
            &args,
            &[("PFXGEN_TEST_PW", STRONG), ("PFXGEN_FAULT", fault)],
            None,
        );
        run.fails_with(5).stderr_contains("no space left");
        dir.assert_empty(fault);
    }
}

#[test]
fn failed_install_with_force_keeps_the_old_file() {
    let dir = TempDir::new("force-fail");
    std::fs::write(dir.join("openssl.pfx"), b"old").unwrap();
    let args = argv("generate --algorithm ecdsa-p256 --password-env PFXGEN_TEST_PW --force");
    let run = pfxgen_with(
        dir.path(),
        &args,
        &[
            ("PFXGEN_TEST_PW", STRONG),
            ("PFXGEN_FAULT", "pfx-install=eio"),
        ],
        None,
    );
    run.fails_with(5);
    assert_eq!(std::fs::read(dir.join("openssl.pfx")).unwrap(), b"old");
    assert_eq!(
        dir.entries(),
        ["openssl.pfx"],
        "the backup of a failed run is removed again"
    );
}

#[test]
fn weak_passwords_are_refused_with_reasons() {
    let dir = TempDir::new("weak");
    let run = pfxgen(
        dir.path(),
        &["generate", "--password-env", "PFXGEN_TEST_PW"],
        Some("Password123!"),
    );
    run.fails_with(3)
        .stderr_contains("too weak")
        .stderr_contains("common word");
    let run = pfxgen(
        dir.path(),
        &["generate", "--password-env", "PFXGEN_TEST_PW"],
        Some("short"),
    );
    let run = run
        .fails_with(3)
        .stderr_contains("at least 12")
        .stderr_contains("upper-case");
    assert!(
        !run.stderr().contains("short\""),
        "the password itself must not be echoed"
    );
    dir.assert_empty("a weak password");
    let args = argv(
        "generate --algorithm ecdsa-p256 --password-env PFXGEN_TEST_PW \
        --allow-weak-password",
    );
    pfxgen(dir.path(), &args, Some("short"))
        .success()
        .stderr_contains("weak password accepted");
    open(&dir.join("openssl.pfx"), "short");
}

#[test]
fn no_password_source_without_terminal_is_exit_3() {
    let dir = TempDir::new("nopw");
    pfxgen(dir.path(), &["generate"], None)
        .fails_with(3)
        .stderr_contains("no password given");
    dir.assert_empty("never a silent password-less file");
}

#[test]
fn two_password_sources_are_a_usage_error() {
    let dir = TempDir::new("twosources");
    pfxgen(
        dir.path(),
        &[
            "generate",
            "--password-env",
            "PFXGEN_TEST_PW",
            "--no-password",
        ],
        Some(STRONG),
    )
    .fails_with(2);
}

#[test]
fn password_file_stdin_and_generated() {
    let dir = TempDir::new("sources");
    std::fs::write(dir.join("pw.txt"), format!("{STRONG}\r\n")).unwrap();
    pfxgen(
        dir.path(),
        &argv("generate --algorithm ecdsa-p256 --password-file pw.txt --name a.pfx"),
        None,
    )
    .success();
    open(&dir.join("a.pfx"), STRONG);

    let args = argv("generate --algorithm ecdsa-p256 --password-stdin --name b.pfx");
    pfxgen_with(dir.path(), &args, &[], Some(&format!("{STRONG}\n"))).success();
    open(&dir.join("b.pfx"), STRONG);

    let args = argv("generate --algorithm ecdsa-p256 --generate-password gen.txt --name c.pfx");
    let run = pfxgen(dir.path(), &args, None).success();
    let generated = std::fs::read_to_string(dir.join("gen.txt")).unwrap();
    let generated = generated.trim_end();
    assert_eq!(generated.chars().count(), 24);
    assert!(!run.stdout().contains(generated) && !run.stderr().contains(generated));
    #[cfg(unix)]
    assert_eq!(common::mode(&dir.join("gen.txt")), 0o600);
    open(&dir.join("c.pfx"), generated);
    // An existing password file is never overwritten.
    let args = argv("generate --algorithm ecdsa-p256 --generate-password gen.txt --name d.pfx");
    pfxgen(dir.path(), &args, None).fails_with(5);
    assert!(!dir.join("d.pfx").exists());
}

#[test]
fn a_byte_order_mark_and_a_final_newline_are_not_part_of_the_password() {
    let dir = TempDir::new("bom");
    // Windows Notepad: a UTF-8 byte-order mark and CRLF.
    std::fs::write(dir.join("pw.txt"), format!("\u{feff}{STRONG}\r\n")).unwrap();
    let args = argv("generate --algorithm ecdsa-p256 --password-file pw.txt");
    pfxgen(dir.path(), &args, None)
        .success()
        .stderr_contains("ignored the byte-order mark");
    open(&dir.join("openssl.pfx"), STRONG);
    // An environment variable filled from a file with its newline.
    let with_newline = format!("{STRONG}\n");
    pfxgen_with(
        dir.path(),
        &["verify", "openssl.pfx", "--password-env", "PW"],
        &[("PW", &with_newline)],
        None,
    )
    .success();
}

#[test]
fn a_generated_password_never_goes_where_the_pfx_goes() {
    let dir = TempDir::new("pw-is-pfx");
    std::fs::create_dir(dir.join("out")).unwrap();
    // Even with --force, and however the same path is spelled: otherwise the
    // PFX would replace the only copy of its password.
    for (pw_path, extra) in [
        ("out/openssl.pfx", &["--force"][..]),
        ("out/../out/openssl.pfx", &["--force"][..]),
        ("out/openssl.pfx", &[][..]),
    ] {
        let line = format!(
            "generate --algorithm ecdsa-p256 --out out --generate-password \
            {pw_path}"
        );
        let mut args = argv(&line);
        args.extend_from_slice(extra);
        pfxgen(dir.path(), &args, None)
            .fails_with(2)
            .stderr_contains("is the PFX itself");
        assert!(
            std::fs::read_dir(dir.join("out")).unwrap().next().is_none(),
            "{pw_path}: something was written"
        );
    }
    // A link whose target does not exist yet stands for that target.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("out/openssl.pfx", dir.join("pw-link")).unwrap();
        let args = argv("generate --algorithm ecdsa-p256 --out out --generate-password pw-link");
        pfxgen(dir.path(), &args, None)
            .fails_with(2)
            .stderr_contains("is the PFX itself");
        assert!(std::fs::read_dir(dir.join("out")).unwrap().next().is_none());
    }
}

#[test]
fn no_password_makes_an_openssl_style_passwordless_file() {
    let dir = TempDir::new("nopassword");
    pfxgen(
        dir.path(),
        &["generate", "--algorithm", "ecdsa-p256", "--no-password"],
        None,
    )
    .success();
    let bytes = std::fs::read(dir.join("openssl.pfx")).unwrap();
    let pfx = pfxgen_pkcs12::Pfx::parse(&bytes, &pfxgen_pkcs12::Limits::default()).unwrap();
    assert_eq!(pfx.mac().unwrap().iterations(), 2048);
    open(&dir.join("openssl.pfx"), "");
}

#[test]
fn bad_values_are_usage_errors() {
    let dir = TempDir::new("usage");
    for extra in [
        &["--days", "0"][..],
        &["--days", "-5"],
        &["--days", "7306"],
        &["--days", "ten"],
        &["--algorithm", "rsa-1024"],
        &["--algorithm", "ed25519"],
        &["--iterations", "999"],
        &["--iterations", "300001"],
        &["--profile", "fast"],
        &["--subject", "XX=bad"],
        &["--san", "dns:-bad-"],
        // A comma inside a URI must not turn its tail into a DNS name.
        &["--san", "uri:https://id.example/a,b"],
        &["--san", "dns:a.example,,dns:b.example"],
        &["--san", ""],
        &["--san", "foo:bar"],
        &["--eku", ""],
        &["--name", "../escape.pfx"],
        &["--unknown-option"],
    ] {
        let mut args = vec!["generate", "--password-env", "PFXGEN_TEST_PW"];
        args.extend_from_slice(extra);
        pfxgen(dir.path(), &args, Some(STRONG)).fails_with(2);
    }
    dir.assert_empty("usage errors");
}

#[test]
fn subject_san_eku_friendly_name_and_iterations_are_applied() {
    let dir = TempDir::new("options");
    let run = generate(
        &dir,
        &argv(
            "--subject CN=id.example.com,O=Example --san dns:id.example.com,ip:192.0.2.1 \
            --eku serverAuth --friendly-name 'Token signing' --iterations 5000 --days 7305",
        ),
    )
    .success();
    run.stdout_has("Subject:             CN=id.example.com,O=Example");
    let opened = open(&dir.join("openssl.pfx"), STRONG);
    let cert = opened.certificates[0].certificate.as_ref().unwrap();
    assert_eq!(
        cert.extensions().subject_alt_names,
        ["DNS:id.example.com", "IP:192.0.2.1"]
    );
    assert_eq!(
        cert.extensions().extended_key_usage,
        Some((false, vec!["serverAuth".to_owned()]))
    );
    assert_eq!(
        opened.keys[0].attributes.friendly_name.as_deref(),
        Some("Token signing")
    );
    assert!(
        cert.not_after().civil().year >= 2046,
        "20 years crosses 2050: GeneralizedTime"
    );
    let bytes = std::fs::read(dir.join("openssl.pfx")).unwrap();
    let pfx = pfxgen_pkcs12::Pfx::parse(&bytes, &pfxgen_pkcs12::Limits::default()).unwrap();
    assert_eq!(pfx.mac().unwrap().iterations(), 5000);
}

#[test]
fn help_documents_exit_codes() {
    let dir = TempDir::new("help");
    let run = pfxgen(dir.path(), &["help", "generate"], None).success();
    for needle in [
        "EXIT STATUS",
        "70  internal error",
        "--generate-password",
        "PASSWORD OUTPUT_DIR VALID_DAYS",
    ] {
        run.stdout_has(needle);
    }
    pfxgen(dir.path(), &[] as &[&str], None).fails_with(2);
    pfxgen(dir.path(), &["frobnicate"], None).fails_with(2);
}

#[cfg(target_os = "linux")]
#[test]
fn prompt_asks_twice_without_echo() {
    let dir = TempDir::new("prompt");
    let (code, transcript) = under_terminal(
        dir.path(),
        "generate --algorithm ecdsa-p256",
        &[STRONG, STRONG],
    );
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains("Password for the new PFX:")
            && transcript.contains("Repeat the password:"),
        "{transcript}"
    );
    assert!(
        !transcript.contains(STRONG),
        "the password was echoed:\n{transcript}"
    );
    open(&dir.join("openssl.pfx"), STRONG);

    let (code, transcript) = under_terminal(
        dir.path(),
        "generate --algorithm ecdsa-p256 --name b.pfx",
        // Three tries, each mistyped.
        &[
            STRONG,
            "Different-Pass-9!",
            STRONG,
            "Different-Pass-9!",
            STRONG,
            "Different-Pass-9!",
        ],
    );
    assert_eq!(code, 3, "{transcript}");
    assert!(
        transcript.contains("the two passwords differ"),
        "{transcript}"
    );
    assert!(!dir.join("b.pfx").exists());

    // inspect asks once when the empty password does not open the file.
    let (code, transcript) = under_terminal(dir.path(), "inspect openssl.pfx", &[STRONG]);
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains("Identity server:                 supported (ES256)"),
        "{transcript}"
    );
}
