//! The policy body served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`
//! (RFC 8461 §3.2), parsed strictly by its ABNF:
//!
//! ```text
//! sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
//! sts-policy-term   = LF / CRLF
//! sts-policy-field-delim = ":" *WSP
//! ```
//!
//! Every finding carries the line and column it refers to. Where the strict grammar rejects
//! what lenient senders accept (a blank line, indentation, a space before the colon), the
//! finding is an error marked `tolerated`.

use crate::finding::{no_errors, Finding};
use crate::pattern::{parse_pattern, PatternProblem};
use crate::{domain, rules};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The largest body senders are asked to accept (RFC 8461 §3.3, "64 kilobytes").
pub const MAX_POLICY_BYTES: usize = 64 * 1024;
/// The largest `max_age` the RFC allows: one year in seconds.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
const ONE_DAY: u64 = 86_400;
const TWO_WEEKS: u64 = 14 * ONE_DAY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Enforce,
    Testing,
    None,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }

    fn parse(value: &str) -> Option<Mode> {
        match value {
            "enforce" => Some(Mode::Enforce),
            "testing" => Some(Mode::Testing),
            "none" => Some(Mode::None),
            _ => None,
        }
    }
}

/// The fields of a policy that senders act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Policy {
    pub version: String,
    pub mode: Mode,
    pub max_age: u64,
    /// The well-formed `mx` patterns, in the order written.
    pub mx: Vec<String>,
}

impl Policy {
    /// The policy as a body a host could serve (LF line endings, one field a line).
    pub fn render(&self) -> String {
        let mut out = format!("version: {}\nmode: {}\n", self.version, self.mode.as_str());
        for mx in &self.mx {
            let _ = writeln!(out, "mx: {mx}");
        }
        let _ = writeln!(out, "max_age: {}", self.max_age);
        out
    }
}

/// The result of checking one policy body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PolicyCheck {
    /// True when the body has no error-level finding.
    pub valid: bool,
    /// The fields senders would act on; `None` when a required field is missing or malformed.
    pub policy: Option<Policy>,
    pub findings: Vec<Finding>,
}

const KNOWN: [&str; 4] = ["version", "mode", "max_age", "mx"];

/// Checks a policy body, given as the bytes the host served.
pub fn check_policy(body: &[u8]) -> PolicyCheck {
    let mut parser = Parser::default();
    parser.run(body);
    parser.finish()
}

#[derive(Default)]
struct Parser {
    findings: Vec<Finding>,
    version: Seen<bool>,
    mode: Seen<Option<Mode>>,
    max_age: Seen<Option<u64>>,
    mx: Vec<String>,
    mx_lines: usize,
    /// Misspelled names of required fields, to hint at when the field is missing.
    misspelled: Vec<(String, &'static str, u32)>,
}

/// The first occurrence of a non-repeatable field: its line, raw value and parsed value.
struct Seen<T>(Option<(u32, String, T)>);

impl<T> Default for Seen<T> {
    fn default() -> Self {
        Seen(None)
    }
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// 1-based character column of byte offset `at` in `line`.
fn column(line: &str, at: usize) -> u32 {
    line[..at].chars().count() as u32 + 1
}

impl Parser {
    fn run(&mut self, body: &[u8]) {
        if body.len() > MAX_POLICY_BYTES {
            self.findings.push(
                rules::POLICY_TOO_LARGE
                    .finding(format!(
                        "The policy is {} bytes; senders may stop reading at 64 KiB ({MAX_POLICY_BYTES} bytes) and treat the fetch as failed.",
                        body.len()
                    ))
                    .fix("Serve only the policy fields; a policy is normally a few hundred bytes."),
            );
        }
        let body = match body.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => {
                self.findings.push(
                    rules::POLICY_BOM
                        .finding("The policy starts with a byte-order mark (BOM); the first field name then is not \"version\" to a strict parser.")
                        .fix("Save the file as UTF-8 without BOM.")
                        .at(1, 1),
                );
                rest
            }
            None => body,
        };
        let text = match std::str::from_utf8(body) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(err) => {
                let good = &body[..err.valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let col = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
                self.findings.push(
                    rules::POLICY_ENCODING
                        .finding(format!("The policy is not valid UTF-8 (byte 0x{:02X} at line {line}, column {col}).", body[err.valid_up_to()]))
                        .fix("Save the file as UTF-8 (or plain ASCII).")
                        .at(line, col),
                );
                String::from_utf8_lossy(body)
            }
        };
        if text.is_empty() {
            self.findings.push(
                rules::POLICY_EMPTY
                    .finding("The policy is empty.")
                    .fix("Serve the policy fields: version, mode, mx and max_age."),
            );
            return;
        }
        self.lines(&text);
    }

