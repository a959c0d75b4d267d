//! Lexing and parsing of `.avs` source into the [`ast`].

pub mod ast;
pub mod parser;

pub use parser::{parse, ParseError, ParseErrorKind};
