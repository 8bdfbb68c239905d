//! Reading a file pfxgen is given (a PFX, a certificate, a password file,
//! the password map, `appsettings.json`, a manifest) without trusting what
//! sits at the path.
//!
//! A FIFO at a certificate path made `audit` wait forever for a writer, and
//! a device could feed it without end. So every such read:
//!
//! 1. opens the path **without blocking** (`O_NONBLOCK`: opening a FIFO
//!    with no writer returns at once instead of waiting for one);
//! 2. checks, **on the open descriptor** (`fstat`), that it is a regular
//!    file, and refuses anything else naming what it is (FIFO, device,
//!    socket, folder): the check and the read use the same descriptor, so
//!    nothing can be swapped in between;
//! 3. reads at most a given number of bytes into a buffer sized once from
//!    the file's size (growing, should the file grow meanwhile, into a new
//!    buffer after wiping the old one, so a password read this way leaves no
//!    unwiped copy).

use std::{
    fs::{File, OpenOptions},
    io::{self, Read as _},
    path::Path,
};

use zeroize::Zeroize as _;

/// `O_NONBLOCK` for `open(2)`: the kernel's ABI constant differs between
/// architectures, so it comes from `libc` (already linked through
/// getrandom, and used the same way by `safefs.rs`).
#[cfg(unix)]
const O_NONBLOCK: i32 = libc::O_NONBLOCK;

/// Why a file could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// Opening or reading failed.
    Io(io::Error),
    /// The path is not a regular file; the text says what it is ("a FIFO
    /// (named pipe)", "a character device", ...). Nothing was read.
    NotRegular(&'static str),
    /// The file holds more than the limit (in bytes); reading stopped one
    /// byte past it.
    TooLarge(u64),
}

impl core::fmt::Display for ReadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(e) => e.fmt(f),
            Self::NotRegular(what) => {
                write!(f, "it is {what}, not a regular file; nothing was read")
            }
            Self::TooLarge(limit) => write!(f, "it is larger than {limit} bytes"),
        }
    }
}

impl std::error::Error for ReadError {}

/// What a non-regular file is, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` for reading without blocking and checks on the descriptor
/// that it is a regular file. Returns the file and its size.
///
/// # Errors
/// [`ReadError::Io`] or [`ReadError::NotRegular`].
pub fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    Ok((file, meta.len()))
}

/// Reads the regular file at `path`, at most `max` bytes.
///
/// # Errors
/// [`ReadError`]: not a regular file, too large, or an I/O error.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let (mut file, size) = open_regular(path)?;
    let max_len = usize::try_from(max).unwrap_or(usize::MAX);
    let hint = usize::try_from(size.min(max)).unwrap_or(max_len);
    let mut buf = vec![0u8; hint.saturating_add(1)];
    let mut filled = 0usize;
    loop {
        if filled == buf.len() {
            if filled > max_len {
                buf.zeroize();
                return Err(ReadError::TooLarge(max));
            }
            // The file grew while being read: a bigger buffer, the old wiped.
            let mut bigger = vec![0u8; max_len.saturating_add(1).min(filled.saturating_mul(2))];
            if let (Some(dst), Some(src)) = (bigger.get_mut(..filled), buf.get(..filled)) {
                dst.copy_from_slice(src);
            }
            buf.zeroize();
            buf = bigger;
        }
        let Some(spare) = buf.get_mut(filled..) else {
            break;
        };
        match file.read(spare) {
            Ok(0) => break,
            Ok(n) => filled = filled.saturating_add(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.zeroize();
                return Err(ReadError::Io(e));
            }
        }
    }
    if filled > max_len {
        buf.zeroize();
        return Err(ReadError::TooLarge(max));
    }
    buf.truncate(filled);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("pfxgen-readfile-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn reads_regular_files_within_the_limit() {
        let d = dir();
        let f = d.join("small");
        std::fs::write(&f, b"hello").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"hello");
        assert!(matches!(read_regular(&f, 4), Err(ReadError::TooLarge(4))));
        std::fs::write(&f, b"").unwrap();
        assert_eq!(read_regular(&f, 0).unwrap(), b"");
        assert!(matches!(
            read_regular(&d, 10),
            Err(ReadError::NotRegular("a folder"))
        ));
    }

    /// Opening a FIFO with no writer would block forever without
    /// `O_NONBLOCK`; here it is refused at once.
    #[cfg(unix)]
    #[test]
    fn refuses_a_fifo_without_waiting_for_a_writer() {
        let d = dir();
        let fifo = d.join("fifo");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo (coreutils) failed");
        match read_regular(&fifo, 10) {
            Err(e @ ReadError::NotRegular(_)) => {
                assert_eq!(
                    e.to_string(),
                    "it is a FIFO (named pipe), not a regular file; nothing was read"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular("a character device"))
        ));
    }
}
