//! Rendering typed reports from `pfxgen-core` as text for people and as JSON
//! for scripts. A dry run and a real run render from the same types, so
//! their JSON names the same facts with the same keys.

pub mod audit;
pub mod convert;
pub mod csr;
pub mod export;
pub mod generate;
pub mod inspect;
pub mod jwks;
pub mod pack;
pub mod rollback;
pub mod rotate;
pub mod verify;