    fn lines(&mut self, text: &str) {
        let pieces: Vec<&str> = text.split('\n').collect();
        let last = pieces.len() - 1;
        let (mut lf, mut crlf) = (0usize, 0usize);
        for (i, piece) in pieces.iter().enumerate() {
            let n = i as u32 + 1;
            let terminated = i < last;
            let line = match piece.strip_suffix('\r') {
                Some(stripped) if terminated => {
                    crlf += 1;
                    stripped
                }
                _ => {
                    if terminated {
                        lf += 1;
                    }
                    piece
                }
            };
            if i == last && line.is_empty() {
                break; // after the optional final terminator
            }
            if let Some(at) = line.find('\r') {
                self.findings.push(
                    rules::POLICY_BARE_CR
                        .finding(format!("Line {n} has a carriage return (CR) that is not followed by a line feed; lines end in LF or CRLF."))
                        .fix("Convert the file to LF or CRLF line endings.")
                        .at(n, column(line, at)),
                );
                continue;
            }
            if line.trim_matches(is_wsp).is_empty() {
                let rest_blank = pieces[i..]
                    .iter()
                    .all(|p| p.trim_matches([' ', '\t', '\r']).is_empty());
                let message = if rest_blank {
                    format!("Line {n} is an extra blank line at the end; the grammar allows one final line break and nothing after it. Lenient senders accept it, strict ones (such as mox) reject the policy.")
                } else {
                    format!("Line {n} is blank; the grammar allows no empty lines. Lenient senders skip it, strict ones (such as mox) reject the policy.")
                };
                self.findings.push(
                    rules::POLICY_BLANK_LINE
                        .finding(message)
                        .fix("Remove the blank line.")
                        .at(n, 1)
                        .tolerated(),
                );
                continue;
            }
            self.line(n, line);
        }
        // Only a mix is worth a word: LF alone and CRLF alone are equally valid.
        if lf > 0 && crlf > 0 {
            self.findings.push(rules::POLICY_LINE_ENDINGS.finding(format!(
                "Lines end in a mix of LF ({lf}) and CRLF ({crlf}); RFC 8461 allows both, even mixed, though some tools object."
            )));
        }
    }

    fn line(&mut self, n: u32, line: &str) {
        let indent = line.len() - line.trim_start_matches(is_wsp).len();
        if indent > 0 {
            self.findings.push(
                rules::POLICY_INDENTED
                    .finding(format!("Line {n} starts with white space; fields start at the beginning of the line. Lenient senders accept it, strict ones reject the policy."))
                    .fix("Remove the leading white space.")
                    .at(n, 1)
                    .tolerated(),
            );
        }
        let content = &line[indent..];
        if content.starts_with('#') {
            self.findings.push(
                rules::POLICY_COMMENT
                    .finding(format!(
                        "Line {n} is a comment; the policy format has no comments."
                    ))
                    .fix("Remove the comment line.")
                    .at(n, column(line, indent)),
            );
            return;
        }
        let Some(colon) = content.find(':') else {
            let message = if content.contains('=') {
                format!("Line {n} uses \"=\"; policy fields are written \"name: value\".")
            } else {
                format!("Line {n} is not a \"name: value\" field.")
            };
            self.findings.push(
                rules::POLICY_NO_COLON
                    .finding(message)
                    .fix("Write each field as \"name: value\", e.g. \"mode: enforce\".")
                    .at(n, column(line, indent)),
            );
            return;
        };
        let raw_name = &content[..colon];
        let name = raw_name.trim_end_matches(is_wsp);
        if name.len() < raw_name.len() {
            self.findings.push(
                rules::POLICY_SPACE_BEFORE_COLON
                    .finding(format!("Line {n} has white space before the \":\". Lenient senders accept it, strict ones reject the policy."))
                    .fix(format!("Write \"{name}:\" with no space before the colon."))
                    .at(n, column(line, indent + name.len()))
                    .tolerated(),
            );
        }
        if !is_field_name(name) {
            self.findings.push(
                rules::POLICY_SYNTAX
                    .finding(format!("Line {n}: \"{name}\" is not a valid field name (a letter or digit first, then letters, digits, \"_\", \"-\" or \".\", at most 32)."))
                    .fix("Use one of the fields version, mode, mx and max_age.")
                    .at(n, column(line, indent)),
            );
            return;
        }
        let after = &content[colon + 1..];
        let value_start =
            indent + colon + 1 + (after.len() - after.trim_start_matches(is_wsp).len());
        let value = line[value_start..].trim_end_matches(is_wsp);
        let at = column(line, value_start);
        match name {
            "version" => self.version(n, at, value),
            "mode" => self.mode(n, at, value),
            "max_age" => self.max_age(n, at, value),
            "mx" => self.mx(n, at, value),
            _ => self.extension(n, line, indent, name, value, at),
        }
    }

