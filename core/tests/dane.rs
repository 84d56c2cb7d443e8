//! DNSSEC statuses and DANE per MX host, through the whole check: the TLSA records a
//! resolver returns, the chain a probe saw, and what the report and the senders make of it.

mod common;

use common::canned::*;
use mtasts_core::dane::{ChainCert, DaneStatus, Mismatch};
use mtasts_core::dns::{DnsAnswer, DnsOutcome, ExtendedError, RecordType, TlsaRecord};
use mtasts_core::dnssec::DnssecStatus;
use mtasts_core::profiles::Outcome;
use mtasts_core::report::*;
use sha2::{Digest, Sha256, Sha512};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate of the chain, from stand-in bytes for its DER and its key.
fn cert(subject: &str, der: &[u8], spki: &[u8]) -> ChainCert {
    ChainCert {
        subject: subject.into(),
        sha256: hex(&Sha256::digest(der)),
        sha512: hex(&Sha512::digest(der)),
        spki_sha256: hex(&Sha256::digest(spki)),
        spki_sha512: hex(&Sha512::digest(spki)),
    }
}

const LEAF_DER: &[u8] = b"leaf certificate";
const LEAF_KEY: &[u8] = b"leaf key";
const NEXT_KEY: &[u8] = b"the key before the renewal";
const CA_DER: &[u8] = b"intermediate certificate";

fn chain() -> Vec<ChainCert> {
    vec![
        cert("CN=mx1.example.com", LEAF_DER, LEAF_KEY),
        cert("CN=Example Intermediate", CA_DER, b"ca key"),
    ]
}

fn tlsa(usage: u8, selector: u8, matching_type: u8, data: &[u8]) -> TlsaRecord {
    let data = match matching_type {
        1 => Sha256::digest(data).to_vec(),
        2 => Sha512::digest(data).to_vec(),
        _ => data.to_vec(),
    };
    TlsaRecord {
        usage,
        selector,
        matching_type,
        data: hex(&data),
    }
}

/// The prober's view of mx1: a good handshake, `names` on the certificate, the chain.
fn probed(names: &[&str], chain: Vec<ChainCert>) -> ProbeResult {
    let mut p = probe(TlsStatus::Ok);
    p.tls.cert = Some(Certificate {
        subject: "CN=mx1.example.com".into(),
        sans: names.iter().map(|s| s.to_string()).collect(),
        issuer: "CN=Example Intermediate".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        days_left: 30,
        chain_len: chain.len() as u32,
    });
    p.tls.chain = chain;
    p
}

#[derive(Clone, Copy, PartialEq)]
enum Zone {
    /// Everything validated (AD on every answer).
    Signed,
    /// A validating resolver, nothing of the domain signed (AD only on the TLD).
    Unsigned,
    /// The TLSA look-up fails validation.
    Bogus,
    /// A resolver that validates nothing.
    NotValidating,
}

fn check(zone: Zone, records: Vec<TlsaRecord>, probe: ProbeResult) -> Report {
    run_dns(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        fetched(ENFORCE),
        |_| probe.clone(),
        |name, rtype| {
            let ad = match zone {
                Zone::Signed => true,
                Zone::Unsigned | Zone::Bogus => rtype == RecordType::Soa,
                Zone::NotValidating => false,
            };
            let mut a = match (name, rtype) {
                ("_mta-sts.example.com", _) => txt(&["v=STSv1; id=1"]),
                ("example.com", RecordType::Mx) => mx(&["mx1.example.com"]),
                ("com", RecordType::Soa) => DnsAnswer::failed(DnsOutcome::Answer),
                (_, RecordType::A) => {
                    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
                    a.addresses = vec!["192.0.2.25".parse().unwrap()];
                    a
                }
                ("_25._tcp.mx1.example.com", RecordType::Tlsa) if zone == Zone::Bogus => {
                    let mut a = DnsAnswer::failed(DnsOutcome::ServFail);
                    a.ede = Some(ExtendedError {
                        code: 7,
                        text: "signature expired".into(),
                    });
                    return Some(a);
                }
                ("_25._tcp.mx1.example.com", RecordType::Tlsa) if !records.is_empty() => {
                    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
                    a.tlsa = records.clone();
                    a
                }
                _ => DnsAnswer::failed(DnsOutcome::NoData),
            };
            a.authenticated = ad;
            Some(a)
        },
    )
}

