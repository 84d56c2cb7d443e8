//! The catalogue of every finding the core can report: stable code, default severity, RFC section.
//!
//! Codes are part of the public contract (CLI JSON, share links, docs), so they never change
//! meaning; a rule that goes away keeps its code retired rather than reused.

use crate::finding::{Rule, Severity::*};

macro_rules! catalogue {
    ($($name:ident = $code:literal, $sev:ident, $rfc:literal;)*) => {
        $(pub const $name: Rule = Rule::new($code, $sev, $rfc);)*
        /// Every rule, in catalogue order.
        pub const ALL: &[Rule] = &[$($name),*];
    };
}

catalogue! {
    // `_mta-sts` TXT record (RFC 8461 §3.1; duplicates and extensions per the end of §3.2).
    TXT_ABSENT = "txt.absent", Info, "RFC 8461 §3.1";
    TXT_UNRELATED = "txt.unrelated", Info, "RFC 8461 §3.1";
    TXT_MULTIPLE = "txt.multiple", Error, "RFC 8461 §3.1";
    TXT_MULTISTRING = "txt.multistring", Info, "RFC 8461 §3.1";
    TXT_SYNTAX = "txt.syntax", Error, "RFC 8461 §3.1";
    TXT_NON_ASCII = "txt.syntax.non_ascii", Error, "RFC 8461 §3.1";
    TXT_TRAILING_WHITESPACE = "txt.syntax.trailing_whitespace", Error, "RFC 8461 §3.1";
    TXT_VERSION_BAD = "txt.version.bad", Error, "RFC 8461 §3.1";
    TXT_VERSION_NOT_FIRST = "txt.version.not_first", Error, "RFC 8461 §3.1";
    TXT_SPACE_BEFORE_SEMICOLON = "txt.version.space_before_semicolon", Warning, "RFC 8461 §3.1 (erratum 6285)";
    TXT_SPF = "txt.spf", Error, "RFC 8461 §3.1";
    TXT_WRONG_RECORD = "txt.wrong_record", Error, "RFC 8461 §3.1";
    TXT_ID_MISSING = "txt.id.missing", Error, "RFC 8461 §3.1";
    TXT_ID_BAD = "txt.id.bad", Error, "RFC 8461 §3.1";
    // Found only by comparing with a baseline report: the policy text changed, the id not.
    TXT_ID_NOT_UPDATED = "txt.id.not_updated", Error, "RFC 8461 §3.1";
    TXT_FIELD_DUPLICATE = "txt.field.duplicate", Warning, "RFC 8461 §3.2";
    TXT_EXTENSION_UNKNOWN = "txt.extension.unknown", Info, "RFC 8461 §3.2";

    // `_smtp._tls` TXT record (RFC 8460 §3).
    TLSRPT_ABSENT = "tlsrpt.absent", Info, "RFC 8460 §3";
    TLSRPT_UNRELATED = "tlsrpt.unrelated", Info, "RFC 8460 §3";
    TLSRPT_MULTIPLE = "tlsrpt.multiple", Error, "RFC 8460 §3";
    TLSRPT_MULTISTRING = "tlsrpt.multistring", Info, "RFC 8460 §3";
    TLSRPT_SYNTAX = "tlsrpt.syntax", Error, "RFC 8460 §3";
    TLSRPT_NON_ASCII = "tlsrpt.syntax.non_ascii", Error, "RFC 8460 §3";
    TLSRPT_TRAILING_WHITESPACE = "tlsrpt.syntax.trailing_whitespace", Error, "RFC 8460 §3";
    TLSRPT_VERSION_BAD = "tlsrpt.version.bad", Error, "RFC 8460 §3";
    TLSRPT_VERSION_NOT_FIRST = "tlsrpt.version.not_first", Error, "RFC 8460 §3";
    TLSRPT_SPACE_BEFORE_SEMICOLON = "tlsrpt.version.space_before_semicolon", Warning, "RFC 8460 §3";
    TLSRPT_SPF = "tlsrpt.spf", Error, "RFC 8460 §3";
    TLSRPT_WRONG_RECORD = "tlsrpt.wrong_record", Error, "RFC 8460 §3";
    TLSRPT_RUA_MISSING = "tlsrpt.rua.missing", Error, "RFC 8460 §3";
    TLSRPT_RUA_NONE_SUPPORTED = "tlsrpt.rua.none_supported", Error, "RFC 8460 §3";
    TLSRPT_RUA_UNSUPPORTED_SCHEME = "tlsrpt.rua.unsupported_scheme", Warning, "RFC 8460 §3";
    TLSRPT_RUA_UNENCODED = "tlsrpt.rua.unencoded", Error, "RFC 8460 §3";
    TLSRPT_RUA_TRUNCATED = "tlsrpt.rua.truncated", Warning, "RFC 8460 §3";
    TLSRPT_RUA_REPEATED = "tlsrpt.rua.repeated", Warning, "RFC 8460 §3";
    TLSRPT_RUA_BAD_URI = "tlsrpt.rua.bad_uri", Error, "RFC 8460 §3";
    TLSRPT_FIELD_DUPLICATE = "tlsrpt.field.duplicate", Warning, "RFC 8460 §3";
    TLSRPT_EXTENSION_UNKNOWN = "tlsrpt.extension.unknown", Info, "RFC 8460 §3";

    // Policy body (RFC 8461 §3.2), its size (§3.3) and advice (§5, §8.3, §10).
    POLICY_EMPTY = "policy.empty", Error, "RFC 8461 §3.2";
    POLICY_SYNTAX = "policy.syntax", Error, "RFC 8461 §3.2";
    POLICY_ENCODING = "policy.syntax.encoding", Error, "RFC 8461 §3.2";
    POLICY_BARE_CR = "policy.syntax.bare_cr", Error, "RFC 8461 §3.2";
    POLICY_BLANK_LINE = "policy.syntax.blank_line", Error, "RFC 8461 §3.2";
    POLICY_INDENTED = "policy.syntax.indented", Error, "RFC 8461 §3.2";
    POLICY_COMMENT = "policy.syntax.comment", Error, "RFC 8461 §3.2";
    POLICY_BOM = "policy.syntax.bom", Error, "RFC 8461 §3.2";
    POLICY_SPACE_BEFORE_COLON = "policy.syntax.space_before_colon", Error, "RFC 8461 §3.2";
    POLICY_NO_COLON = "policy.syntax.no_colon", Error, "RFC 8461 §3.2";
    POLICY_LINE_ENDINGS = "policy.line_endings", Info, "RFC 8461 §3.2 (erratum 6253)";
    POLICY_TOO_LARGE = "policy.size.too_large", Warning, "RFC 8461 §3.3";
    POLICY_VERSION_MISSING = "policy.version.missing", Error, "RFC 8461 §3.2";
    POLICY_VERSION_BAD = "policy.version.bad", Error, "RFC 8461 §3.2";
    POLICY_MODE_MISSING = "policy.mode.missing", Error, "RFC 8461 §3.2";
    POLICY_MODE_BAD = "policy.mode.bad", Error, "RFC 8461 §3.2";
    POLICY_MODE_TESTING = "policy.mode.testing", Warning, "RFC 8461 §5";
    POLICY_MODE_NONE = "policy.mode.none", Warning, "RFC 8461 §5, §8.3";
    POLICY_MAX_AGE_MISSING = "policy.max_age.missing", Error, "RFC 8461 §3.2";
    POLICY_MAX_AGE_BAD = "policy.max_age.bad", Error, "RFC 8461 §3.2";
    POLICY_MAX_AGE_OUT_OF_RANGE = "policy.max_age.out_of_range", Error, "RFC 8461 §3.2 (erratum 7282)";
    POLICY_MAX_AGE_SHORT = "policy.max_age.short", Warning, "RFC 8461 §3.2, §10.2";
    POLICY_MAX_AGE_BELOW_WEEKS = "policy.max_age.below_weeks", Info, "RFC 8461 §3.2";
    POLICY_MX_MISSING = "policy.mx.missing", Error, "RFC 8461 §3.2";
    POLICY_MX_LIST = "policy.mx.list", Error, "RFC 8461 §3.2";
    POLICY_MX_BAD = "policy.mx.bad", Error, "RFC 8461 §3.2";
    POLICY_MX_ULABEL = "policy.mx.ulabel", Error, "RFC 8461 §3.2";
    POLICY_MX_LOOKS_LIKE_IP = "policy.mx.looks_like_ip", Warning, "RFC 8461 §3.2";
    POLICY_MX_WILDCARD = "policy.mx.wildcard", Info, "RFC 8461 §10.4";
    POLICY_MX_WILDCARD_PUBLIC_SUFFIX = "policy.mx.wildcard_public_suffix", Warning, "RFC 8461 §10.4";
    POLICY_MX_DUPLICATE = "policy.mx.duplicate", Info, "RFC 8461 §3.2";
    POLICY_FIELD_DUPLICATE = "policy.field.duplicate", Warning, "RFC 8461 §3.2";
    POLICY_FIELD_MISSPELLED = "policy.field.misspelled", Warning, "RFC 8461 §3.2";
    POLICY_EXTENSION_UNKNOWN = "policy.extension.unknown", Info, "RFC 8461 §3.2";

    // DNS look-ups, the policy fetch (RFC 8461 §3.3) and the domain-wide verdict.
    TXT_LOOKUP_FAILED = "txt.lookup.failed", Error, "RFC 8461 §3.1";
    TXT_CNAME = "txt.cname", Info, "RFC 8461 §3.1";
    TXT_ABSENT_CACHED = "txt.absent.cached_policy_note", Info, "RFC 8461 §3.1, §5.1";
    TLSRPT_LOOKUP_FAILED = "tlsrpt.lookup.failed", Warning, "RFC 8460 §3";
    POLICY_HOST_UNRESOLVABLE = "policy.host.unresolvable", Error, "RFC 8461 §3.3";
    POLICY_FETCH_FAILED = "policy.fetch.failed", Error, "RFC 8461 §3.3";
    POLICY_FETCH_STATUS = "policy.fetch.status", Error, "RFC 8461 §3.3";
    POLICY_FETCH_REDIRECT = "policy.fetch.redirect", Error, "RFC 8461 §3.3";
    POLICY_FETCH_TOO_LARGE = "policy.fetch.too_large", Error, "RFC 8461 §3.3";
    POLICY_CONTENT_TYPE = "policy.content_type", Error, "RFC 8461 §3.2";
    POLICY_CHARSET_IGNORED = "policy.charset_ignored", Info, "RFC 8461 §3.2";
    POLICY_TLS_EXPIRED = "policy.tls.expired", Error, "RFC 8461 §3.3";
    POLICY_TLS_NAME_MISMATCH = "policy.tls.name_mismatch", Error, "RFC 8461 §3.3";
    POLICY_TLS_UNTRUSTED = "policy.tls.untrusted", Error, "RFC 8461 §3.3";
    POLICY_UNADVERTISED = "policy.unadvertised", Info, "RFC 8461 §3.2";
    POLICY_TESTING_WITHOUT_TLSRPT = "policy.testing_without_tlsrpt", Warning, "RFC 8461 §5";
    POLICY_TOLERATED_ONLY = "policy.tolerated_only", Warning, "RFC 8461 §3.2";
    POLICY_MX_UNUSED = "policy.mx.unused", Info, "RFC 8461 §4";
    MX_LOOKUP_FAILED = "mx.lookup.failed", Error, "RFC 8461 §4";
    MX_IMPLICIT = "mx.implicit", Info, "RFC 8461 §4";
    MX_NULL = "mx.null", Info, "RFC 8461 §4";
    MX_UNREACHABLE = "mx.unreachable", Warning, "RFC 8461 §4";
    MX_NOT_PROBED = "mx.not_probed", Info, "RFC 8461 §4";
    MX_STARTTLS_MISSING = "mx.starttls.missing", Error, "RFC 8461 §4";
    MX_CERT_EXPIRED = "mx.cert.expired", Error, "RFC 8461 §4.2";
    MX_CERT_NAME_MISMATCH = "mx.cert.name_mismatch", Error, "RFC 8461 §4.2";
    MX_CERT_UNTRUSTED = "mx.cert.untrusted", Error, "RFC 8461 §4.2";
    MX_CERT_CHAIN_INCOMPLETE = "mx.cert.chain_incomplete", Error, "RFC 8461 §4.2";
    MX_TLS_VERSION = "mx.tls.version", Error, "RFC 8461 §7.2";
    MX_TLS_FAILED = "mx.tls.failed", Error, "RFC 8461 §4";
    MX_CERT_EXPIRING = "mx.certificate.expiring", Warning, "RFC 8461 §4.2";
    POLICY_CERT_EXPIRING = "policy.certificate.expiring", Warning, "RFC 8461 §3.3";
    CHECK_UNAVAILABLE = "check.unavailable", Warning, "RFC 8461 §3.3, §4";
    // Found only with several resolvers: they see different TXT or MX records.
    DNS_RESOLVERS_DIFFER = "dns.resolvers.differ", Warning, "RFC 8461 §3.1, §4";
    // What the tester could not see: its own blind spots, never the domain's faults.
    CHECK_RESOLVER_FAILED = "check.resolver.failed", Warning, "RFC 8461 §3.1";
    CHECK_MX_UNREACHABLE = "check.mx.unreachable", Warning, "RFC 8461 §4";
    CHECK_RATE_LIMITED = "check.rate_limited", Warning, "RFC 8461 §4";
    DOMAIN_MX_NONE_ACCEPTS = "domain.mx.none_accepts", Error, "RFC 8461 §4";
    DOMAIN_ENFORCE_ALL_MX_FAIL = "domain.enforce.all_mx_fail", Error, "RFC 8461 §5";

    // MX host matching (RFC 8461 §4.1).
    MX_HOST_INVALID = "mx.host.invalid", Error, "RFC 8461 §4.1";
    MX_PATTERN_INVALID = "mx.pattern.invalid", Error, "RFC 8461 §4.1";
    MX_PATTERN_NO_MATCH = "mx.pattern.no_match", Error, "RFC 8461 §4";

    // DNSSEC of the look-ups, and DANE per MX host (RFC 7672 over RFC 7671).
    DNSSEC_BOGUS = "dns.dnssec.bogus", Error, "RFC 4035 §5.5";
    CHECK_DNSSEC_NOT_VALIDATING = "check.dnssec.not_validating", Info, "RFC 7672 §2.1";
    MX_DANE_MISMATCH = "mx.dane.mismatch", Error, "RFC 7672 §3.1";
    MX_DANE_NO_STARTTLS = "mx.dane.no_starttls", Error, "RFC 7672 §2.2";
    MX_DANE_BOGUS = "mx.dane.bogus", Error, "RFC 7672 §2.1.1";
    MX_DANE_LOOKUP_FAILED = "mx.dane.lookup_failed", Error, "RFC 7672 §2.1.1";
    MX_DANE_UNUSABLE = "mx.dane.unusable", Warning, "RFC 7672 §2.2";
    MX_DANE_PKIX_USAGE = "mx.dane.pkix_usage", Warning, "RFC 7672 §3.1.3";
    MX_DANE_RECORD_UNUSABLE = "mx.dane.record_unusable", Warning, "RFC 7671 §4.1";
    MX_DANE_INSECURE = "mx.dane.insecure", Info, "RFC 7672 §2.2";
    MX_DANE_SINGLE_KEY = "mx.dane.single_key", Info, "RFC 7671 §8.1";
    DOMAIN_DANE_STS_DISAGREE = "domain.dane_sts.disagree", Warning, "RFC 8461 §2";

    // Drafts judged before publishing, and the generator.
    DRAFT_TXT_ID_UNCHANGED = "draft.txt.id_unchanged", Error, "RFC 8461 §3.1";
    DRAFT_TXT_PROPOSED = "draft.txt.proposed", Info, "RFC 8461 §3.1";
    DRAFT_POLICY_HOST_BROKEN = "draft.policy_host.broken", Error, "RFC 8461 §3.3";
    GENERATE_NO_MX = "generate.mx.none", Error, "RFC 8461 §4";
    GENERATE_MX_FAILING = "generate.mx.tls_failing", Warning, "RFC 8461 §5";
    GENERATE_MX_UNPROBED = "generate.mx.unprobed", Warning, "RFC 8461 §5";

    // TLS-RPT aggregate reports as received (RFC 8460 §4 the JSON, §5 the delivery).
    REPORT_INPUT_UNRECOGNIZED = "report.input.unrecognized", Error, "RFC 8460 §5";
    REPORT_INPUT_TOO_LARGE = "report.input.too_large", Error, "RFC 8460 §5.2";
    REPORT_GZIP_CORRUPT = "report.gzip.corrupt", Error, "RFC 8460 §5.2";
    REPORT_EMAIL_NO_REPORT = "report.email.no_report", Error, "RFC 8460 §5.3";
    REPORT_EMAIL_CONTENT_TYPE = "report.email.content_type", Info, "RFC 8460 §5.3";
    REPORT_EMAIL_HEADER_MISSING = "report.email.header_missing", Info, "RFC 8460 §5.3";
    REPORT_EMAIL_SUBMITTER_MISMATCH = "report.email.submitter_mismatch", Warning, "RFC 8460 §5.3";
    REPORT_JSON_SYNTAX = "report.json.syntax", Error, "RFC 8460 §4.4";
    REPORT_JSON_NOT_OBJECT = "report.json.not_object", Error, "RFC 8460 §4.4";
    REPORT_FIELD_MISSING = "report.field.missing", Error, "RFC 8460 §4.4";
    REPORT_FIELD_TYPE = "report.field.type", Error, "RFC 8460 §4.4";
    REPORT_NUMBER_AS_STRING = "report.field.number_as_string", Info, "RFC 8460 §4.4";
    REPORT_FIELD_EMPTY = "report.field.empty", Info, "RFC 8460 §4.4";
    REPORT_FIELD_UNKNOWN = "report.field.unknown", Info, "RFC 8460 §4.4";
    REPORT_MX_HOST_STRING = "report.mx_host.string", Info, "RFC 8460 §4.4 (erratum 6241)";
    REPORT_POLICY_TYPE_UNKNOWN = "report.policy_type.unknown", Warning, "RFC 8460 §4.4";
    REPORT_RESULT_TYPE_UNKNOWN = "report.result_type.unknown", Info, "RFC 8460 §4.3";
    REPORT_DATE_BAD = "report.date.bad", Warning, "RFC 8460 §4.4";
    REPORT_DATE_ORDER = "report.date.order", Warning, "RFC 8460 §4.4";
    REPORT_COUNTS_MISMATCH = "report.counts.mismatch", Info, "RFC 8460 §4.2";
    REPORT_DOMAIN_ULABEL = "report.domain.ulabel", Warning, "RFC 8460 §4.4";
    REPORT_IP_BAD = "report.ip.bad", Info, "RFC 8460 §4.4";
    REPORT_DUPLICATE = "report.duplicate", Info, "RFC 8460 §5.3";
    REPORT_NO_POLICIES = "report.policies.empty", Info, "RFC 8460 §4.4";
}

#[cfg(test)]
mod tests {
    use super::ALL;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_dotted_and_cite_an_rfc() {
        let mut seen = HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.code), "duplicate code {}", rule.code);
            assert!(
                rule.code.split('.').count() >= 2
                    && rule
                        .code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'),
                "code {} is not a lower-case dotted name",
                rule.code
            );
            assert!(
                ["RFC 846", "RFC 767", "RFC 4035"]
                    .iter()
                    .any(|r| rule.rfc.starts_with(r)),
                "{} cites {}",
                rule.code,
                rule.rfc
            );
        }
    }
}