    fn duplicate<T>(
        findings: &mut Vec<Finding>,
        seen: &Seen<T>,
        name: &str,
        n: u32,
        value: &str,
    ) -> bool {
        let Some((first_line, first_value, _)) = &seen.0 else {
            return false;
        };
        findings.push(
            rules::POLICY_FIELD_DUPLICATE
                .finding(format!("Line {n} repeats \"{name}\" (\"{value}\"); senders use the first one, \"{first_value}\" on line {first_line}, and ignore this one."))
                .fix(format!("Keep one \"{name}\" line."))
                .at(n, 1),
        );
        true
    }

    fn version(&mut self, n: u32, at: u32, value: &str) {
        if Self::duplicate(&mut self.findings, &self.version, "version", n, value) {
            return;
        }
        let ok = value == "STSv1";
        if !ok {
            let hint = if value.eq_ignore_ascii_case("STSv1") {
                " (it is case-sensitive)"
            } else {
                ""
            };
            self.findings.push(
                rules::POLICY_VERSION_BAD
                    .finding(format!("Line {n}: the version is \"{value}\"; the only version is \"STSv1\"{hint}."))
                    .fix("Write \"version: STSv1\".")
                    .at(n, at),
            );
        }
        self.version = Seen(Some((n, value.to_string(), ok)));
    }

    fn mode(&mut self, n: u32, at: u32, value: &str) {
        if Self::duplicate(&mut self.findings, &self.mode, "mode", n, value) {
            return;
        }
        let mode = Mode::parse(value);
        if mode.is_none() {
            let lower = value.to_ascii_lowercase();
            let hint = if Mode::parse(&lower).is_some() {
                format!(" Modes are case-sensitive: write \"{lower}\".")
            } else if lower == "report" {
                " \"report\" was the draft's name for what the RFC calls \"testing\".".to_string()
            } else {
                String::new()
            };
            self.findings.push(
                rules::POLICY_MODE_BAD
                    .finding(format!("Line {n}: the mode \"{value}\" is not one of enforce, testing or none.{hint}"))
                    .fix("Write \"mode: enforce\", \"mode: testing\" or \"mode: none\".")
                    .at(n, at),
            );
        }
        self.mode = Seen(Some((n, value.to_string(), mode)));
    }

    fn max_age(&mut self, n: u32, at: u32, value: &str) {
        if Self::duplicate(&mut self.findings, &self.max_age, "max_age", n, value) {
            return;
        }
        let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        let parsed = if digits && value.len() <= 10 {
            // Ten digits always fit in a u64, so this cannot overflow.
            value.parse::<u64>().ok()
        } else {
            let why = if value.is_empty() {
                "it has no value".to_string()
            } else if digits {
                format!("it has {} digits; at most 10 are allowed", value.len())
            } else if value.starts_with(['+', '-']) {
                "it has a sign; only digits are allowed".to_string()
            } else if value
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .chars()
                .all(|c| c.is_ascii_alphabetic())
            {
                "it has a unit; the value is a plain number of seconds".to_string()
            } else {
                "it must be a whole number of seconds, digits only".to_string()
            };
            self.findings.push(
                rules::POLICY_MAX_AGE_BAD
                    .finding(format!(
                        "Line {n}: max_age \"{value}\" is not valid: {why}."
                    ))
                    .fix("Write the lifetime in seconds, e.g. \"max_age: 604800\" for one week.")
                    .at(n, at),
            );
            None
        };
        if let Some(age) = parsed.filter(|&age| age > MAX_AGE_LIMIT) {
            self.findings.push(
                rules::POLICY_MAX_AGE_OUT_OF_RANGE
                    .finding(format!("Line {n}: max_age {age} is over the maximum of {MAX_AGE_LIMIT} seconds (one year). Some senders reject the policy, others cap it at one year."))
                    .fix(format!("Use at most {MAX_AGE_LIMIT}, e.g. \"max_age: 31536000\"."))
                    .at(n, at),
            );
        }
        self.max_age = Seen(Some((n, value.to_string(), parsed)));
    }

