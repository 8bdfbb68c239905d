//! `pfxgen inspect` and `verify` on files made by other producers, inside
//! the test, with the recipe in the code: the `openssl` CLI in all its
//! schemes, Java `keytool`, and NSS `pk12util` (which writes BER).

use std::path::Path;

use pfxgen_interop::{
    CA_EXT, LEAF_EXT, concat_files, openssl, openssl_ok, openssl_scratch, openssl_sha1_thumbprint,
    require_openssl,
};
use pfxgen_test_support::{Run, TempDir, argv, pfxgen, run};

const PW: &str = "Interop-Pass-42!";

/// Makes a self-signed key and certificate with openssl: `newkey` is e.g.
/// `rsa:2048` or `ec -pkeyopt ec_paramgen_curve:P-256`.
/// `{name}.key` and `{name}.crt`: a self-signed certificate made by
/// `openssl req -newkey {newkey}` (which may be several words).
fn self_signed(d: &Path, name: &str, newkey: &str, digest: &str, days: &str) {
    let line = format!(
        "req -x509 -nodes -newkey {newkey} -keyout {name}.key -out {name}.crt -days {days} \
        -subj /CN={name} {digest}"
    );
    openssl_ok(d, &line);
}

/// `openssl req -newkey` arguments of an ECDSA key on P-256 and on P-384.
const P256: &str = "ec -pkeyopt ec_paramgen_curve:P-256";
const P384: &str = "ec -pkeyopt ec_paramgen_curve:P-384";

/// A scratch folder with `leaf.key` and `leaf.crt`, self-signed for 400 days
/// (see [`self_signed`]).
fn scratch_with_leaf(tag: &str, newkey: &str, digest: &str) -> TempDir {
    let dir = openssl_scratch(tag);
    self_signed(dir.path(), "leaf", newkey, digest, "400");
    dir
}

/// `out`: `{name}.key` and `{name}.crt` exported by `openssl pkcs12`, under
/// the password in `PFXGEN_TEST_PW`, or the empty password when `None`.
fn export(d: &Path, name: &str, out: &str, extra: &[&str], password: Option<&str>) {
    let passout = if password.is_some() {
        "env:PFXGEN_TEST_PW"
    } else {
        "pass:"
    };
    let line =
        format!("pkcs12 -export -inkey {name}.key -in {name}.crt -out {out} -passout {passout}");
    let mut args = argv(&line);
    args.extend_from_slice(extra);
    openssl(d, &args, password).success();
}

fn verify(d: &Path, file: &str, password: Option<&str>) -> Run {
    let mut args = vec!["verify", file];
    if password.is_some() {
        args.extend(["--password-env", "PFXGEN_TEST_PW"]);
    }
    pfxgen(d, &args, password)
}

fn inspect(d: &Path, file: &str, password: Option<&str>, json: bool) -> Run {
    let mut args = vec!["inspect", file];
    if password.is_some() {
        args.extend(["--password-env", "PFXGEN_TEST_PW"]);
    }
    if json {
        args.push("--json");
    }
    pfxgen(d, &args, password).success()
}

#[track_caller]
fn check_line(run: &Run, verdict: &str, name: &str) {
    let line = format!("  {verdict}  {name}");
    assert!(
        run.stdout().contains(&line),
        "expected {verdict} for {name}\n{}",
        run.describe()
    );
}

#[test]
fn openssl_default_export_verifies() {
    let dir = scratch_with_leaf("ossl-default", "rsa:2048", "-sha256");
    let d = dir.path();
    export(d, "leaf", "x.pfx", &[], Some(PW));
    verify(d, "x.pfx", Some(PW)).success();
    let info = inspect(d, "x.pfx", Some(PW), true);
    for needle in [
        "\"encoding\": \"DER\"",
        "\"hash\": \"sha256\"",
        "\"iterations\": 2048",
        "\"description\": \"PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256\"",
        "\"public_key\": \"RSA 2048\"",
        "\"jws_alg\": \"RS256\"",
        "low iteration count 2048",
    ] {
        info.stdout_has(needle);
    }
}

