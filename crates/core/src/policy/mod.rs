//! Rules: the password policy and what the certificate's consumers accept
//! (the identity server, the .NET loader, old Windows), and weaknesses.

pub mod password;
pub mod verdict;
