//! The service folder: `appsettings.json` and the position-keeping JSON
//! reader that edits it byte-exactly.

pub mod appsettings;
pub mod jsonc;
