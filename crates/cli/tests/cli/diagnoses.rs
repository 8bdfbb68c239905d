//! What `verify` says, and with which exit status, when a password opens
//! only part of a file: a key under its own password (Java `keytool
//! -keypass` made such files), given the store password and given the key
//! password. The file is assembled from two files pfxgen writes, one per
//! password, with the MAC made over the result with the store password.
//! And what `inspect` shows of a file it cannot decrypt (issue 13).

use crate::common::{TempDir, fixtures, pfxgen};
use pfxgen_asn1::writer as enc;
use pfxgen_pkcs12::{Password, Profile, WriteOptions, testing};

/// The (header length, content length) of the DER element at the start of
/// `der` (definite lengths only: pfxgen writes DER).
fn header(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let n = usize::from(first & 0x7F);
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    (2 + n, len)
}

/// The content of the element at the start of `der`, and what follows it.
fn split(der: &[u8]) -> (&[u8], &[u8]) {
    let (h, len) = header(der);
    (&der[h..h + len], &der[h + len..])
}

/// The ContentInfos of a DER PFX, as encoded.
fn content_infos(pfx: &[u8]) -> Vec<Vec<u8>> {
    let (pfx_body, _) = split(pfx);
    let (_, rest) = split(pfx_body); // version
    let (auth_safe_ci, _) = split(rest);
    let (_, rest) = split(auth_safe_ci); // contentType
    let (explicit, _) = split(rest); // [0]
    let (octets, _) = split(explicit);
    let (mut items, _) = split(octets);
    let mut out = Vec::new();
    while !items.is_empty() {
        let (h, len) = header(items);
        out.push(items[..h + len].to_vec());
        items = &items[h + len..];
    }
    out
}

/// Whether a ContentInfo is `encryptedData` (1.2.840.113549.1.7.6).
fn is_encrypted(ci: &[u8]) -> bool {
    let (body, _) = split(ci);
    let (oid, _) = split(body);
    oid.last() == Some(&6)
}

/// The ContentInfos of the files pfxgen writes of one fresh P-256 key and
/// its self-signed certificate, one file per password in `passwords`
/// (modern profile, 2048 iterations).
fn written_under<const N: usize>(passwords: [&str; N]) -> [Vec<Vec<u8>>; N] {
    let (key, cert) = fixtures::p256_identity();
    let options = WriteOptions {
        profile: Profile::Modern,
        iterations: 2048,
        ..WriteOptions::default()
    };
    passwords.map(|pw| content_infos(&fixtures::pfx(&key, &cert, pw, Some(&options))))
}

#[test]
fn a_key_under_its_own_password_is_diagnosed_for_each_password() {
    let dir = TempDir::new("two-passwords");
    let d = dir.path();
    let (store, keypass) = ("Store-Pass-1!", "Key-Pass-2!");
    let [under_store, under_keypass] = written_under([store, keypass]);
    let certs = under_store.into_iter().find(|ci| is_encrypted(ci)).unwrap();
    let key_ci = under_keypass
        .into_iter()
        .find(|ci| !is_encrypted(ci))
        .unwrap();
    let file = testing::pfx(&[certs, key_ci], &Password::from_str_copy(store), 2048);
    std::fs::write(d.join("two.pfx"), file).unwrap();

    let args = ["verify", "two.pfx", "--password-env", "PFXGEN_TEST_PW"];
    let run = pfxgen(d, &args, Some(store))
        .fails_with(3)
        .stderr_contains(
            "cannot decrypt the private key in bag 1, although the integrity check (MAC) \
             verified with this password",
        )
        .stderr_contains("hint: pfxgen takes one password per file");
    assert!(run.stdout().is_empty(), "{}", run.describe());
    pfxgen(d, &args, Some(keypass))
        .fails_with(3)
        .stderr_contains(
            "the integrity check (MAC) fails with this password, which decrypts the private \
             key in ContentInfo #1 but not the encrypted SafeContents (ContentInfo #0)",
        )
        .stderr_contains(
            "hint: if the file has a store password and a key password, give the store password",
        );
    pfxgen(d, &args, Some("neither"))
        .fails_with(3)
        .stderr_contains("wrong password");
}