fn codes(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_ref()).collect()
}

fn sender<'a>(r: &'a Report, id: &str) -> &'a mtasts_core::profiles::SenderOutcome {
    r.senders
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", r.senders))
}

#[test]
fn a_matching_3_1_1_record_is_ok_and_dane_senders_deliver_verified() {
    let r = check(
        Zone::Signed,
        vec![tlsa(3, 1, 1, LEAF_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.status, Some(DaneStatus::Ok));
    assert_eq!(dane.dnssec, DnssecStatus::Secure);
    assert_eq!(dane.matched.len(), 1);
    assert_eq!(dane.matched[0].certificate, 0);
    assert_eq!(r.mx[0].address_dnssec, Some(DnssecStatus::Secure));
    assert_eq!(r.txt.dnssec, Some(DnssecStatus::Secure));
    assert_eq!(r.dnssec.mx, Some(DnssecStatus::Secure));
    assert!(r.dnssec.resolver_validates);
    assert_eq!(sender(&r, "postfix-dane").outcome, Outcome::DeliverVerified);
    assert_eq!(sender(&r, "exim-dane").outcome, Outcome::DeliverVerified);
    assert_eq!(r.verdict, Some(Verdict::Pass), "{}", r.summary);
    assert!(r.summary.contains("DANE authenticates"), "{}", r.summary);
    // One record: the next key change would break delivery.
    assert!(codes(&r).contains(&"mx.dane.single_key"), "{:?}", codes(&r));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["mx"][0]["dane"]["status"], "ok");
    assert_eq!(json["mx"][0]["dane"]["tlsa"][0]["usage"], 3);
    assert_eq!(json["mx"][0]["dane"]["matched"][0]["certificate"], 0);
    assert_eq!(json["txt"]["dnssec"], "secure");
}

#[test]
fn current_and_next_key_published_is_advice_free() {
    let r = check(
        Zone::Signed,
        vec![tlsa(3, 1, 1, LEAF_KEY), tlsa(3, 1, 1, NEXT_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    assert_eq!(r.mx[0].dane.as_ref().unwrap().status, Some(DaneStatus::Ok));
    assert!(
        !codes(&r).iter().any(|c| c.starts_with("mx.dane")),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_key_change_before_the_tlsa_update_is_a_mismatch_with_the_record_to_publish() {
    // The record names the old key; the server now presents LEAF_KEY.
    let r = check(
        Zone::Signed,
        vec![tlsa(3, 1, 1, NEXT_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.status, Some(DaneStatus::Mismatch));
    assert_eq!(dane.mismatch, Some(Mismatch::NoRecordMatches));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "mx.dane.mismatch")
        .expect("a mismatch finding");
    assert_eq!(f.severity, mtasts_core::Severity::Error);
    let fix = f.fix.as_deref().unwrap();
    assert!(
        fix.contains(&format!("3 1 1 {}", hex(&Sha256::digest(LEAF_KEY)))),
        "the fix names the record for the key in use: {fix}"
    );
    assert!(fix.contains("next key"), "{fix}");
    assert_eq!(sender(&r, "postfix-dane").outcome, Outcome::Defer);
    assert_eq!(
        sender(&r, "microsoft365").outcome,
        Outcome::Defer,
        "DANE first"
    );
    assert_eq!(sender(&r, "rfc8461").outcome, Outcome::DeliverVerified);
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert!(
        r.summary.starts_with("MTA-STS works, but DANE is broken"),
        "{}",
        r.summary
    );
    assert!(
        codes(&r).contains(&"domain.dane_sts.disagree"),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_2_0_1_record_on_the_intermediate_matches_when_the_leaf_names_the_host() {
    let r = check(
        Zone::Signed,
        vec![tlsa(2, 0, 1, CA_DER)],
        probed(&["mx1.example.com"], chain()),
    );
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.status, Some(DaneStatus::Ok));
    assert_eq!(dane.matched[0].certificate, 1);
    assert_eq!(dane.matched[0].subject, "CN=Example Intermediate");
    // DANE-TA keeps the name check (RFC 7672 §3.2.2); DANE-EE does not.
    let wrong_name = check(
        Zone::Signed,
        vec![tlsa(2, 0, 1, CA_DER)],
        probed(&["other.example.net"], chain()),
    );
    let dane = wrong_name.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.status, Some(DaneStatus::Mismatch));
    assert_eq!(dane.mismatch, Some(Mismatch::TrustAnchorNameMismatch));
    let ee = check(
        Zone::Signed,
        vec![tlsa(3, 1, 1, LEAF_KEY)],
        probed(&["other.example.net"], chain()),
    );
    assert_eq!(ee.mx[0].dane.as_ref().unwrap().status, Some(DaneStatus::Ok));
    // A TA record never matches the server's own certificate.
    let leaf_as_ta = check(
        Zone::Signed,
        vec![tlsa(2, 0, 1, LEAF_DER)],
        probed(&["mx1.example.com"], chain()),
    );
    assert_eq!(
        leaf_as_ta.mx[0].dane.as_ref().unwrap().status,
        Some(DaneStatus::Mismatch)
    );
}

#[test]
fn every_selector_and_matching_type_is_compared() {
    for record in [
        tlsa(3, 0, 1, LEAF_DER),
        tlsa(3, 0, 2, LEAF_DER),
        tlsa(3, 1, 2, LEAF_KEY),
        tlsa(3, 1, 0, LEAF_KEY),
        tlsa(3, 0, 0, LEAF_DER),
    ] {
        let text = record.to_string();
        let r = check(
            Zone::Signed,
            vec![record],
            probed(&["mx1.example.com"], chain()),
        );
        assert_eq!(
            r.mx[0].dane.as_ref().unwrap().status,
            Some(DaneStatus::Ok),
            "{text}"
        );
    }
}

#[test]
fn records_in_an_unsigned_zone_are_ignored_by_senders() {
    let r = check(
        Zone::Unsigned,
        vec![tlsa(3, 1, 1, NEXT_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.dnssec, DnssecStatus::Insecure);
    assert_eq!(dane.status, Some(DaneStatus::Insecure));
    assert!(
        r.dnssec.resolver_validates,
        "the TLD's SOA came back authenticated"
    );
    assert_eq!(r.txt.dnssec, Some(DnssecStatus::Insecure));
    assert!(codes(&r).contains(&"mx.dane.insecure"));
    assert!(
        !codes(&r).contains(&"mx.dane.mismatch"),
        "an ignored record cannot mismatch"
    );
    assert_eq!(
        sender(&r, "postfix-dane").outcome,
        Outcome::DeliverUnverified
    );
    assert_eq!(
        sender(&r, "microsoft365").outcome,
        Outcome::DeliverVerified,
        "MTA-STS decides"
    );
    assert_eq!(r.verdict, Some(Verdict::Pass), "{}", r.summary);
}

#[test]
fn a_bogus_tlsa_answer_defers_dane_senders() {
    let r = check(Zone::Bogus, vec![], probed(&["mx1.example.com"], chain()));
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.dnssec, DnssecStatus::Bogus);
    assert_eq!(dane.status, Some(DaneStatus::Bogus));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "mx.dane.bogus")
        .unwrap();
    assert!(f.message.contains("Signature Expired"), "{}", f.message);
    assert_eq!(sender(&r, "postfix-dane").outcome, Outcome::Defer);
    assert_eq!(r.verdict, Some(Verdict::Fail));
}

#[test]
fn pkix_usages_are_unusable_for_smtp() {
    let r = check(
        Zone::Signed,
        vec![tlsa(1, 1, 1, LEAF_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    assert_eq!(
        r.mx[0].dane.as_ref().unwrap().status,
        Some(DaneStatus::Unusable)
    );
    assert!(codes(&r).contains(&"mx.dane.pkix_usage"));
    assert!(codes(&r).contains(&"mx.dane.unusable"));
    assert_eq!(
        sender(&r, "postfix-dane").outcome,
        Outcome::DeliverUnverified
    );
    // Beside a usable record, a PKIX one is only a warning.
    let mixed = check(
        Zone::Signed,
        vec![tlsa(1, 1, 1, LEAF_KEY), tlsa(3, 1, 1, LEAF_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    assert_eq!(
        mixed.mx[0].dane.as_ref().unwrap().status,
        Some(DaneStatus::Ok)
    );
    assert!(codes(&mixed).contains(&"mx.dane.pkix_usage"));
    // Wrong-length data is unusable too.
    let mut short = tlsa(3, 1, 1, LEAF_KEY);
    short.data.truncate(10);
    let r = check(
        Zone::Signed,
        vec![short],
        probed(&["mx1.example.com"], chain()),
    );
    assert!(codes(&r).contains(&"mx.dane.record_unusable"));
}

#[test]
fn a_resolver_that_does_not_validate_blames_nobody() {
    let r = check(
        Zone::NotValidating,
        vec![tlsa(3, 1, 1, NEXT_KEY)],
        probed(&["mx1.example.com"], chain()),
    );
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.dnssec, DnssecStatus::Unknown);
    assert_eq!(dane.status, None, "not judged");
    assert!(!r.dnssec.resolver_validates);
    assert_eq!(r.txt.dnssec, Some(DnssecStatus::Unknown));
    assert!(codes(&r).contains(&"check.dnssec.not_validating"));
    assert!(!codes(&r).contains(&"mx.dane.mismatch"));
    assert_eq!(r.verdict, Some(Verdict::Pass), "{}", r.summary);
}

#[test]
fn no_starttls_at_a_dane_host_defers_dane_senders() {
    let mut p = probe(TlsStatus::StarttlsNotSupported);
    p.tls.version = None;
    let r = check(Zone::Signed, vec![tlsa(3, 1, 1, LEAF_KEY)], p);
    let dane = r.mx[0].dane.as_ref().unwrap();
    assert_eq!(dane.status, Some(DaneStatus::Mismatch));
    assert_eq!(dane.mismatch, Some(Mismatch::NoCertificate));
    assert!(codes(&r).contains(&"mx.dane.no_starttls"));
    assert_eq!(sender(&r, "postfix-dane").outcome, Outcome::Defer);
    // A probe that never connected is the tester's blind spot.
    let timeout = check(
        Zone::Signed,
        vec![tlsa(3, 1, 1, LEAF_KEY)],
        probe(TlsStatus::ConnectTimeout),
    );
    assert_eq!(timeout.mx[0].dane.as_ref().unwrap().status, None);
    assert!(!codes(&timeout).iter().any(|c| c.starts_with("mx.dane")));
}

#[test]
fn a_domain_without_mta_sts_but_with_dane_is_said_to_be_protected() {
    let probe = probed(&["mx1.example.com"], chain());
    let r = run_dns(
        txt(&[]),
        mx(&["mx1.example.com"]),
        fetched(ENFORCE),
        |_| probe.clone(),
        |name, rtype| {
            let mut a = match (name, rtype) {
                ("_25._tcp.mx1.example.com", RecordType::Tlsa) => {
                    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
                    a.tlsa = vec![tlsa(3, 1, 1, LEAF_KEY), tlsa(3, 1, 1, NEXT_KEY)];
                    a
                }
                ("example.com", RecordType::Mx) => mx(&["mx1.example.com"]),
                ("_mta-sts.example.com", _) => txt(&[]),
                _ => DnsAnswer::failed(DnsOutcome::NoData),
            };
            a.authenticated = true;
            Some(a)
        },
    );
    assert_eq!(r.verdict, Some(Verdict::None));
    assert!(r.summary.contains("DANE protects"), "{}", r.summary);
    assert_eq!(sender(&r, "postfix-dane").outcome, Outcome::DeliverVerified);
    assert_eq!(sender(&r, "rfc8461").outcome, Outcome::DeliverUnverified);
}

#[test]
fn a_failed_handshake_without_tlsa_defers_dane_senders() {
    // Measured with Postfix at the `dane` level (INTEROP.md): a host that offers STARTTLS
    // and then fails the handshake is skipped, not retried in plain text.
    let r = check(
        Zone::Unsigned,
        Vec::new(),
        probe(TlsStatus::TlsHandshakeFailed),
    );
    let dane = sender(&r, "postfix-dane");
    assert_eq!(dane.outcome, Outcome::Defer, "{}", dane.why);
    assert!(dane.why.contains("TLS handshake"), "{}", dane.why);
    // Measured too: Exim reconnects and delivers in plain text.
    assert_eq!(sender(&r, "exim-dane").outcome, Outcome::DeliverUnverified);
    // The same host with a handshake that works gets opportunistic TLS.
    let ok = check(
        Zone::Unsigned,
        Vec::new(),
        probed(&["mx1.example.com"], chain()),
    );
    assert_eq!(
        sender(&ok, "postfix-dane").outcome,
        Outcome::DeliverUnverified
    );
}