#[test]
fn openssl_scheme_variants_all_read() {
    let dir = scratch_with_leaf("ossl-variants", P256, "-sha256");
    let d = dir.path();
    let variants: &[(&str, &[&str], &str)] = &[
        (
            "legacy",
            &["-legacy"],
            "pbeWithSHAAnd40BitRC2-CBC, Iteration 2048",
        ),
        (
            "none",
            &["-keypbe", "NONE", "-certpbe", "NONE"],
            "\"type\": \"keyBag\"",
        ),
        (
            "aes128-3des",
            &["-keypbe", "AES-128-CBC", "-certpbe", "DES-EDE3-CBC"],
            "PBES2, PBKDF2, 3DES-CBC, Iteration 2048",
        ),
        (
            "2des-rc2",
            &argv("-keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128 -legacy"),
            "pbeWithSHAAnd2-KeyTripleDES-CBC",
        ),
        ("mac-sha1", &["-macalg", "sha1"], "\"hash\": \"sha1\""),
        ("mac-sha224", &["-macalg", "sha224"], "\"hash\": \"sha224\""),
        ("mac-sha384", &["-macalg", "sha384"], "\"hash\": \"sha384\""),
        ("mac-sha512", &["-macalg", "sha512"], "\"hash\": \"sha512\""),
        ("iter", &["-iter", "250000", "-maciter"], "Iteration 250000"),
    ];
    for (name, extra, needle) in variants {
        let file = format!("{name}.pfx");
        export(d, "leaf", &file, extra, Some(PW));
        verify(d, &file, Some(PW)).success();
        inspect(d, &file, Some(PW), true).stdout_has(needle);
    }
    // -legacy (RC2-40 certificates, 3DES key, SHA-1 MAC) is what old Windows imports.
    let legacy = inspect(d, "legacy.pfx", Some(PW), false);
    legacy.stdout_has("Windows Server 2016 / 10 < 1709: can import");
    legacy.stdout_has("RC2-40-CBC is trivially brute-forced");
}

#[test]
fn certificates_outside_encryption_are_shown_without_a_password() {
    let dir = scratch_with_leaf("ossl-certpbe-none", "rsa:2048", "-sha256");
    let d = dir.path();
    export(d, "leaf", "x.pfx", &["-certpbe", "NONE"], Some(PW));
    let info = inspect(d, "x.pfx", None, false);
    info.stdout_has("Password:  not given");
    info.stdout_has("Subject:     CN=leaf");
    info.stdout_has("not opened: encrypted contents, keys and the MAC were not checked");
    // verify insists on the password.
    verify(d, "x.pfx", None).fails_with(3);
}

#[test]
fn no_mac_fails_verify_on_the_mac_check_only() {
    let dir = scratch_with_leaf("ossl-nomac", "rsa:2048", "-sha256");
    let d = dir.path();
    export(d, "leaf", "x.pfx", &["-nomac"], Some(PW));
    let run = verify(d, "x.pfx", Some(PW)).fails_with(1);
    check_line(&run, "FAIL", "mac");
    for ok in [
        "password",
        "single-key",
        "key-matches-certificate",
        "algorithm-supported",
        "validity",
        "token-self-test",
    ] {
        check_line(&run, "PASS", ok);
    }
    inspect(d, "x.pfx", Some(PW), false).stdout_has("MAC:       none");
}

#[test]
fn passwordless_openssl_file_opens_without_asking() {
    let dir = scratch_with_leaf("ossl-nopw", P384, "-sha384");
    let d = dir.path();
    export(d, "leaf", "x.pfx", &[], None);
    let run = verify(d, "x.pfx", None).success();
    run.stdout_has("the file opens without a password");
    run.stdout_has("ES384");
}

