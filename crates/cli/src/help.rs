//! Usage texts. The exit-status table is the same one the README shows.
//!
//! The texts are `&'static str` (the command table, the man page and the
//! completions use them as they are), put together with `concat!`: the
//! password sources every command shares and the work-budget options are
//! written once (`password_sources!`, `max_work_option!`,
//! `run_work_option!`), and the policy's minimum length comes from
//! `pfxgen_core::password_min_length!`, the literal that also defines
//! `pfxgen_core::policy::password::MIN_LENGTH`.

/// The `--max-work N` option (`inspect`, `verify`, `audit`, `jwks`).
macro_rules! max_work_option {
    () => {
        "    --max-work N   most work one PFX may cost, in SHA-256 compressions
                   (SHA-512 weighs 6); default 16000000, about a second
                   of CPU. A file needing more is refused (exit 4) before
                   the derivation that would exceed it.
"
    };
}

/// The `--max-run-work N` option (`audit`, `jwks`).
macro_rules! run_work_option {
    () => {
        "    --max-run-work N  most work the whole run may cost (default
                   4096000000, 256 files at the default --max-work)
"
    };
}

/// The password sources every command with password options takes (the
/// `PASSWORD_OPTIONS` group of the command table, less `--no-password`,
/// whose meaning differs by command).
macro_rules! password_sources {
    () => {
        "    --password-file FILE      --password-env VAR      --password-stdin
    --pem-password PW         (or --password PW) on the command line: other
                              users can see it (ps, /proc); pfxgen warns
"
    };
}

/// The PASSWORD OPTIONS section of a command that opens an existing file
/// (`verify`, `convert`, `export`): whose password it is (after the
/// heading), and what `--no-password` says.
macro_rules! opening_password_options {
    ($whose:literal, $no_password:literal) => {
        concat!(
            "
PASSWORD OPTIONS",
            $whose,
            "
    (no option)               the empty password, then (at a terminal) a
                              prompt
    --no-password             ",
            $no_password,
            "
",
            password_sources!()
        )
    };
}