/// Issue 13: a file whose certificates are encrypted with a cipher pfxgen
/// does not implement is shown from what is readable without decrypting
/// (the MAC, each scheme, the unencrypted bag), with what it cannot do;
/// the exit status stays 6 (unsupported), as the help documents.
#[test]
fn inspect_shows_what_it_can_read_of_a_file_it_cannot_decrypt() {
    let dir = TempDir::new("undecryptable");
    let d = dir.path();
    let pw = "Store-Pass-1!";
    let password = Password::from_str_copy(pw);
    let [parts] = written_under([pw]);
    let (encrypted, plain): (Vec<_>, Vec<_>) = parts.into_iter().partition(|ci| is_encrypted(ci));
    // aes256-CBC (2.16.840.1.101.3.4.1.42) becomes aes256-OFB (...1.43).
    let aes256_cbc = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A,
    ];
    let mut certs = encrypted[0].clone();
    let at = certs
        .windows(aes256_cbc.len())
        .position(|w| w == aes256_cbc)
        .unwrap();
    certs[at + aes256_cbc.len() - 1] = 0x2B;
    let file = testing::pfx(&[certs, plain[0].clone()], &password, 2048);
    std::fs::write(d.join("ofb.pfx"), file).unwrap();

    let args = ["inspect", "ofb.pfx", "--password-env", "PFXGEN_TEST_PW"];
    let run = pfxgen(d, &args, Some(pw))
        .fails_with(6)
        .stderr_contains("error: ofb.pfx: unsupported PFX feature");
    for needle in [
        "Password:  given\n",
        "MAC:       HMAC (PKCS#12 KDF) SHA256, 2048 iterations, salt ",
        "#0 encryptedData: encrypted (unsupported encryption: ",
        "#1 data: not encrypted (1 bag readable without a password)",
        "Identity server:                 unknown (not opened)",
        "key in contents #1, bag 0: low iteration count 2048",
        "  - cannot decrypt: unsupported PFX feature",
    ] {
        run.stdout_has(needle);
    }
    let json = pfxgen(d, &[&args[..], &["--json"]].concat(), Some(pw)).fails_with(6);
    for needle in [
        "\"opened\": false",
        "\"type\": \"encryptedData\"",
        "\"not opened: unsupported PFX feature",
        "\"cannot decrypt: unsupported PFX feature",
    ] {
        json.stdout_has(needle);
    }
}

/// Issue 13: a file with an MD5 MAC (OpenSSL `-macalg md5`) is shown from
/// what is readable (the MAC's digest and iterations, each part), and every
/// command that needs it opened says why it cannot, with exit 6.
#[test]
fn inspect_shows_a_file_with_an_md5_mac() {
    let dir = TempDir::new("md5-mac");
    let d = dir.path();
    let pw = "Store-Pass-1!";
    let [parts] = written_under([pw]);
    let auth_safe = testing::safe_contents(&parts);
    // DigestInfo { md5 (1.2.840.113549.2.5), 16 bytes }, salt, iterations.
    let md5 = [0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x05];
    let alg = enc::sequence(&[&md5, &enc::null()]);
    let mac = enc::sequence(&[
        &enc::sequence(&[&alg, &enc::octet_string(&[0x5A; 16])]),
        &enc::octet_string(&[1; 8]),
        &enc::integer_u64(2048),
    ]);
    let file = testing::pfx_with(
        &enc::integer_u64(3),
        &testing::data_content(&auth_safe),
        Some(&mac),
    );
    std::fs::write(d.join("md5.pfx"), file).unwrap();

    let run = pfxgen(d, &["inspect", "md5.pfx"], None)
        .fails_with(6)
        .stderr_contains("unsupported PFX feature in MacData.mac.digestAlgorithm: MAC digest md5");
    for needle in [
        "Password:  not given\n",
        "MAC:       unsupported MD5 (1.2.840.113549.2.5), 2048 iterations, salt 8 bytes: not verified",
        "#0 encryptedData: PBES2, PBKDF2, AES-256-CBC, Iteration 2048",
        "#1 data: not encrypted (1 bag readable without a password)",
        "the MAC uses md5 (1.2.840.113549.2.5); .NET verifies HMAC with SHA-1",
        "  - cannot decrypt: unsupported PFX feature in MacData.mac.digestAlgorithm",
    ] {
        run.stdout_has(needle);
    }
    let args = ["verify", "md5.pfx", "--password-env", "PFXGEN_TEST_PW"];
    pfxgen(d, &args, Some(pw))
        .fails_with(6)
        .stderr_contains("MAC digest md5");
}