#[test]
fn ca_intermediate_leaf_chain() {
    let dir = openssl_scratch("ossl-chain");
    let d = dir.path();
    // Root and intermediate: P-384 CAs; leaf: RSA 2048 signed by the intermediate.
    std::fs::write(d.join("ca.ext"), CA_EXT).unwrap();
    std::fs::write(d.join("leaf.ext"), LEAF_EXT).unwrap();
    self_signed(d, "root", P384, "-sha384", "3650");
    for (name, newkey, issuer, ext) in [
        ("inter", P384, "root", "ca.ext"),
        ("leaf", "rsa:2048", "inter", "leaf.ext"),
    ] {
        let mut req: Vec<&str> = vec!["req", "-new", "-nodes", "-newkey"];
        req.extend(newkey.split(' '));
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let subj = format!("/CN={name}");
        req.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
        openssl(d, &req, None).success();
        let ca = format!("{issuer}.crt");
        let ca_key = format!("{issuer}.key");
        let crt = format!("{name}.crt");
        openssl_ok(
            d,
            &format!(
                "x509 -req -in {csr} -CA {ca} -CAkey {ca_key} -CAcreateserial \
                -out {crt} -days 400 -sha384 -extfile {ext}"
            ),
        );
    }
    concat_files(d, &["inter.crt", "root.crt"], "chain.pem");
    export(d, "leaf", "x.pfx", &["-certfile", "chain.pem"], Some(PW));
    let run = verify(d, "x.pfx", Some(PW)).success();
    check_line(&run, "PASS", "issuer-signature");
    let info = inspect(d, "x.pfx", Some(PW), false);
    info.stdout_has("ends at a self-signed certificate; signatures verify");
    info.stdout_has("(end entity)");
    info.stdout_has("Key 0 (bag");
    let json = inspect(d, "x.pfx", Some(PW), true);
    json.stdout_has("\"complete\": true");
    json.stdout_has("\"cycle\": false");

    // jwks on the whole chain as PEM publishes the leaf only: the
    // intermediate and the root issued certificates in the file.
    concat_files(d, &["leaf.crt", "chain.pem"], "full.pem");
    let run = pfxgen(d, &["jwks", "full.pem"], None).success();
    assert_eq!(
        run.stdout().matches("\"kid\"").count(),
        1,
        "{}",
        run.describe()
    );
    let kid = openssl_sha1_thumbprint(d, "leaf.crt");
    run.stdout_has(&format!("\"kid\": \"{kid}\""));
    run.stderr_has("as a CA it is not published");
}

/// Leaves signed by their CA with RSASSA-PSS (as AD CS does with
/// `AlternateSignatureAlgorithm`): with SHA-256/384/512 the CA signature is
/// verified and the file passes; with SHA-1 (PSS's default) `verify` fails
/// the issuer check and says why.
#[test]
fn rsa_pss_issued_leaves() {
    let dir = openssl_scratch("ossl-pss");
    let d = dir.path();
    std::fs::write(d.join("leaf.ext"), LEAF_EXT).unwrap();
    self_signed(d, "root", "rsa:2048", "-sha256", "3650");
    openssl_ok(
        d,
        "req -new -nodes -newkey rsa:2048 -keyout leaf.key -out leaf.csr -subj /CN=leaf",
    );
    for (digest, salt, name) in [
        ("-sha256", "32", Some("RSASSA-PSS with SHA-256")),
        ("-sha384", "48", Some("RSASSA-PSS with SHA-384")),
        ("-sha512", "0", Some("RSASSA-PSS with SHA-512")),
        ("-sha1", "20", None),
    ] {
        let saltlen = format!("rsa_pss_saltlen:{salt}");
        openssl_ok(
            d,
            &format!(
                "x509 -req -in leaf.csr -CA root.crt -CAkey root.key \
                -CAcreateserial -out leaf.crt -days 400 {digest} -sigopt \
                rsa_padding_mode:pss -sigopt {saltlen} -extfile leaf.ext"
            ),
        );
        let file = format!("pss{digest}.pfx");
        export(d, "leaf", &file, &["-certfile", "root.crt"], Some(PW));
        match name {
            Some(name) => {
                let run = verify(d, &file, Some(PW)).success();
                check_line(&run, "PASS", "issuer-signature");
                run.stdout_has(&format!("signed by CN=root (RSA 2048, {name})"));
                let info = inspect(d, &file, Some(PW), false);
                info.stdout_has("signatures verify");
            }
            None => {
                let run = verify(d, &file, Some(PW)).fails_with(1);
                check_line(&run, "FAIL", "issuer-signature");
                run.stdout_has("signed with RSASSA-PSS, which pfxgen cannot verify");
                for check in ["key-matches-certificate", "token-self-test"] {
                    check_line(&run, "PASS", check);
                }
            }
        }
    }
}

