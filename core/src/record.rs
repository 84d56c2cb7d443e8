//! The tag-value grammar shared by the `_mta-sts` (RFC 8461 §3.1) and `_smtp._tls`
//! (RFC 8460 §3) TXT records:
//!
//! ```text
//! record      = version 1*(field-delim field) [field-delim]
//! field-delim = *WSP ";" *WSP
//! field       = name "=" value
//! name        = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! value       = 1*(%x21-3A / %x3C / %x3E-7E)
//! ```
//!
//! TLS-RPT's `rua` value is a list of URIs separated by `*WSP "," *WSP`, so the tokenizer is
//! told which field names carry lists.

/// One `name=value` field, with byte offsets into the record (the record is ASCII, so byte
/// offsets are character offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub name_at: usize,
    pub value_at: usize,
    /// For list-valued fields, each item with its offset; otherwise empty.
    pub items: Vec<(usize, &'a str)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub fields: Vec<Field<'a>>,
    /// `v=STSv1 ;`: allowed by the ABNF but not by the literal prefix filter (erratum 6285).
    pub space_before_first_semicolon: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordError {
    /// A byte outside printable US-ASCII and HTAB, at this offset.
    NotAscii {
        at: usize,
    },
    /// The record does not start with the exact version tag.
    Version,
    /// Whitespace at the very end without a `;` before it.
    TrailingWhitespace {
        at: usize,
    },
    /// The version and nothing else.
    NoFields,
    Syntax {
        at: usize,
        message: String,
    },
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn is_value_byte(b: u8) -> bool {
    matches!(b, 0x21..=0x3A | 0x3C | 0x3E..=0x7E)
}

/// A URI item of a list value ends at white space, a comma or a semicolon.
fn is_item_byte(b: u8) -> bool {
    (0x21..=0x7E).contains(&b) && b != b',' && b != b';'
}

fn skip_wsp(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && is_wsp(bytes[pos]) {
        pos += 1;
    }
    pos
}

fn describe(b: u8) -> String {
    match b {
        b' ' => "a space".into(),
        b'\t' => "a tab".into(),
        _ => format!("`{}`", b as char),
    }
}

/// Parses `text` strictly. `version` is the exact, case-sensitive version tag
/// (`v=STSv1`, `v=TLSRPTv1`); `is_list` names the fields whose value is a comma list.
pub(crate) fn parse<'a>(
    text: &'a str,
    version: &str,
    is_list: impl Fn(&str) -> bool,
) -> Result<Parsed<'a>, RecordError> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes
        .iter()
        .position(|&b| !(b == b'\t' || (0x20..=0x7E).contains(&b)))
    {
        return Err(RecordError::NotAscii { at });
    }
    if !text.starts_with(version) {
        return Err(RecordError::Version);
    }
    let mut pos = version.len();
    if pos < bytes.len() && !is_wsp(bytes[pos]) && bytes[pos] != b';' {
        return Err(RecordError::Version);
    }

    let mut parsed = Parsed {
        fields: Vec::new(),
        space_before_first_semicolon: false,
    };
    loop {
        let ws_start = pos;
        pos = skip_wsp(bytes, pos);
        if pos == bytes.len() {
            if pos > ws_start {
                return Err(RecordError::TrailingWhitespace { at: ws_start });
            }
            break;
        }
        if bytes[pos] != b';' {
            return Err(RecordError::Syntax {
                at: pos,
                message: format!(
                    "expected `;` between fields, found {}",
                    describe(bytes[pos])
                ),
            });
        }
        if parsed.fields.is_empty() && pos > ws_start {
            parsed.space_before_first_semicolon = true;
        }
        pos = skip_wsp(bytes, pos + 1);
        if pos == bytes.len() {
            break;
        }
        if bytes[pos] == b';' {
            return Err(RecordError::Syntax {
                at: pos,
                message: "empty field: two `;` in a row".into(),
            });
        }
        let field = parse_field(text, pos, &is_list)?;
        pos = field.1;
        parsed.fields.push(field.0);
    }
    if parsed.fields.is_empty() {
        return Err(RecordError::NoFields);
    }
    Ok(parsed)
}