/// The PASSWORD OPTIONS section of a command that makes a new file with
/// the ordinary password options (`csr`, `pack`): whose password it is,
/// and what `--no-password` does there.
macro_rules! new_file_password_options {
    ($whose:literal, $no_password:literal) => {
        concat!(
            "
PASSWORD OPTIONS (",
            $whose,
            ")
    (no option)               a prompt at the terminal, twice (three tries)
    --generate-password F     make a strong random password, write it to F
                              (mode 0600) and use it
    --no-password             ",
            $no_password,
            "
",
            password_sources!(),
            "    --allow-weak-password     accept a password that breaks the policy
                              (see `pfxgen help generate`)
"
        )
    };
}

/// Exit statuses, shown by every `--help`.
pub const EXIT_CODES: &str = "\
EXIT STATUS
    0   success
    1   check failed: verify found a problem, audit has findings
    2   usage error: unknown option, bad value, missing argument
    3   password problem: wrong password, no password source, weak password refused
    4   input problem: missing, unreadable, damaged, hostile or over-limit file
    5   output problem: output exists (no --force), folder missing or read-only,
        disk full; nothing was changed
    6   unsupported: the input uses an algorithm or feature pfxgen does not implement
    7   locked: another pfxgen is rotating the same service folder
    8   refused: pfxgen will not act on a file, link or folder another user controls
        (SECURITY.md: Privileged operation); nothing was changed
    70  internal error (a bug; please report it)
";

/// `pfxgen help`.
pub const TOP: &str = "\
pfxgen - make, check and rotate the PKCS#12 (openssl.pfx) token-signing
certificate of an identity server, without OpenSSL.

USAGE
    pfxgen <COMMAND> [OPTIONS]

COMMANDS
    generate   make a key, a self-signed certificate and the PFX
    inspect    show everything about a PFX (any producer), with verdicts
    verify     pass/fail check that the identity server can sign with a PFX
    rotate     install a new certificate in a service folder, with backup
    rollback   restore the previous certificate of a service folder
    audit      find shared or expiring certificates across environments
    jwks       print the JWKS the identity server publishes for certificates
    convert    re-protect a PFX: new profile or password, fresh salts
    export     write a PFX's certificate, chain, public key or key
    csr        make a key and a PKCS#10 request for a CA to sign
    pack       join a key, its certificate and the CA chain into a PFX
    help       this text, or `pfxgen help <COMMAND>`
    version    print the version

PASSWORDS (generate, inspect, verify, rotate, jwks, convert, export, csr, pack;
           audit uses --passwords MAP)
    With no option and at a terminal, pfxgen asks (without echo): generate,
    csr, pack and rotate making a new certificate ask for the new password
    twice; inspect, verify, convert, export and rotate --from try the empty
    password, then ask once; rotate asks for the current certificate's
    password when neither the new one nor none opens it; pack asks for an
    encrypted key's password; jwks tries the empty password, then asks for
    each file that needs one. Otherwise:
    --password-file FILE   the whole file: one line; a final newline and a
                           leading byte-order mark (Notepad) are ignored
    --password-env VAR     the environment variable VAR (a final newline is
                           ignored)
    --password-stdin       one line from standard input
    --no-password          no password (an empty one)
    --pem-password PW      (or --password PW) on the command line: works, but
                           other users can see it (ps, /proc, shell history);
                           pfxgen warns
    Each command's help lists its password options.
";

/// `pfxgen generate --help`.
pub const GENERATE: &str = concat!(
    "\
pfxgen generate - make a key, a self-signed certificate and the PFX

USAGE
    pfxgen generate [OPTIONS]
    pfxgen generate PASSWORD OUTPUT_DIR VALID_DAYS      (the vendor script's form)

    Writes OUTPUT_DIR/openssl.pfx atomically with mode 0600, re-reads it to
    check the MAC, decryption and key, and only then reports success. An
    existing file is never replaced without --force; with it, the old file
    is kept as NAME.<UTC time>.bak and the new one takes its owner and
    group, with at most mode rw-r----- (so a service account that read it
    still can).

OPTIONS
    --algorithm ALG       rsa-2048 (default), rsa-3072, rsa-4096,
                          ecdsa-p256, ecdsa-p384, ecdsa-p521
    --days N              validity in days, 1 to 7305 (default 365);
                          also --valid-days
    --out DIR             output folder (default: current folder);
                          also --output-path, -o
    --name NAME           file name (default openssl.pfx)
    --subject DN          e.g. \"CN=id.example.com,O=Example\" or OpenSSL's
                          \"/O=Example/CN=id.example.com\"; one attribute
                          per RDN (escape a ',' '+' or ';' in a value
                          with \\) (default: CN=<host name> token signing)
    --san LIST            subjectAltName entries: dns:NAME, ip:ADDR,
                          email:ADDR, uri:URI (comma-separated, repeatable)
    --eku LIST            extended key usages (serverAuth, clientAuth, ...);
                          none by default
    --profile P           modern (default): PBES2 AES-256-CBC, PBKDF2-SHA256,
                          HMAC-SHA256 MAC; compat (or legacy): 3DES and
                          HMAC-SHA1 for Windows Server 2016 / Windows 10
                          before 1709
    --iterations N        KDF and MAC iterations, 1000 to 300000
                          (default 200000; 2048 without a password)
    --friendly-name NAME  friendlyName attribute on key and certificate
    --force               replace an existing file (keeping a backup)
    --json                print the result as one JSON object

PASSWORD OPTIONS
    (no option)               prompt twice at the terminal
    --password-file FILE      --password-env VAR      --password-stdin
    --generate-password FILE  make a strong random password, write it to
                              FILE (mode 0600) and use it
    --no-password             a deliberately password-less file
    --pem-password PW, or the PASSWORD argument: visible to other users
    --allow-weak-password     accept a password that breaks the policy
                              (at least ",
    pfxgen_core::password_min_length!(),
    " characters; upper- and lower-case
                              letters, digits, specials; no common words or
                              patterns)
"
);

/// `pfxgen inspect --help`.
pub const INSPECT: &str = concat!(
    "\
pfxgen inspect - show everything about a PFX, with verdicts

USAGE
    pfxgen inspect FILE [--json] [--max-work N] [password options]

    Reads PFX files from any producer (OpenSSL 1.x/3.x, Windows, Java
    keytool, NSS; DER or BER). Without a password it first tries the empty
    one, then asks at a terminal; otherwise it shows what can be read
    without one.

    Shows: the MAC (algorithm, iterations, salt length), each bag (type,
    encryption, iterations, attributes), each certificate (subject, issuer,
    serial, validity and days left, signature algorithm, key, SHA-1
    thumbprint, SHA-256 fingerprint, extensions), each key and the
    certificate it matches, the chain, and verdicts: can the identity server
    sign with it; can Windows Server 2016 / Windows 10 before 1709 import it;
    is it inside .NET 9's default loader limits; weak algorithms and low
    iteration counts. A file it cannot decrypt (an unsupported cipher or
    MAC, a damaged part) is shown from what is readable without decrypting,
    then the error is printed and the exit status is 6 or 4.

    --json prints one JSON object (field names are stable; see README).
",
    max_work_option!(),
    "
PASSWORD OPTIONS
    (no option)               the empty password, then (at a terminal) a
                              prompt; else what can be read without one
    --no-password             the file has no password
",
    password_sources!()
);

/// `pfxgen verify --help`.
pub const VERIFY: &str = concat!(
    "\
pfxgen verify - pass/fail: can the identity server sign with this PFX?

USAGE
    pfxgen verify FILE [--min-days N] [--json] [--max-work N] [password options]

",
    max_work_option!(),
    "
CHECKS (exit 0 only when all pass)
    password                 the password opens the file
    mac                      the MAC is present and verifies
    single-key               exactly one private key
    key-matches-certificate  the key belongs to the end-entity certificate
    algorithm-supported      RSA >= 2048, or ECDSA P-256/SHA-256,
                             P-384/SHA-384, P-521/SHA-512
    issuer-signature         self-signed: verifies; CA-issued: the issuer in
                             the file verifies it with a supported key
    validity                 valid now and for at least --min-days more days
                             (default 30)
    dotnet-loader-limits     inside .NET 9's default PKCS#12 loader limits
    token-self-test          a JWT signed like the identity server's tokens
                             (alg, kid, x5t) verifies with the certificate
",
    opening_password_options!("", "the file has no password")
);

/// `pfxgen rotate --help`.
pub const ROTATE: &str = concat!(
    "\
pfxgen rotate - install a new certificate in an identity service folder

USAGE
    pfxgen rotate --service-dir DIR --from NEW.pfx [password options]
    pfxgen rotate --service-dir DIR [generate options]

    Finds the current certificate (X509CertificatePath in DIR/appsettings.json,
    relative to DIR or absolute, Windows-style paths understood; else
    DIR/openssl.pfx), checks the new one with everything `verify` checks and
    refuses it if it is the current certificate or reuses the current key,
    backs up what will change into DIR/pfx-backups/ with a manifest, and
    installs the new file atomically with the old file's mode and owner
    (a new --install-path file: its owner and at most rw-r-----).
    Any failure leaves DIR as it was. Prints the old and new kid and the
    remaining manual steps (IIS application pools, Docker containers).

    Run as root on a folder the service account can write, rotate never
    acts for that account beyond what it could do itself: an
    appsettings.json another user can write may only name a file inside DIR
    (else exit 8: name the file with --certificate), symbolic links are
    followed only when root or the running user made them in folders
    nobody else can write, and DIR/pfx-backups must be the running user's
    own (made mode 0700). See SECURITY.md, Privileged operation.

OPTIONS
    --from FILE                 install an existing PFX (its password: the
                                password options)
    (generate options)          without --from: make a new certificate like
                                the current one (same key algorithm,
                                subject, SANs, EKUs and validity length);
                                each option given overrides, and the plan and
                                result list every difference
    --install-path PATH         install at PATH (relative to DIR) and point
                                X509CertificatePath at it; everything else in
                                appsettings.json is kept byte for byte
    --current-password-file F   password of the current certificate (to
    --current-password-env V    compare keys); default: the new password,
    --current-no-password       then none, then (at a terminal) a prompt
    --certificate PATH          the certificate the service uses (relative
                                to DIR or absolute), when appsettings.json
                                is not trusted to say so; it must be the file
                                appsettings.json names
    --allow-missing-current     install even if there is no current file
    --allow-unreadable-current  install even if the current file is damaged
                                or its password is unknown (it is backed up
                                byte for byte)
    --environment NAME          the service's ASP.NET Core environment:
                                appsettings.NAME.json overrides
                                appsettings.json (default: the
                                ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT
                                variable); needed when an environment file
                                sets X509CertificatePath
    --min-days N                the new certificate must be valid for N more
                                days (default 30)
    --dry-run                   print the plan, change nothing
    --json                      print the result as JSON

PASSWORD OPTIONS (the new certificate's; the current one's are above)
    (no option)               --from: the empty password, then (at a
                              terminal) a prompt; a new certificate: a
                              prompt, twice (or --generate-password FILE)
    --no-password             no password
",
    password_sources!()
);

/// `pfxgen rollback --help`.
pub const ROLLBACK: &str = "\
pfxgen rollback - undo the most recent rotate (or rollback) of a service

USAGE
    pfxgen rollback --service-dir DIR [--dry-run] [--json]

    Reads the newest manifest in DIR/pfx-backups/, checks each backup
    against the SHA-256 the manifest recorded (and that a PFX still parses),
    backs up the current files, and restores the backups atomically. The
    rollback is itself recorded, so a second rollback undoes the first.

    Only what a trusted run recorded is restored: DIR/pfx-backups, the
    manifest and the backups must belong to the user running rollback and
    be writable by nobody else (else exit 8); each file must still be what
    the recorded operation installed; the paths come from the manifest
    alone; the manifest must have been written for this folder.
";

/// `pfxgen jwks --help`.
pub const JWKS: &str = concat!(
    "\
pfxgen jwks - print the JWKS the identity server publishes for certificates

USAGE
    pfxgen jwks FILE... [--thumbprints] [--passwords MAP] [--max-work N]
                [--max-run-work N] [password options]

    FILE: a PFX (only its certificates are decrypted; keys never), or a DER
    or PEM certificate. A PEM bundle gives every certificate in it except
    those that issued another one there (a chain's CAs). For each: kty,
    use (sig), alg (RS256/ES256/ES384/ES512), kid (SHA-1 thumbprint,
    upper-case hex), x5t, x5t#S256, x5c, and n/e or crv/x/y.
    --thumbprints adds each key's RFC 7638 thumbprint as the extra member
    jwk_thumbprint. Give integrators the next certificate's JWK before a
    rotation so they can trust it in advance. A bundle of more than 64
    certificates is refused before any is read.

    Passwords: --passwords MAP (the map audit reads, see pfxgen help audit)
    gives each file its own; a password option gives one for every file the
    map does not select; with neither, the empty password is tried and, at a
    terminal, pfxgen asks for each file that needs one, naming it.

",
    max_work_option!(),
    run_work_option!(),
    "
PASSWORD OPTIONS (one password for every file the map does not select)
    (no option)               the empty password, then at a terminal a
                              prompt for each file that needs one
    --passwords MAP           a password per file (see pfxgen help audit)
    --no-password             the files have no password
",
    password_sources!()
);

/// `pfxgen audit --help`.
pub const AUDIT: &str = concat!(
    "\
pfxgen audit - one certificate per instance, proven across environments

USAGE
    pfxgen audit PATH... [--passwords MAP] [--warn-days N] [--json]
                 [--max-work N] [--max-run-work N]

    PATH: a PFX or certificate file, a service folder (its appsettings.json
    says where the certificate is), or a folder to search (service folders
    and *.pfx/*.p12/*.crt/*.cer/*.der/*.pem files below it; links are
    followed; pfx-backups and dot-folders are skipped; a folder more than
    12 levels down is reported). Finding nothing is exit 2, never clean;
    so is a PATH that does not exist. Service folders that share a name are
    shown by their distinguishing path (eu/prod, us/prod).

    Reports a row per instance (kid, SHA-256 fingerprint, key, subject,
    expiry, identity-server verdict) and findings:
      REUSE        the same certificate in two places; the same public key
                   under different certificates; the same issuer and serial;
                   byte-identical files when one of them cannot be read
      EXPIRY       expired, or expiring within --warn-days N (0 to 36500;
                   default 30; 0 reports only expired certificates)
      UNSUPPORTED  the identity server cannot sign with it
      UNREADABLE   wrong password, damaged file (the audit goes on)
      UNVERIFIED   no MAC, or read without a password: the MAC was not
                   checked, so the contents may not be the producer's
      BUDGET       the file needs more work than --max-work, or the run's
                   --max-run-work is spent (the audit goes on)

    Identical findings are one finding naming every instance. When no
    instance can be read, a hint on standard error points to --passwords.
    Only certificates are decrypted, never keys; identical files once.
    Files are read one per core at a time, so memory does not grow with
    their number.

",
    max_work_option!(),
    run_work_option!(),
    "
PASSWORD MAP (--passwords MAP)
    One rule per line, first match wins, # comments:
        SELECTOR  SOURCE
    SELECTOR: a path (the file, or a folder above it), an environment name
    (a service folder's name), or *. SOURCE: env:VARIABLE, file:PATH,
    empty (no password), unknown (do not try). Without a rule: empty.
    Relative paths (selectors and file:) are taken from the current folder,
    like the PATH arguments they match.
    Passwords themselves are never written in the map.

EXIT STATUS (audit)
    0 clean, 1 findings, 2 could not run
"
);

/// `pfxgen convert --help`.
pub const CONVERT: &str = concat!(
    "\
pfxgen convert - re-protect a PFX: new profile, new password, fresh salts

USAGE
    pfxgen convert IN --out OUT [--profile modern|compat] [--iterations N]
                   [password options for IN] [--out-password-file F |
                   --out-password-env VAR | --out-generate-password F |
                   --out-no-password] [--allow-weak-password] [--force]

    Opens IN (any producer, including OpenSSL -legacy and Windows files with
    RC2-40 or 3DES) and writes OUT with fresh salts and IVs in the chosen
    profile (default modern; compat for old Windows). Keeps the private key,
    the certificate it belongs to and that certificate's chain (each link
    checked by signature); the friendly name is kept and localKeyId is set
    to the certificate's SHA-1, as OpenSSL does. Anything else (extra keys,
    other certificates, CRLs, secret or unknown bags) is dropped, and each
    drop is reported on standard error. A file with no key that matches one
    of its certificates is refused.

    Without an output password option OUT keeps the input's password, so a
    password change is one command:
        pfxgen convert old.pfx --out new.pfx --password-file old.txt \\
            --out-password-file new.txt
    A new password must pass the policy (see `pfxgen help generate`) unless
    --allow-weak-password; --out-generate-password F makes one and writes it
    to the new file F (mode 0600).

    OUT is written like every pfxgen file: atomically, mode 0600, re-read
    and opened before it is installed, never over an existing file without
    --force (which replaces it, the input itself included, without backup).
",
    opening_password_options!(" (IN's password)", "IN has no password")
);

/// `pfxgen export --help`.
pub const EXPORT: &str = concat!(
    "\
pfxgen export - write the certificate, chain, public key or key of a PFX

USAGE
    pfxgen export IN (--cert | --chain | --public-key) [--der] --out FILE
                  [password options for IN] [--force]
    pfxgen export IN --key --out FILE (--out-password-file F |
                  --out-password-env VAR | --out-generate-password F) [--der]
    pfxgen export IN --unencrypted-key --out FILE [--der]

    --cert         the end-entity certificate (PEM CERTIFICATE; with --der,
                   DER), for integrators who pin it
    --chain        the end-entity certificate and its chain from the file,
                   leaf first (PEM; with --der, a DER PKCS#7 .p7b)
    --public-key   the certificate's public key (PEM PUBLIC KEY or DER SPKI)
    --key          the private key as encrypted PKCS#8 (ENCRYPTED PRIVATE
                   KEY: PBES2, PBKDF2-HMAC-SHA256 200,000 iterations,
                   AES-256-CBC); it needs an output password
    --unencrypted-key
                   the private key as plain PKCS#8 (PRIVATE KEY), with a
                   warning: anyone who can read it can sign tokens
    --der          DER instead of PEM

    The key's password must pass the policy (see `pfxgen help generate`)
    unless --allow-weak-password; --out-no-password is refused with --key
    (--unencrypted-key says it deliberately).

    The file is written atomically with mode 0600, read back and checked
    before it is installed, and never over an existing file without --force.
",
    opening_password_options!(" (IN's password)", "IN has no password")
);

/// `pfxgen csr --help`.
pub const CSR: &str = concat!(
    "\
pfxgen csr - make a key and a PKCS#10 request for your CA to sign

USAGE
    pfxgen csr --subject DN [--algorithm ALG] [--san LIST] [--eku LIST]
               --out DIR [--name NAME] [password options] [--generate-password F]
               [--allow-weak-password] [--force]

    Writes two files into DIR (default names token-signing.key and
    token-signing.csr; --name NAME gives NAME.key and NAME.csr):
      NAME.key   the new private key, encrypted PKCS#8 PEM (ENCRYPTED
                 PRIVATE KEY: PBES2, PBKDF2-HMAC-SHA256 200,000 iterations,
                 AES-256-CBC, as the modern profile); a password is required
                 (--no-password is refused)
      NAME.csr   the PKCS#10 request (PEM CERTIFICATE REQUEST) signed with
                 the key, asking for the token-signing extensions:
                 basicConstraints cA FALSE and keyUsage digitalSignature
                 (both critical), and the --san and --eku given
    --algorithm, --subject, --san and --eku are as for generate. Both files
    are mode 0600, checked before they are installed, and never written over
    existing files without --force. Give the request to your CA (AD CS,
    Vault, EJBCA, openssl ca), then join key and certificate with
    `pfxgen pack`.
",
    new_file_password_options!("the key's password", "refused: the key must be encrypted")
);

/// `pfxgen pack --help`.
pub const PACK: &str = concat!(
    "\
pfxgen pack - join a key, its certificate and the CA chain into a PFX

USAGE
    pfxgen pack --key KEY --cert CERT [--chain FILE]... --out OUT
                [--key-password-file F | --key-password-env VAR |
                --key-no-password] [password options for OUT]
                [--generate-password F] [--allow-weak-password]
                [--profile modern|compat] [--iterations N]
                [--friendly-name NAME] [--force]

    KEY    PEM or DER; PKCS#8 (plain or encrypted), PKCS#1 (RSA PRIVATE KEY)
           or SEC1 (EC PRIVATE KEY). An encrypted key's password comes from
           --key-password-file or --key-password-env, or is asked at the
           terminal.
    CERT   PEM, DER, or PKCS#7 certs-only (.p7b, PEM or DER, as AD CS
           returns it, possibly with the chain); the certificate that
           matches the key is the end entity.
    --chain FILE
           more CA certificates, in any of CERT's forms; repeatable.

    The chain is ordered leaf first by checking signatures (names are not
    trusted); certificates that are not part of it are left out and listed.
    pfxgen warns when the chain stops before a self-signed root (a missing
    intermediate) or when a certificate in it has expired. A key that does
    not match any certificate is refused. The password options (see
    `pfxgen help`) give OUT's password, checked by the policy like
    generate's; OUT is written atomically, mode 0600, re-read and opened
    before it is installed, and never over an existing file without --force.
",
    new_file_password_options!("OUT's password", "a deliberately password-less PFX")
);
