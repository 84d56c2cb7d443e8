//! Wording shared by several parts of the verdict. Each message says a thing once: driver
//! errors are quoted as they are, never wrapped in the same words again.

use crate::finding::{Finding, Rule};
use crate::policy::Mode;
use crate::report::{FetchStatus, PolicyFetch, TlsProbe, TlsStatus};
use crate::rules;

/// A sentence turned into a clause: no trailing full stop.
pub(super) fn clause(s: &str) -> String {
    s.trim().trim_end_matches('.').to_string()
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What a failing MX means for delivery under the mode in effect.
pub(super) fn consequence(mode: Option<Mode>) -> &'static str {
    match mode {
        Some(Mode::Enforce) => "MTA-STS senders will not deliver to this MX.",
        Some(Mode::Testing) => "in testing mode senders still deliver, and report the failure.",
        _ => "this would block delivery once the domain enforces MTA-STS.",
    }
}

pub(crate) fn policy_host(fetch: &PolicyFetch) -> &str {
    fetch
        .url
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or("the policy host")
}

/// The TLS failure of a probe: the rule, the plain words and the fix.
pub(super) fn tls_failure(host: &str, tls: &TlsProbe) -> Option<(Rule, String, &'static str)> {
    let cert = tls.cert.as_ref();
    let date = |d: Option<&String>| {
        d.map(|d| d.chars().take(10).collect::<String>())
            .unwrap_or_else(|| "?".into())
    };
    let certificate_fix = "Use a certificate from a public CA and send the full chain.";
    Some(match tls.status {
        TlsStatus::StarttlsNotSupported => (
            rules::MX_STARTTLS_MISSING,
            format!("{host} does not offer STARTTLS"),
            "Enable STARTTLS on the mail server with a certificate for its MX name.",
        ),
        TlsStatus::CertificateExpired => (
            rules::MX_CERT_EXPIRED,
            format!("the certificate of {host} expired on {}", date(cert.map(|c| &c.not_after))),
            "Renew the certificate and automate renewal.",
        ),
        TlsStatus::CertificateNotYetValid => (
            rules::MX_CERT_EXPIRED,
            format!("the certificate of {host} is valid only from {}", date(cert.map(|c| &c.not_before))),
            "Renew the certificate and automate renewal.",
        ),
        TlsStatus::CertificateHostMismatch => (
            rules::MX_CERT_NAME_MISMATCH,
            format!(
                "the certificate of {host} does not name {host}{}",
                cert.map(|c| format!(" (it names {})", c.sans.join(", "))).unwrap_or_default()
            ),
            "Use a certificate whose subject alternative names include the MX host name.",
        ),
        TlsStatus::CertificateNotTrusted => (
            rules::MX_CERT_UNTRUSTED,
            format!(
                "the certificate of {host} does not chain to a trusted root (self-signed or a private CA{})",
                cert.map(|c| format!("; issuer {}", c.issuer)).unwrap_or_default()
            ),
            certificate_fix,
        ),
        TlsStatus::CertificateChainIncomplete => (
            rules::MX_CERT_CHAIN_INCOMPLETE,
            format!("{host} does not send the intermediate certificate, so the chain cannot be verified"),
            certificate_fix,
        ),
        TlsStatus::ProtocolVersion => (
            rules::MX_TLS_VERSION,
            format!("{host} offers nothing at TLS 1.2 or above"),
            "Enable TLS 1.2 and TLS 1.3.",
        ),
        TlsStatus::TlsHandshakeFailed => (
            rules::MX_TLS_FAILED,
            format!(
                "the TLS handshake with {host} failed{}",
                tls.error.as_deref().map(|e| format!(" ({})", clause(e))).unwrap_or_default()
            ),
            certificate_fix,
        ),
        _ => return None,
    })
}

/// A short name for why an MX is refused, for summaries ("expired certificate").
pub(crate) fn tls_reason(status: TlsStatus) -> &'static str {
    match status {
        TlsStatus::StarttlsNotSupported => "no STARTTLS",
        TlsStatus::CertificateExpired => "expired certificate",
        TlsStatus::CertificateNotYetValid => "certificate not yet valid",
        TlsStatus::CertificateHostMismatch => "certificate for another name",
        TlsStatus::CertificateNotTrusted => "untrusted certificate",
        TlsStatus::CertificateChainIncomplete => "incomplete certificate chain",
        TlsStatus::ProtocolVersion => "no TLS 1.2 or above",
        TlsStatus::TlsHandshakeFailed => "TLS handshake failure",
        TlsStatus::Ok => "not covered by the policy",
        _ => "no TLS session",
    }
}