fn parse_field<'a>(
    text: &'a str,
    start: usize,
    is_list: &impl Fn(&str) -> bool,
) -> Result<(Field<'a>, usize), RecordError> {
    let bytes = text.as_bytes();
    let mut pos = start;
    while pos < bytes.len() && is_name_byte(bytes[pos]) {
        pos += 1;
    }
    let name = &text[start..pos];
    if name.is_empty() {
        return Err(RecordError::Syntax {
            at: start,
            message: format!("expected a field name, found {}", describe(bytes[start])),
        });
    }
    if !bytes[start].is_ascii_alphanumeric() || name.len() > 32 {
        return Err(RecordError::Syntax {
            at: start,
            message: format!(
                "`{name}` is not a valid field name (a letter or digit first, at most 32 characters)"
            ),
        });
    }
    if pos == bytes.len() || bytes[pos] != b'=' {
        let found = bytes.get(pos).map_or("the end".into(), |&b| describe(b));
        return Err(RecordError::Syntax {
            at: pos,
            message: format!(
                "expected `=` right after `{name}`, found {found} (no spaces around `=`)"
            ),
        });
    }
    pos += 1;
    let value_at = pos;
    let mut items = Vec::new();
    if is_list(name) {
        loop {
            let item_at = pos;
            while pos < bytes.len() && is_item_byte(bytes[pos]) {
                pos += 1;
            }
            if pos == item_at {
                return Err(RecordError::Syntax {
                    at: pos,
                    message: format!("`{name}=` needs a URI here"),
                });
            }
            items.push((item_at, &text[item_at..pos]));
            let after = skip_wsp(bytes, pos);
            if after < bytes.len() && bytes[after] == b',' {
                pos = skip_wsp(bytes, after + 1);
            } else {
                break;
            }
        }
    } else {
        while pos < bytes.len() && is_value_byte(bytes[pos]) {
            pos += 1;
        }
        if pos == value_at {
            return Err(RecordError::Syntax {
                at: pos,
                message: format!("`{name}=` has an empty value"),
            });
        }
    }
    if pos < bytes.len() && !is_wsp(bytes[pos]) && bytes[pos] != b';' {
        return Err(RecordError::Syntax {
            at: pos,
            message: format!(
                "unexpected {} in the value of `{name}` (`=` and `;` are not allowed there)",
                describe(bytes[pos])
            ),
        });
    }
    Ok((
        Field {
            name,
            value: &text[value_at..pos],
            name_at: start,
            value_at,
            items,
        },
        pos,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sts(text: &str) -> Result<Parsed<'_>, RecordError> {
        parse(text, "v=STSv1", |_| false)
    }

    #[test]
    fn delimiters_allow_white_space_around_semicolons_only() {
        // RFC 8461 §3.1: field-delim = *WSP ";" *WSP, one optional trailing delimiter.
        assert!(sts("v=STSv1;id=1").is_ok());
        assert!(sts("v=STSv1; id=1;").is_ok());
        assert!(sts("v=STSv1;\tid=1 ;  ").is_ok());
        assert_eq!(
            sts("v=STSv1; id=1 "),
            Err(RecordError::TrailingWhitespace { at: 13 })
        );
        assert!(matches!(
            sts("v=STSv1; id=1;;"),
            Err(RecordError::Syntax { at: 14, .. })
        ));
        assert!(matches!(
            sts("v=STSv1 id=1"),
            Err(RecordError::Syntax { at: 8, .. })
        ));
    }

    #[test]
    fn version_alone_or_followed_by_junk_is_rejected() {
        assert_eq!(sts("v=STSv1"), Err(RecordError::NoFields));
        assert_eq!(sts("v=STSv1;"), Err(RecordError::NoFields));
        assert_eq!(sts("v=STSv10; id=1"), Err(RecordError::Version));
        assert_eq!(sts("V=STSv1; id=1"), Err(RecordError::Version));
    }

    #[test]
    fn space_before_the_first_semicolon_is_noted() {
        let parsed = sts("v=STSv1 ; id=1").unwrap();
        assert!(parsed.space_before_first_semicolon);
        assert!(
            !sts("v=STSv1; id=1 ; x=2")
                .unwrap()
                .space_before_first_semicolon
        );
    }

    #[test]
    fn values_exclude_equals_and_names_are_bounded() {
        assert!(matches!(
            sts("v=STSv1; id=a=b"),
            Err(RecordError::Syntax { at: 13, .. })
        ));
        assert!(matches!(
            sts("v=STSv1; id ="),
            Err(RecordError::Syntax { at: 11, .. })
        ));
        assert!(matches!(
            sts("v=STSv1; _x=1"),
            Err(RecordError::Syntax { at: 9, .. })
        ));
        let long = format!("v=STSv1; {}=1", "a".repeat(33));
        assert!(matches!(sts(&long), Err(RecordError::Syntax { .. })));
        assert!(sts(&format!("v=STSv1; {}=1", "a".repeat(32))).is_ok());
    }

    #[test]
    fn non_ascii_and_control_bytes_are_found_with_their_offset() {
        assert_eq!(sts("v=STSv1; id=é"), Err(RecordError::NotAscii { at: 12 }));
        assert_eq!(
            sts("v=STSv1; id=1\n"),
            Err(RecordError::NotAscii { at: 13 })
        );
    }

    #[test]
    fn list_values_split_on_commas_with_optional_white_space() {
        let parsed = parse(
            "v=TLSRPTv1; rua=mailto:a@x.test , https://r.test/x",
            "v=TLSRPTv1",
            |n| n == "rua",
        )
        .unwrap();
        let items: Vec<_> = parsed.fields[0].items.iter().map(|i| i.1).collect();
        assert_eq!(items, ["mailto:a@x.test", "https://r.test/x"]);
        assert_eq!(parsed.fields[0].items[1].0, 34);
    }
}
