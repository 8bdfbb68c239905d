//! Files: reading what another user may control, writing safely relative to
//! open folder descriptors, and opening PFX files.

pub mod fsutil;
pub mod open;
pub mod readfile;
pub mod safefs;