#[test]
fn unsupported_algorithms_fail_verify_with_the_reason() {
    let dir = openssl_scratch("ossl-unsupported");
    let d = dir.path();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "rsa1024",
            "rsa:1024",
            "-sha256",
            "refuses RSA keys under 2048 bits",
        ),
        (
            "p256sha384",
            P256,
            "-sha384",
            "accepts P-256 only with SHA-256",
        ),
        ("ed25519", "ed25519", "", "Ed25519"),
    ];
    for (name, newkey, digest, reason) in cases {
        self_signed(d, name, newkey, digest, "400");
        export(d, name, &format!("{name}.pfx"), &[], Some(PW));
        let run = verify(d, &format!("{name}.pfx"), Some(PW)).fails_with(1);
        check_line(&run, "FAIL", "algorithm-supported");
        assert!(
            run.stdout().contains(reason),
            "{name}: reason {reason:?} missing\n{}",
            run.describe()
        );
        let info = inspect(d, &format!("{name}.pfx"), Some(PW), false);
        info.stdout_has("Identity server:                 NOT supported");
        if *name == "ed25519" {
            // A key pfxgen cannot load is never reported as matching (it
            // pairs by localKeyId only), and the signature it cannot check
            // is said to be unchecked, not wrong.
            check_line(&run, "FAIL", "key-matches-certificate");
            run.stdout_has("the signature is not verified: its key cannot be used");
        }
    }
}

#[test]
fn wrong_password_truncation_and_tampering_have_distinct_exit_codes() {
    let dir = scratch_with_leaf("ossl-damage", "rsa:2048", "-sha256");
    let d = dir.path();
    export(d, "leaf", "x.pfx", &[], Some(PW));
    let run = verify(d, "x.pfx", Some("Not-The-Password-1")).fails_with(3);
    run.stderr_has("wrong password");

    let bytes = std::fs::read(d.join("x.pfx")).unwrap();
    std::fs::write(d.join("truncated.pfx"), &bytes[..bytes.len() / 2]).unwrap();
    let run = verify(d, "truncated.pfx", Some(PW)).fails_with(4);
    run.stderr_has("malformed PFX");
    let run = pfxgen(
        d,
        &[
            "inspect",
            "truncated.pfx",
            "--password-env",
            "PFXGEN_TEST_PW",
        ],
        Some(PW),
    )
    .fails_with(4);
    assert!(
        run.stderr().contains("byte"),
        "offset missing\n{}",
        run.describe()
    );

    // Flip a byte of the MAC value (the 32 bytes after the last `04 20`).
    let mut tampered = bytes.clone();
    let pos = tampered
        .windows(2)
        .rposition(|w| w == [0x04, 0x20])
        .unwrap()
        + 2;
    tampered[pos] ^= 0x01;
    std::fs::write(d.join("tampered.pfx"), &tampered).unwrap();
    let run = verify(d, "tampered.pfx", Some(PW)).fails_with(4);
    run.stderr_has("altered or damaged");
}

