//! Parse stage, before the kdl parser: works around kdl 6.7.1 rejecting a
//! slashdashed node ended by `;`. `/- old; new` is valid KDL v2 (the `;` ends the
//! commented-out node), but the crate's parser leaves the `;` behind and then reads
//! it as a node name ("Found invalid node name"), after which charter's v1 check
//! took the file for KDL v1. Each such `;` is handed to the parser as a newline,
//! which ends a node the same way; the text keeps its length, so every offset the
//! parser reports is an offset into the file as written.

use std::borrow::Cow;

use crate::parse::tokens::{Kind, lex};

/// Where the lexer is within one block's nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before a node's name.
    NodeStart,
    /// After `/-`, before the name of the node it comments out.
    Slashdash,
    /// Inside a node; `true` when the node is commented out.
    Node(bool),
}

/// The offsets of every `;` that ends a slashdashed node.
pub(crate) fn semicolons_ending_slashdashed_nodes(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    // One entry per open block: the document, then each children block.
    let mut levels = vec![At::NodeStart];
    // A `\` outside strings continues the node onto the next line.
    let mut continued = false;
    for token in lex(text) {
        let Some(at) = levels.last_mut() else {
            break;
        };
        match token.kind {
            Kind::Space | Kind::LineComment | Kind::BlockComment => {}
            Kind::Escape => continued = true,
            Kind::Newline => {
                if !continued && matches!(*at, At::Node(_)) {
                    *at = At::NodeStart;
                }
                continued = false;
            }
            Kind::Semi => {
                if *at == At::Node(true) {
                    found.push(token.at);
                }
                *at = At::NodeStart;
                continued = false;
            }
            Kind::Open => {
                levels.push(At::NodeStart);
                continued = false;
            }
            Kind::Close => {
                levels.pop();
                if levels.is_empty() {
                    // An unbalanced `}`: the parser reports it.
                    levels.push(At::NodeStart);
                }
                continued = false;
            }
            Kind::Word | Kind::Str => {
                *at = match *at {
                    At::NodeStart => {
                        let rest = strip_slashdashes(token.text);
                        if rest.len() == token.text.len() {
                            At::Node(false)
                        } else if rest.is_empty() {
                            At::Slashdash
                        } else {
                            At::Node(true)
                        }
                    }
                    At::Slashdash => At::Node(true),
                    node @ At::Node(_) => node,
                };
                continued = false;
            }
        }
    }
    found
}

fn strip_slashdashes(mut word: &str) -> &str {
    while let Some(rest) = word.strip_prefix("/-") {
        word = rest;
    }
    word
}

/// The text the kdl parser is given: `text`, with each `;` that ends a slashdashed
/// node replaced by a newline.
pub(crate) fn for_parser(text: &str) -> Cow<'_, str> {
    let semicolons = semicolons_ending_slashdashed_nodes(text);
    if semicolons.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for at in semicolons {
        bytes[at] = b'\n';
    }
    // Only ASCII `;` bytes were replaced by ASCII newlines.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(text: &str) -> bool {
        kdl::KdlDocument::parse_v2(&for_parser(text)).is_ok()
    }

    #[test]
    fn finds_the_semicolon_of_a_slashdashed_node() {
        assert_eq!(semicolons_ending_slashdashed_nodes("/- a; b"), [4]);
        assert_eq!(semicolons_ending_slashdashed_nodes("/-a 1 x=2; b"), [9]);
        assert_eq!(semicolons_ending_slashdashed_nodes("/-\n  a; b"), [6]);
        assert_eq!(
            semicolons_ending_slashdashed_nodes("x { /- a { c; }; b; }"),
            [15]
        );
        assert_eq!(
            semicolons_ending_slashdashed_nodes("/- a \\\n 1; b"),
            [9],
            "a continued line"
        );
    }

    #[test]
    fn leaves_other_semicolons_alone() {
        assert!(semicolons_ending_slashdashed_nodes("a; b; c /-d; e").is_empty());
        assert!(semicolons_ending_slashdashed_nodes("a \"/- x;\" // /- y;\n b").is_empty());
        assert!(semicolons_ending_slashdashed_nodes("/- a\nb; c").is_empty());
    }

    #[test]
    fn the_parser_accepts_what_kdl_v2_allows() {
        assert!(
            kdl::KdlDocument::parse_v2("/- a; b").is_err(),
            "kdl 6.7.1 still fails"
        );
        for text in [
            "/- a; b",
            "x; /- a; b",
            "x { /- a; b }",
            "/- a { c; }; b",
            "/- a;",
            "a /- 1; b",
        ] {
            assert!(parses(text), "{text}");
        }
    }
}
