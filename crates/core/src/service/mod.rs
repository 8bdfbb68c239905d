//! The service folder: `appsettings.json` and the position-keeping JSON
//! reader that edits it byte-exactly, locating the certificate, the lock,
//! the file transaction and its manifest, rotation and rollback.

pub mod appsettings;
pub mod current;
pub mod jsonc;
pub mod locate;
pub mod lock;
pub mod manifest;
pub mod rollback;
pub mod rotate;
pub mod transaction;