#[test]
fn java_keytool_pkcs12_reads() {
    require_openssl();
    let keytool = Path::new("keytool");
    let dir = TempDir::new("keytool");
    let d = dir.path();
    for (alias, alg) in [
        ("rsa", vec!["-keyalg", "RSA", "-keysize", "2048"]),
        ("ec", vec!["-keyalg", "EC", "-groupname", "secp256r1"]),
    ] {
        let store = format!("{alias}.p12");
        let line = format!(
            "-genkeypair -storetype PKCS12 -keystore {store} -alias {alias} \
            -dname CN=java -validity 400 -storepass:env PFXGEN_TEST_PW"
        );
        let mut args = argv(&line);
        args.extend(alg);
        let out = run(keytool, &args, &[("PFXGEN_TEST_PW", PW)], d);
        assert!(
            out.output.status.success(),
            "keytool is needed for this test (.ci/run installs a JRE)\n{}",
            out.describe()
        );
        let v = verify(d, &store, Some(PW)).success();
        v.stdout_has(if alias == "rsa" { "RS256" } else { "ES256" });
        inspect(d, &store, Some(PW), false).stdout_has(&format!("friendlyName \"{alias}\""));
    }
}

#[test]
fn nss_pk12util_ber_export_reads() {
    let dir = scratch_with_leaf("nss", "rsa:2048", "-sha256");
    let d = dir.path();
    export(d, "leaf", "in.p12", &["-name", "tok"], Some(PW));
    std::fs::write(d.join("pw.txt"), PW).unwrap();
    std::fs::create_dir(d.join("db")).unwrap();
    let tool = |name: &str, args: &[&str]| {
        let out = run(Path::new(name), args, &[], d);
        assert!(
            out.output.status.success(),
            "NSS tools are needed (apt-get install libnss3-tools; .ci/run installs them)\n{}",
            out.describe()
        );
    };
    tool("certutil", &["-N", "-d", "sql:db", "--empty-password"]);
    tool("pk12util", &argv("-i in.p12 -d sql:db -w pw.txt"));
    tool("pk12util", &argv("-o nss.p12 -n tok -d sql:db -w pw.txt"));
    let info = inspect(d, "nss.p12", Some(PW), true);
    info.stdout_has("\"encoding\": \"BER\"");
    info.stdout_has("\"matches_certificate\": 0");
    // NSS uses 600,000 iterations: readable, but over .NET's default limits.
    let run = verify(d, "nss.p12", Some(PW)).fails_with(1);
    check_line(&run, "FAIL", "dotnet-loader-limits");
    check_line(&run, "PASS", "token-self-test");
}

/// A file with the key unencrypted (`-keypbe NONE`), a certificate with an
/// unknown critical extension, and a file with no certificate at all: each
/// is described, warned about, and `verify --json` still lists all nine
/// checks by name.
#[test]
fn unencrypted_keys_unknown_critical_extensions_and_missing_certificates() {
    let dir = openssl_scratch("ossl-odd");
    let d = dir.path();
    openssl_ok(
        d,
        "req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout odd.key \
            -out odd.crt -days 400 -subj /CN=odd -addext \
            1.2.3.4=critical,ASN1:UTF8String:hi",
    );
    export(d, "odd", "plain-key.pfx", &["-keypbe", "NONE"], Some(PW));
    let info = inspect(d, "plain-key.pfx", Some(PW), false);
    info.stdout_has("is not encrypted (keyBag): anyone with the file can read it");
    info.stdout_has("Other extension: 1.2.3.4 (critical)");
    info.stdout_has("unrecognised critical extension 1.2.3.4");

    export(d, "odd", "no-cert.pfx", &["-nocerts"], Some(PW));
    let run = pfxgen(
        d,
        &argv("verify no-cert.pfx --password-env PFXGEN_TEST_PW --json"),
        Some(PW),
    )
    .fails_with(1);
    for name in [
        "password",
        "mac",
        "single-key",
        "key-matches-certificate",
        "algorithm-supported",
        "issuer-signature",
        "validity",
        "dotnet-loader-limits",
        "token-self-test",
    ] {
        run.stdout_has(&format!("\"name\": \"{name}\""));
    }
}
