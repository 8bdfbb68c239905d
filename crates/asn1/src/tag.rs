//! Tag octets (identifier octets, X.690 8.1.2) of the elements pfxgen reads
//! and writes: the universal class with the constructed bit (0x20) set where
//! the type is constructed, and the context-specific tags of PKCS#12 and
//! X.509.

/// BOOLEAN.
pub const BOOLEAN: u8 = 0x01;
/// INTEGER.
pub const INTEGER: u8 = 0x02;
/// BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// NULL.
pub const NULL: u8 = 0x05;
/// OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// UTF8String.
pub const UTF8_STRING: u8 = 0x0C;
/// PrintableString.
pub const PRINTABLE_STRING: u8 = 0x13;
/// IA5String.
pub const IA5_STRING: u8 = 0x16;
/// UTCTime.
pub const UTC_TIME: u8 = 0x17;
/// GeneralizedTime.
pub const GENERALIZED_TIME: u8 = 0x18;
/// BMPString.
pub const BMP_STRING: u8 = 0x1E;
/// SEQUENCE / SEQUENCE OF (constructed).
pub const SEQUENCE: u8 = 0x30;
/// SET / SET OF (constructed).
pub const SET: u8 = 0x31;
/// `[0]`, context-specific and constructed (`[0] EXPLICIT`, or `[0]
/// IMPLICIT` over a constructed type).
pub const CONTEXT_0: u8 = 0xA0;
/// `[1]`, context-specific and constructed.
pub const CONTEXT_1: u8 = 0xA1;
/// `[0] IMPLICIT` over a primitive type (context-specific, primitive).
pub const IMPLICIT_0: u8 = 0x80;
