//! The SMTP conversation as a probe reports it, bounded: a hostile server must not make one
//! probe's answer megabytes long. Long lines are cut with a marker, long replies keep their
//! first and last lines and say how many were left out, control bytes are shown as `\xNN`
//! text, and the whole transcript stops at a few KiB.

/// Characters kept of one line.
const MAX_LINE_CHARS: usize = 160;
/// Lines kept of one reply: the first few and the last.
const HEAD_LINES: usize = 3;
/// The transcript's size at most, in bytes of text.
pub const MAX_BYTES: usize = 4096;

#[derive(Debug, Default)]
pub struct Transcript {
    lines: Vec<String>,
    bytes: usize,
    full: bool,
}

/// One line as shown: control bytes escaped, cut to [`MAX_LINE_CHARS`].
fn clean(line: &str) -> String {
    let mut out = String::new();
    for (shown, (i, c)) in line.char_indices().enumerate() {
        if shown >= MAX_LINE_CHARS {
            out.push_str(&format!(" … ({} more bytes)", line.len() - i));
            return out;
        }
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", c as u32 & 0xff));
        } else {
            out.push(c);
        }
    }
    out
}

impl Transcript {
    fn push(&mut self, line: String) {
        if self.full {
            return;
        }
        if self.bytes + line.len() > MAX_BYTES {
            self.lines
                .push(format!("… (transcript cut at {MAX_BYTES} bytes)"));
            self.full = true;
            return;
        }
        self.bytes += line.len();
        self.lines.push(line);
    }

    /// A line the probe sent.
    pub fn client(&mut self, line: &str) {
        self.push(format!("C: {}", clean(line)));
    }

    /// A whole server reply, summarised when long.
    pub fn reply(&mut self, lines: &[String]) {
        if lines.len() <= HEAD_LINES + 2 {
            for l in lines {
                self.push(format!("S: {}", clean(l)));
            }
            return;
        }
        for l in &lines[..HEAD_LINES] {
            self.push(format!("S: {}", clean(l)));
        }
        self.push(format!(
            "S: … ({} more lines)",
            lines.len() - HEAD_LINES - 1
        ));
        if let Some(last) = lines.last() {
            self.push(format!("S: {}", clean(last)));
        }
    }

    /// A note of the probe's own ("-- TLS handshake complete").
    pub fn note(&mut self, text: &str) {
        self.push(format!("-- {text}"));
    }

    pub fn append(&mut self, other: Transcript) {
        for line in other.lines {
            self.push(line);
        }
    }

    pub fn into_lines(self) -> Vec<String> {
        self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_replies_stay_small() {
        let mut t = Transcript::default();
        let huge = format!("220-{}", "\u{1}".repeat(2000));
        let reply: Vec<String> = (0..100).map(|_| huge.clone()).collect();
        for _ in 0..50 {
            t.reply(&reply);
        }
        let lines = t.into_lines();
        let bytes: usize = lines.iter().map(String::len).sum();
        assert!(bytes <= MAX_BYTES + 100, "{bytes} bytes");
        assert!(lines[0].starts_with("S: 220-\\x01\\x01"), "{}", lines[0]);
        assert!(lines[0].ends_with("more bytes)"), "{}", lines[0]);
        assert!(lines[3].contains("(96 more lines)"), "{}", lines[3]);
        assert!(lines.last().unwrap().contains("transcript cut"));
    }

    #[test]
    fn ordinary_replies_are_kept_whole() {
        let mut t = Transcript::default();
        t.client("EHLO [127.0.0.1]");
        t.reply(&["250-mx.example".into(), "250 STARTTLS".into()]);
        assert_eq!(
            t.into_lines(),
            [
                "C: EHLO [127.0.0.1]",
                "S: 250-mx.example",
                "S: 250 STARTTLS"
            ]
        );
    }
}