    fn mx(&mut self, n: u32, at: u32, value: &str) {
        self.mx_lines += 1;
        let pattern = match parse_pattern(value) {
            Ok(pattern) => pattern,
            Err(problem) => {
                let (rule, fix) = match &problem {
                    PatternProblem::List => (
                        rules::POLICY_MX_LIST,
                        "Put each name on its own line: \"mx: mx1.example.com\", then \"mx: mx2.example.com\".".to_string(),
                    ),
                    PatternProblem::ULabel { .. } => (
                        rules::POLICY_MX_ULABEL,
                        match problem.suggestion(value) {
                            Some(a) => format!("Write the A-label form: \"mx: {a}\"."),
                            None => "Write the name in its A-label (xn--) form.".to_string(),
                        },
                    ),
                    _ => (
                        rules::POLICY_MX_BAD,
                        match problem.suggestion(value) {
                            Some(s) => format!("Write \"mx: {s}\"."),
                            None => "Write a host name, or \"*.\" and a domain, e.g. \"mx: *.mail.example.com\".".to_string(),
                        },
                    ),
                };
                self.findings.push(
                    rule.finding(format!("Line {n}: the mx pattern \"{value}\" is not valid: {problem}. It matches no MX host."))
                        .fix(fix)
                        .at(n, at),
                );
                return;
            }
        };
        if domain::is_all_numeric(&pattern.base) {
            self.findings.push(
                rules::POLICY_MX_LOOKS_LIKE_IP
                    .finding(format!("Line {n}: \"{value}\" looks like an IP address. Patterns match MX host names, and no certificate names an MX by its address."))
                    .fix("Write the MX host name as it appears in the MX record.")
                    .at(n, at),
            );
        }
        if pattern.wildcard {
            if !pattern.base.contains('.') || is_known_public_suffix(&pattern.base) {
                self.findings.push(
                    rules::POLICY_MX_WILDCARD_PUBLIC_SUFFIX
                        .finding(format!("Line {n}: \"{value}\" covers every host under the public suffix \"{}\"; anyone with a certificate for such a host would count as your MX.", pattern.base))
                        .fix("Name your own mail hosts, or a wildcard under your own domain.")
                        .at(n, at),
                );
            } else {
                self.findings.push(
                    rules::POLICY_MX_WILDCARD
                        .finding(format!("Line {n}: \"{value}\" accepts any host one label below {} that has a valid certificate.", pattern.base))
                        .at(n, at),
                );
            }
        }
        let key = pattern.text.to_ascii_lowercase();
        if self.mx.iter().any(|m| m.to_ascii_lowercase() == key) {
            self.findings.push(
                rules::POLICY_MX_DUPLICATE
                    .finding(format!(
                        "Line {n} repeats the mx pattern \"{value}\"; that is harmless."
                    ))
                    .at(n, at),
            );
            return;
        }
        self.mx.push(pattern.text);
    }

    fn extension(&mut self, n: u32, line: &str, indent: usize, name: &str, value: &str, at: u32) {
        if let Some(bad) = value.chars().find(|c| c.is_control()) {
            self.findings.push(
                rules::POLICY_SYNTAX
                    .finding(format!("Line {n}: the value of \"{name}\" contains the control character U+{:04X}.", bad as u32))
                    .fix("Remove the character.")
                    .at(n, at),
            );
            return;
        }
        if value.is_empty() {
            self.findings.push(
                rules::POLICY_SYNTAX
                    .finding(format!("Line {n}: the field \"{name}\" has no value."))
                    .fix("Give the field a value or remove the line.")
                    .at(n, at),
            );
            return;
        }
        if let Some(known) = suggest(name) {
            self.misspelled.push((name.to_string(), known, n));
            self.findings.push(
                rules::POLICY_FIELD_MISSPELLED
                    .finding(format!("Line {n}: \"{name}\" is not a policy field, so senders ignore it. Did you mean \"{known}\"? Field names are case-sensitive."))
                    .fix(format!("Write \"{known}: {value}\"."))
                    .at(n, column(line, indent)),
            );
        } else {
            self.findings.push(
                rules::POLICY_EXTENSION_UNKNOWN
                    .finding(format!(
                        "Line {n}: senders ignore the unknown field \"{name}\"."
                    ))
                    .at(n, column(line, indent)),
            );
        }
    }

    fn missing(&mut self, name: &'static str, rule: crate::Rule, example: &str) {
        let hint = self
            .misspelled
            .iter()
            .find(|(_, known, _)| *known == name)
            .map(|(written, _, line)| {
                format!(" Line {line} has \"{written}\", which is not the same field.")
            })
            .unwrap_or_default();
        self.findings.push(
            rule.finding(format!("The policy has no \"{name}\" field.{hint}"))
                .fix(format!("Add the line \"{example}\".")),
        );
    }

