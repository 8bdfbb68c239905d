//! `pfxgen rotate` with certificates made by the `openssl` CLI: an
//! unsupported one (RSA 1024) is refused with the folder unchanged; a good
//! one is installed and can be rolled back.

use pfxgen_interop::{openssl_ok, openssl_ok_with, require_openssl};
use pfxgen_test_support::{TempDir, argv, pfxgen, run, snapshot};

const PW: &str = "Interop-Rotate-9!";

#[test]
fn rotate_refuses_rsa_1024_and_installs_rsa_2048() {
    require_openssl();
    let work = TempDir::new("rotate-openssl");
    let w = work.path();
    std::fs::create_dir(w.join("svc")).unwrap();
    std::fs::write(
        w.join("svc/appsettings.json"),
        "{\n  \"DbProvider\": \"MsSql\"\n}\n",
    )
    .unwrap();
    pfxgen(
        w,
        &argv("generate --algorithm ecdsa-p256 --out svc --password-env PFXGEN_TEST_PW"),
        Some(PW),
    )
    .success();

    for bits in ["1024", "2048"] {
        let key = format!("k{bits}.pem");
        let crt = format!("c{bits}.pem");
        let newkey = format!("rsa:{bits}");
        openssl_ok(
            w,
            &format!(
                "req -x509 -nodes -newkey {newkey} -keyout {key} -out {crt} -days \
                400 -subj /CN=next"
            ),
        );
        let out = format!("n{bits}.pfx");
        openssl_ok_with(
            w,
            &format!(
                "pkcs12 -export -inkey {key} -in {crt} -out {out} -passout \
                env:PFXGEN_TEST_PW"
            ),
            Some(PW),
        );
    }
    let before = snapshot(&w.join("svc"));
    let refused = pfxgen(
        w,
        &argv("rotate --service-dir svc --from n1024.pfx --password-env PFXGEN_TEST_PW"),
        Some(PW),
    );
    let refused = refused.fails_with(1);
    refused.stderr_has("under 2048 bits");
    assert_eq!(
        before,
        snapshot(&w.join("svc")),
        "a refused rotation changed the service folder"
    );

    pfxgen(
        w,
        &argv("rotate --service-dir svc --from n2048.pfx --password-env PFXGEN_TEST_PW"),
        Some(PW),
    )
    .success();
    assert_eq!(
        std::fs::read(w.join("svc/openssl.pfx")).unwrap(),
        std::fs::read(w.join("n2048.pfx")).unwrap()
    );
    // OpenSSL still reads what is installed.
    openssl_ok_with(
        w,
        "pkcs12 -info -noout -in svc/openssl.pfx -passin env:PFXGEN_TEST_PW",
        Some(PW),
    );
    let back = run(
        &pfxgen_test_support::pfxgen_bin(),
        &["rollback", "--service-dir", "svc"],
        &[],
        w,
    );
    assert!(back.output.status.success(), "{}", back.describe());
    assert_eq!(
        snapshot(&w.join("svc"))
            .iter()
            .find(|(p, _, _)| p.ends_with("openssl.pfx")),
        before.iter().find(|(p, _, _)| p.ends_with("openssl.pfx"))
    );
}
