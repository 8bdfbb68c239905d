//! Unusual files made by the real `openssl` CLI that pfxgen reads with a
//! warning: RC4 encryption (OpenSSL still writes it with `-legacy`), bytes
//! appended after the PFX (as in .NET's own test files), and a password
//! given as bytes that are not UTF-8 (ISO-8859-1), which OpenSSL uses as
//! they are for PBES2 and one character per byte for the MAC.

use std::path::Path;

use pfxgen_interop::{openssl, openssl_ok, openssl_ok_with, openssl_scratch};
use pfxgen_test_support::{argv, pfxgen};

const PW: &str = "Quirks-Pass-42!";

fn self_signed_p256(d: &Path) {
    openssl_ok(
        d,
        "req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout leaf.key \
            -out leaf.crt -days 400 -subj /CN=leaf -sha256",
    );
}

fn export(d: &Path, out: &str, passout: &str, extra: &[&str]) {
    let line = format!(
        "pkcs12 -export -inkey leaf.key -in leaf.crt -out {out} -passout \
        {passout}"
    );
    let mut args = argv(&line);
    args.extend_from_slice(extra);
    openssl(d, &args, Some(PW)).success();
}

#[test]
fn rc4_files_open_with_the_weak_cipher_warning_and_fail_the_dotnet_check() {
    let dir = openssl_scratch("quirk-rc4");
    let d = dir.path();
    self_signed_p256(d);
    export(
        d,
        "rc4.pfx",
        "env:PFXGEN_TEST_PW",
        &argv("-legacy -keypbe PBE-SHA1-RC4-128 -certpbe PBE-SHA1-RC4-40 -macalg sha224"),
    );
    let args = ["--password-env", "PFXGEN_TEST_PW"];
    let info = pfxgen(
        d,
        &[&["inspect", "rc4.pfx", "--json"][..], &args].concat(),
        Some(PW),
    )
    .success();
    info.stdout_has("pbeWithSHAAnd128BitRC4, Iteration 2048");
    info.stdout_has("pbeWithSHAAnd40BitRC4, Iteration 2048");
    info.stdout_has("RC4-128 (weak stream cipher");
    info.stdout_has("RC4-40 is trivially brute-forced");
    info.stdout_has("\"public_key\": \"ECDSA P-256\"");
    // Everything else passes; .NET cannot read RC4, so that check fails.
    let verify = pfxgen(d, &[&["verify", "rc4.pfx"][..], &args].concat(), Some(PW)).fails_with(1);
    verify.stdout_has("PASS  token-self-test");
    verify.stdout_has("RC4-128 encryption, which .NET's loader does not implement");
    // A wrong password is still a wrong password (the MAC decides).
    pfxgen(
        d,
        &["verify", "rc4.pfx", "--password-env", "PFXGEN_TEST_PW"],
        Some("wrong"),
    )
    .fails_with(3);
}

#[test]
fn bytes_after_the_pfx_are_a_warning_not_an_error() {
    let dir = openssl_scratch("quirk-trailing");
    let d = dir.path();
    self_signed_p256(d);
    export(d, "clean.pfx", "env:PFXGEN_TEST_PW", &[]);
    let mut bytes = std::fs::read(d.join("clean.pfx")).unwrap();
    bytes.extend_from_slice(&[0; 8]);
    std::fs::write(d.join("padded.pfx"), &bytes).unwrap();
    // OpenSSL reads it too.
    openssl_ok_with(
        d,
        "pkcs12 -in padded.pfx -noout -passin env:PFXGEN_TEST_PW",
        Some(PW),
    );
    let args = ["--password-env", "PFXGEN_TEST_PW"];
    let verify = pfxgen(
        d,
        &[&["verify", "padded.pfx"][..], &args].concat(),
        Some(PW),
    )
    .success();
    verify.stdout_has("warning: 8 bytes after the end of the PFX ignored (not covered by the MAC");
    let json = pfxgen(
        d,
        &[&["verify", "padded.pfx", "--json"][..], &args].concat(),
        Some(PW),
    )
    .success();
    json.stdout_has("\"warnings\": [");
    let info = pfxgen(
        d,
        &[&["inspect", "padded.pfx"][..], &args].concat(),
        Some(PW),
    )
    .success();
    info.stdout_has("8 bytes after the end of the PFX ignored");
    let clean = pfxgen(d, &[&["verify", "clean.pfx"][..], &args].concat(), Some(PW)).success();
    clean.stdout_lacks("warning:");
}

#[test]
fn a_password_file_that_is_not_utf8_is_used_as_its_bytes() {
    let dir = openssl_scratch("quirk-latin1");
    let d = dir.path();
    self_signed_p256(d);
    // "Mötley Crüe" saved in ISO-8859-1, as a Java or JSafe user might.
    std::fs::write(d.join("pw.bin"), b"M\xf6tley Cr\xfce\n").unwrap();
    export(d, "latin1.pfx", "file:pw.bin", &[]);
    let run = pfxgen(
        d,
        &["verify", "latin1.pfx", "--password-file", "pw.bin"],
        None,
    )
    .success();
    run.stderr_has("is not UTF-8 text: its bytes are used as they are");
    // The same password as UTF-8 text: the MAC verifies (same BMPString),
    // the PBES2 parts do not, and the message says so.
    std::fs::write(d.join("pw.txt"), "Mötley Crüe\n").unwrap();
    let run = pfxgen(
        d,
        &["verify", "latin1.pfx", "--password-file", "pw.txt"],
        None,
    )
    .fails_with(3);
    run.stderr_has("although the integrity check (MAC) verified with this password");
    // A new file needs a UTF-8 password (.NET takes the password as text).
    let run = pfxgen(
        d,
        &argv("generate --algorithm ecdsa-p256 --password-file pw.bin --out ."),
        None,
    )
    .fails_with(3);
    run.stderr_has("the password is not UTF-8 text");
}