    fn finish(mut self) -> PolicyCheck {
        let empty = self
            .findings
            .iter()
            .any(|f| f.code == rules::POLICY_EMPTY.code);
        if !empty {
            if self.version.0.is_none() {
                self.missing("version", rules::POLICY_VERSION_MISSING, "version: STSv1");
            }
            if self.mode.0.is_none() {
                self.missing("mode", rules::POLICY_MODE_MISSING, "mode: enforce");
            }
            if self.max_age.0.is_none() {
                self.missing("max_age", rules::POLICY_MAX_AGE_MISSING, "max_age: 604800");
            }
        }
        let mode = self.mode.0.as_ref().and_then(|m| m.2);
        let max_age = self.max_age.0.as_ref().and_then(|m| m.2);
        if matches!(mode, Some(Mode::Enforce | Mode::Testing)) && self.mx.is_empty() {
            let why = if self.mx_lines > 0 {
                "none of its mx lines is valid"
            } else {
                "it has no mx line"
            };
            self.findings.push(
                rules::POLICY_MX_MISSING
                    .finding(format!("The policy is in mode {} but {why}, so no MX can match and senders treat it as invalid.", mode.map_or("", Mode::as_str)))
                    .fix("Add one \"mx:\" line per mail host, e.g. \"mx: mx1.example.com\"."),
            );
        }
        self.advice(mode, max_age);
        let version_ok = self.version.0.as_ref().is_some_and(|v| v.2);
        let policy = match (version_ok, mode, max_age) {
            (true, Some(mode), Some(max_age)) if mode == Mode::None || !self.mx.is_empty() => {
                Some(Policy {
                    version: "STSv1".into(),
                    mode,
                    max_age,
                    mx: self.mx,
                })
            }
            _ => None,
        };
        PolicyCheck {
            valid: no_errors(&self.findings),
            policy,
            findings: self.findings,
        }
    }

    fn advice(&mut self, mode: Option<Mode>, max_age: Option<u64>) {
        match mode {
            Some(Mode::Testing) => self.findings.push(
                rules::POLICY_MODE_TESTING
                    .finding("The policy is in testing mode: senders report TLS failures (if you publish TLS-RPT) but still deliver without verified TLS.")
                    .fix("Once your TLS reports show no failures, switch to \"mode: enforce\"."),
            ),
            Some(Mode::None) => self.findings.push(
                rules::POLICY_MODE_NONE
                    .finding("The policy is in mode none: senders treat the domain as having no policy. This is the step for withdrawing MTA-STS.")
                    .fix("To protect mail, use \"mode: testing\" and then \"mode: enforce\"; to withdraw, keep this until the old max_age has passed, then remove the records."),
            ),
            _ => {}
        }
        let Some(age) = max_age else { return };
        let active = matches!(mode, Some(Mode::Enforce | Mode::Testing));
        if age == 0 || (active && age < ONE_DAY) {
            self.findings.push(
                rules::POLICY_MAX_AGE_SHORT
                    .finding(format!("max_age is {age} seconds (under one day): senders refetch the policy so often that an attacker who blocks the fetch can strip it."))
                    .fix("Use at least 604800 (one week); 31557600 (one year) once the policy is stable."),
            );
        } else if active && age < TWO_WEEKS {
            self.findings.push(
                rules::POLICY_MAX_AGE_BELOW_WEEKS
                    .finding(format!("max_age is {age} seconds ({} days); once the policy is stable, the RFC expects weeks or more (many domains use 31557600, one year).", age / ONE_DAY)),
            );
        }
    }
}

fn is_field_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 32
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The known field a misspelled name most likely meant: same letters in another case,
/// `-` for `_`, or one edit away.
fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    KNOWN
        .into_iter()
        .find(|known| lower == *known || edit_distance(&lower, known) <= 1)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Multi-label public suffixes common enough to deserve a warning for `*.<suffix>`; the
/// full Public Suffix List is too large to ship in the page for this one hint.
fn is_known_public_suffix(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "co.jp",
        "ne.jp",
        "or.jp",
        "com.br",
        "com.cn",
        "com.mx",
        "co.za",
        "co.in",
        "com.tr",
        "com.tw",
        "co.kr",
        "com.sg",
        "com.ar",
        "github.io",
        "herokuapp.com",
        "azurewebsites.net",
        "cloudfront.net",
        "amazonaws.com",
        "appspot.com",
        "blogspot.com",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "workers.dev",
    ];
    SUFFIXES.contains(&name)
}