pub(crate) fn fetch_finding(fetch: &PolicyFetch) -> Finding {
    let host = policy_host(fetch);
    let detail = fetch
        .error
        .as_deref()
        .map(|e| format!(" ({})", clause(e)))
        .unwrap_or_default();
    let (rule, message, fix): (Rule, String, String) = match fetch.status {
        FetchStatus::DnsNxdomain => (
            rules::POLICY_HOST_UNRESOLVABLE,
            format!("The policy host {host} does not exist in DNS, so senders cannot fetch the policy."),
            format!("Publish an A or AAAA record (or a CNAME to your hosting) for {host}."),
        ),
        FetchStatus::DnsError | FetchStatus::ResolverFailed => (
            rules::POLICY_HOST_UNRESOLVABLE,
            format!("The address of the policy host {host} could not be looked up{detail}."),
            format!("Make sure {host} resolves from the internet."),
        ),
        FetchStatus::ConnectFailed | FetchStatus::Timeout | FetchStatus::TlsHandshakeFailed => (
            rules::POLICY_FETCH_FAILED,
            format!("The policy could not be fetched from {host}: {}{detail}.", match fetch.status {
                FetchStatus::Timeout => "the server did not answer in time",
                FetchStatus::TlsHandshakeFailed => "the TLS handshake failed",
                _ => "no connection to port 443",
            }),
            "Serve the policy over HTTPS on port 443 of the policy host.".to_string(),
        ),
        FetchStatus::CertificateExpired | FetchStatus::CertificateNotYetValid => (
            rules::POLICY_TLS_EXPIRED,
            format!("The certificate of {host} is {}{detail}; senders refuse to fetch the policy.", if fetch.status == FetchStatus::CertificateExpired { "expired" } else { "not yet valid" }),
            "Renew the certificate (and automate renewal).".to_string(),
        ),
        FetchStatus::CertificateHostMismatch => (
            rules::POLICY_TLS_NAME_MISMATCH,
            format!("The certificate of the policy host is not valid for {host}{}.", fetch.certificate.as_ref().map(|c| format!("; it names {}", c.sans.join(", "))).unwrap_or_else(|| detail.clone())),
            format!("Serve a certificate whose subject alternative names include {host} (a hosting provider must use your name, not its own)."),
        ),
        FetchStatus::CertificateNotTrusted | FetchStatus::CertificateChainIncomplete => (
            rules::POLICY_TLS_UNTRUSTED,
            format!("The certificate of {host} does not chain to a trusted root{}{detail}.", if fetch.status == FetchStatus::CertificateChainIncomplete { ": the server does not send the intermediate certificate" } else { "" }),
            "Use a certificate from a public CA and serve the full chain.".to_string(),
        ),
        FetchStatus::HttpStatus => (
            rules::POLICY_FETCH_STATUS,
            format!("{} answered HTTP {} instead of 200; only a 200 response is a policy.", fetch.url, fetch.http_status.map_or("(none)".to_string(), |s| s.to_string())),
            "Serve the policy file at /.well-known/mta-sts.txt with status 200.".to_string(),
        ),
        FetchStatus::Redirect => (
            rules::POLICY_FETCH_REDIRECT,
            format!("{} redirects to {}; senders never follow redirects.", fetch.url, fetch.redirect_to.as_deref().unwrap_or("another address")),
            format!("Serve the policy directly at {} (exempt it from HTTPS or www redirects).", fetch.url),
        ),
        FetchStatus::ContentType => (
            rules::POLICY_CONTENT_TYPE,
            format!("The policy is served as {}, not text/plain; senders that check the type discard it.", fetch.content_type.as_deref().map_or("no Content-Type".to_string(), |c| format!("\"{c}\""))),
            "Serve mta-sts.txt with \"Content-Type: text/plain\".".to_string(),
        ),
        FetchStatus::TooLarge => (
            rules::POLICY_FETCH_TOO_LARGE,
            format!("The policy body is larger than 64 KiB ({} bytes read); senders stop reading and treat the fetch as failed.", fetch.bytes.unwrap_or(0)),
            "Serve only the policy fields.".to_string(),
        ),
        FetchStatus::Unchecked => (
            rules::CHECK_UNAVAILABLE,
            format!("The policy at {} could not be checked from this page: the companion service is unreachable, and the policy host does not let browsers read it (no CORS headers){detail}.", fetch.url),
            "Run the check with the companion service (mtasts serve), or with `mtasts check` in a terminal.".to_string(),
        ),
        // Callers only ask about failed fetches; say nothing false if one slips through.
        FetchStatus::Ok => (
            rules::POLICY_FETCH_FAILED,
            format!("The policy was fetched from {host}."),
            String::new(),
        ),
    };
    let finding = rule.finding(message);
    if fix.is_empty() {
        finding
    } else {
        finding.fix(fix)
    }
}
