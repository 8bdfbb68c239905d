//! Rules: the password policy and what the certificate's consumers accept
//! (the identity server, the .NET loader, old Windows), and weaknesses.
//! docs/consumers.md writes each consumer rule down with its source.

pub mod dotnet;
pub mod identity;
pub mod password;
pub mod verdict;
pub mod weakness;
pub mod windows;
