//! DNS messages on the wire (RFC 1035), for every driver: the browser sends them over
//! DNS-over-HTTPS (RFC 8484), the native tool over DoH or plain UDP/TCP. Building the query
//! and reading the answer live here, so all drivers understand DNS the same way.

use crate::recordset::TxtRecord;
use domain::base::iana::{Rcode, Rtype};
use domain::base::name::{Name, ParsedName, ToName};
use domain::base::rdata::{ParseRecordData, RecordData};
use domain::base::wire::ParseError;
use domain::base::{Message, MessageBuilder};
use domain::dep::octseq::{Octets, Parser};
use domain::rdata::{Aaaa, Cname, Mx, Tlsa, Txt, A};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::str::FromStr;

/// The record types a check asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    Txt,
    Mx,
    A,
    Aaaa,
    /// DANE records (RFC 6698) at `_25._tcp.<mx host>`.
    Tlsa,
    /// Asked of the domain's top-level zone only, to learn whether the resolver validates.
    Soa,
}

impl RecordType {
    fn rtype(self) -> Rtype {
        match self {
            RecordType::Txt => Rtype::TXT,
            RecordType::Mx => Rtype::MX,
            RecordType::A => Rtype::A,
            RecordType::Aaaa => Rtype::AAAA,
            RecordType::Tlsa => Rtype::TLSA,
            RecordType::Soa => Rtype::SOA,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Txt => "TXT",
            RecordType::Mx => "MX",
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Tlsa => "TLSA",
            RecordType::Soa => "SOA",
        }
    }
}

/// How a look-up ended. A failure is not an absence: only `NxDomain` and `NoData` say that
/// nothing is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case", tag = "kind", content = "detail")]
pub enum DnsOutcome {
    Answer,
    NxDomain,
    NoData,
    ServFail,
    Refused,
    Timeout,
    /// Anything else: a transport error, a malformed or mismatched reply, another rcode.
    Error(String),
}

impl DnsOutcome {
    /// True when the look-up worked, whether or not records exist.
    pub fn resolved(&self) -> bool {
        matches!(
            self,
            DnsOutcome::Answer | DnsOutcome::NxDomain | DnsOutcome::NoData
        )
    }

    /// True when the look-up failed on the tester's side: the resolver could not be
    /// reached, timed out, refused the query or sent something unreadable. SERVFAIL is the
    /// domain's (its name servers failed the resolver), and so are NXDOMAIN and NODATA.
    pub fn tester_side(&self) -> bool {
        matches!(
            self,
            DnsOutcome::Refused | DnsOutcome::Timeout | DnsOutcome::Error(_)
        )
    }

    pub fn describe(&self) -> String {
        match self {
            DnsOutcome::Answer => "answered".into(),
            DnsOutcome::NxDomain => "the name does not exist (NXDOMAIN)".into(),
            DnsOutcome::NoData => "the name has no record of this type".into(),
            DnsOutcome::ServFail => "the resolver answered SERVFAIL".into(),
            DnsOutcome::Refused => "the resolver refused the query".into(),
            DnsOutcome::Timeout => "the look-up timed out".into(),
            // The driver's words already say what failed ("the resolver could not be reached").
            DnsOutcome::Error(e) => e.clone(),
        }
    }
}

/// One MX record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRecord {
    pub preference: u16,
    /// The exchange, lower-case, without the trailing dot; empty for a null MX (RFC 7505).
    pub host: String,
}

/// A TLSA record (RFC 6698 §2.1), with the association data in lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TlsaRecord {
    pub usage: u8,
    pub selector: u8,
    pub matching_type: u8,
    pub data: String,
}

impl std::fmt::Display for TlsaRecord {
    /// Zone-file presentation: "3 1 1 ab12…".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.usage, self.selector, self.matching_type, self.data
        )
    }
}

/// An Extended DNS Error (RFC 8914) the resolver attached to its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExtendedError {
    pub code: u16,
    /// The resolver's extra text, when it sent one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl ExtendedError {
    /// True for the codes that say DNSSEC validation failed (RFC 8914 §4.2 to §4.13: 1, 2
    /// and 5 to 12).
    pub fn is_dnssec_failure(&self) -> bool {
        matches!(self.code, 1 | 2 | 5..=12)
    }

    /// The code's name in RFC 8914's registry.
    pub fn name(&self) -> &'static str {
        match self.code {
            0 => "Other Error",
            1 => "Unsupported DNSKEY Algorithm",
            2 => "Unsupported DS Digest Type",
            3 => "Stale Answer",
            4 => "Forged Answer",
            5 => "DNSSEC Indeterminate",
            6 => "DNSSEC Bogus",
            7 => "Signature Expired",
            8 => "Signature Not Yet Valid",
            9 => "DNSKEY Missing",
            10 => "RRSIGs Missing",
            11 => "No Zone Key Bit Set",
            12 => "NSEC Missing",
            13 => "Cached Error",
            14 => "Not Ready",
            15 => "Blocked",
            16 => "Censored",
            17 => "Filtered",
            18 => "Prohibited",
            19 => "Stale NXDOMAIN Answer",
            20 => "Not Authoritative",
            21 => "Not Supported",
            22 => "No Reachable Authority",
            23 => "Network Error",
            24 => "Invalid Data",
            _ => "an unregistered code",
        }
    }
}

/// TLSA record data as a message section can be filtered by: the domain crate parses TLSA
/// only through its enum of every record type, which would bring them all into the page.
struct TlsaData<O>(Tlsa<O>);

impl<O> RecordData for TlsaData<O> {
    fn rtype(&self) -> Rtype {
        Rtype::TLSA
    }
}

impl<'a, Octs: Octets + ?Sized> ParseRecordData<'a, Octs> for TlsaData<Octs::Range<'a>> {
    fn parse_rdata(
        rtype: Rtype,
        parser: &mut Parser<'a, Octs>,
    ) -> Result<Option<Self>, ParseError> {
        if rtype != Rtype::TLSA {
            return Ok(None);
        }
        Tlsa::parse(parser).map(|t| Some(TlsaData(t)))
    }
}

/// What a look-up found, after following CNAMEs inside the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsAnswer {
    pub outcome: DnsOutcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub txt: Vec<TxtRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mx: Vec<MxRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<IpAddr>,
    /// The CNAME targets followed from the queried name, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cname: Vec<String>,
    /// The smallest TTL of the records found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    /// The resolver's DNSSEC verdict (the AD bit).
    #[serde(default)]
    pub authenticated: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tlsa: Vec<TlsaRecord>,
    /// The resolver's Extended DNS Error, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ede: Option<ExtendedError>,
}

impl DnsAnswer {
    /// An answer that carries only a failure.
    pub fn failed(outcome: DnsOutcome) -> Self {
        DnsAnswer {
            outcome,
            txt: Vec::new(),
            mx: Vec::new(),
            addresses: Vec::new(),
            cname: Vec::new(),
            ttl: None,
            authenticated: false,
            tlsa: Vec::new(),
            ede: None,
        }
    }
}

/// Builds a recursive query with the AD bit set (to get the resolver's DNSSEC verdict back),
/// and EDNS with DO set (RFC 3225: the resolver validates for a client that asks, and a
/// validating stub needs the signatures) and a 1232-byte payload, the size recommended
/// against fragmentation.
pub fn build_query(name: &str, rtype: RecordType, id: u16) -> Result<Vec<u8>, String> {
    let qname = Name::<Vec<u8>>::from_str(name).map_err(|e| format!("bad name \"{name}\": {e}"))?;
    let mut builder = MessageBuilder::new_vec();
    builder.header_mut().set_id(id);
    builder.header_mut().set_rd(true);
    builder.header_mut().set_ad(true);
    let mut question = builder.question();
    question
        .push((&qname, rtype.rtype()))
        .map_err(|e| format!("cannot build the query: {e}"))?;
    let mut additional = question.additional();
    additional
        .opt(|opt| {
            opt.set_udp_payload_size(1232);
            opt.set_dnssec_ok(true);
            Ok(())
        })
        .map_err(|e| format!("cannot build the query: {e}"))?;
    Ok(additional.finish())
}

/// True when the reply was truncated (TC bit): a UDP driver then retries over TCP.
pub fn is_truncated(reply: &[u8]) -> bool {
    Message::from_octets(reply).is_ok_and(|m| m.header().tc())
}

fn plain(name: &(impl ToName + std::fmt::Display)) -> String {
    name.to_string().trim_end_matches('.').to_ascii_lowercase()
}

/// Reads the reply to a query for `name`/`rtype` sent with `id`.
pub fn parse_response(reply: &[u8], name: &str, rtype: RecordType, id: u16) -> DnsAnswer {
    match parse(reply, name, rtype, id) {
        Ok(answer) => answer,
        Err(e) => DnsAnswer::failed(DnsOutcome::Error(e)),
    }
}

fn parse(reply: &[u8], name: &str, rtype: RecordType, id: u16) -> Result<DnsAnswer, String> {
    let msg =
        Message::from_octets(reply).map_err(|_| "the reply is too short to be DNS".to_string())?;
    let header = msg.header();
    if !header.qr() || header.id() != id {
        return Err("the reply does not belong to the query".into());
    }
    let qname = name.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(question) = msg.first_question().ok_or(()) {
        if plain(question.qname()) != qname || question.qtype() != rtype.rtype() {
            return Err("the reply answers another question".into());
        }
    }
    let ede = msg.opt().and_then(|opt| {
        opt.opt().extended_error().map(|e| ExtendedError {
            code: e.code().to_int(),
            text: e
                .text_slice()
                .map(|t| String::from_utf8_lossy(t).chars().take(200).collect())
                .unwrap_or_default(),
        })
    });
    let failed = |outcome| {
        let mut a = DnsAnswer::failed(outcome);
        a.ede = ede.clone();
        a
    };
    let outcome = match header.rcode() {
        Rcode::NOERROR => DnsOutcome::Answer,
        Rcode::NXDOMAIN => DnsOutcome::NxDomain,
        Rcode::SERVFAIL => return Ok(failed(DnsOutcome::ServFail)),
        Rcode::REFUSED => return Ok(failed(DnsOutcome::Refused)),
        other => return Err(format!("the resolver answered {other}")),
    };
    let bad = |e: domain::base::wire::ParseError| format!("malformed reply: {e}");

    // Follow the CNAME chain inside the answer section, guarding against loops.
    let mut current = qname.clone();
    let mut cname = Vec::new();
    let mut ttl: Option<u32> = None;
    loop {
        let mut next = None;
        for record in msg
            .answer()
            .map_err(bad)?
            .limit_to_in::<Cname<ParsedName<&[u8]>>>()
        {
            let record = record.map_err(bad)?;
            if plain(record.owner()) == current {
                next = Some(plain(record.data().cname()));
                ttl = Some(ttl.map_or(record.ttl().as_secs(), |t| t.min(record.ttl().as_secs())));
            }
        }
        match next {
            Some(target) if !cname.contains(&target) && target != qname && cname.len() < 16 => {
                cname.push(target.clone());
                current = target;
            }
            _ => break,
        }
    }

    let mut answer = failed(outcome);
    answer.cname = cname;
    answer.authenticated = header.ad();
    let mut found = 0;
    let mut keep_ttl = |t: u32| ttl = Some(ttl.map_or(t, |old| old.min(t)));
    match rtype {
        RecordType::Txt => {
            for record in msg.answer().map_err(bad)?.limit_to_in::<Txt<&[u8]>>() {
                let record = record.map_err(bad)?;
                if plain(record.owner()) == current {
                    let strings = record.data().iter().map(<[u8]>::to_vec).collect();
                    answer.txt.push(TxtRecord { strings });
                    keep_ttl(record.ttl().as_secs());
                    found += 1;
                }
            }
        }
        RecordType::Mx => {
            for record in msg
                .answer()
                .map_err(bad)?
                .limit_to_in::<Mx<ParsedName<&[u8]>>>()
            {
                let record = record.map_err(bad)?;
                if plain(record.owner()) == current {
                    answer.mx.push(MxRecord {
                        preference: record.data().preference(),
                        host: plain(record.data().exchange()),
                    });
                    keep_ttl(record.ttl().as_secs());
                    found += 1;
                }
            }
            crate::order::stable_sort_by(&mut answer.mx, |a, b| {
                a.preference
                    .cmp(&b.preference)
                    .then_with(|| a.host.cmp(&b.host))
            });
        }
        RecordType::A => {
            for record in msg.answer().map_err(bad)?.limit_to_in::<A>() {
                let record = record.map_err(bad)?;
                if plain(record.owner()) == current {
                    answer.addresses.push(IpAddr::V4(record.data().addr()));
                    keep_ttl(record.ttl().as_secs());
                    found += 1;
                }
            }
        }
        RecordType::Aaaa => {
            for record in msg.answer().map_err(bad)?.limit_to_in::<Aaaa>() {
                let record = record.map_err(bad)?;
                if plain(record.owner()) == current {
                    answer.addresses.push(IpAddr::V6(record.data().addr()));
                    keep_ttl(record.ttl().as_secs());
                    found += 1;
                }
            }
        }
        RecordType::Tlsa => {
            for record in msg.answer().map_err(bad)?.limit_to_in::<TlsaData<&[u8]>>() {
                let record = record.map_err(bad)?;
                if plain(record.owner()) == current {
                    let data = &record.data().0;
                    answer.tlsa.push(TlsaRecord {
                        usage: data.usage().to_int(),
                        selector: data.selector().to_int(),
                        matching_type: data.matching_type().to_int(),
                        data: crate::hex::encode(data.data()),
                    });
                    keep_ttl(record.ttl().as_secs());
                    found += 1;
                }
            }
        }
        // Only the header matters: the AD bit on a zone that is known to be signed.
        RecordType::Soa => {
            found += msg.header_counts().ancount() as usize;
        }
    }
    answer.ttl = ttl;
    if answer.outcome == DnsOutcome::Answer && found == 0 {
        answer.outcome = DnsOutcome::NoData;
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::base::iana::Rcode;
    use domain::base::Ttl;
    use domain::rdata::{Cname, Mx, Tlsa, Txt, A};

    fn name(s: &str) -> Name<Vec<u8>> {
        Name::from_str(s).unwrap()
    }

    /// A reply to `query` whose answer section is filled by `fill`.
    fn reply(
        query: &[u8],
        rcode: Rcode,
        fill: impl FnOnce(&mut domain::base::message_builder::AnswerBuilder<Vec<u8>>),
    ) -> Vec<u8> {
        let q = Message::from_octets(query).unwrap();
        let mut b = MessageBuilder::new_vec().start_answer(&q, rcode).unwrap();
        fill(&mut b);
        b.finish()
    }

    #[test]
    fn queries_ask_recursively_with_ad_and_edns() {
        let q = build_query("_mta-sts.example.com", RecordType::Txt, 7).unwrap();
        let m = Message::from_octets(q.as_slice()).unwrap();
        assert_eq!(m.header().id(), 7);
        assert!(m.header().rd() && m.header().ad() && !m.header().qr());
        let question = m.first_question().unwrap();
        assert_eq!(plain(question.qname()), "_mta-sts.example.com");
        assert_eq!(question.qtype(), Rtype::TXT);
        let opt = m.opt().unwrap();
        assert_eq!(opt.udp_payload_size(), 1232);
        assert!(opt.dnssec_ok(), "DO asks the resolver to validate");
    }

    #[test]
    fn tlsa_records_and_the_ad_bit_are_read() {
        use domain::base::iana::{TlsaCertificateUsage, TlsaMatchingType, TlsaSelector};
        let q = build_query("_25._tcp.mx.example.com", RecordType::Tlsa, 9).unwrap();
        let mut r = reply(&q, Rcode::NOERROR, |b| {
            b.header_mut().set_ad(true);
            b.push((
                name("_25._tcp.mx.example.com"),
                Ttl::from_secs(120),
                Tlsa::new(
                    TlsaCertificateUsage::DANE_EE,
                    TlsaSelector::SPKI,
                    TlsaMatchingType::SHA2_256,
                    vec![0xab; 32],
                ),
            ))
            .unwrap();
        });
        let a = parse_response(&r, "_25._tcp.mx.example.com", RecordType::Tlsa, 9);
        assert_eq!(a.outcome, DnsOutcome::Answer);
        assert!(a.authenticated);
        assert_eq!(a.tlsa.len(), 1);
        assert_eq!(a.tlsa[0].to_string(), format!("3 1 1 {}", "ab".repeat(32)));
        assert_eq!(a.ttl, Some(120));
        // The same reply without AD: the resolver did not validate it.
        r[3] &= !0x20;
        assert!(!parse_response(&r, "_25._tcp.mx.example.com", RecordType::Tlsa, 9).authenticated);
    }

    #[test]
    fn extended_dns_errors_come_with_a_servfail() {
        use domain::base::opt::exterr::ExtendedError as Ede;
        let q = build_query("_mta-sts.bogus.test", RecordType::Txt, 11).unwrap();
        let qm = Message::from_octets(q.as_slice()).unwrap();
        let b = MessageBuilder::new_vec()
            .start_answer(&qm, Rcode::SERVFAIL)
            .unwrap();
        let mut additional = b.additional();
        additional
            .opt(|opt| {
                let ede = Ede::<Vec<u8>>::new_with_str(
                    domain::base::iana::exterr::ExtendedErrorCode::DNSSEC_BOGUS,
                    "signature expired",
                )
                .unwrap();
                opt.push(&ede)
            })
            .unwrap();
        let r = additional.finish();
        let a = parse_response(&r, "_mta-sts.bogus.test", RecordType::Txt, 11);
        assert_eq!(a.outcome, DnsOutcome::ServFail);
        let ede = a.ede.expect("the EDE option is read");
        assert_eq!((ede.code, ede.text.as_str()), (6, "signature expired"));
        assert!(ede.is_dnssec_failure());
        assert_eq!(ede.name(), "DNSSEC Bogus");
    }

    #[test]
    fn txt_strings_are_kept_apart_and_cnames_followed() {
        let q = build_query("_mta-sts.example.com", RecordType::Txt, 1).unwrap();
        let r = reply(&q, Rcode::NOERROR, |b| {
            let ttl = Ttl::from_secs(300);
            b.push((
                name("_mta-sts.example.com"),
                ttl,
                Cname::new(name("sts.provider.test")),
            ))
            .unwrap();
            b.push((
                name("sts.provider.test"),
                Ttl::from_secs(60),
                Txt::<Vec<u8>>::build_from_slice(b"v=STSv1; id=1").unwrap(),
            ))
            .unwrap();
            b.push((
                name("other.test"),
                ttl,
                Txt::<Vec<u8>>::build_from_slice(b"ignored").unwrap(),
            ))
            .unwrap();
        });
        let a = parse_response(&r, "_mta-sts.example.com.", RecordType::Txt, 1);
        assert_eq!(a.outcome, DnsOutcome::Answer);
        assert_eq!(a.cname, ["sts.provider.test"]);
        assert_eq!(a.txt.len(), 1);
        assert_eq!(a.txt[0].text(), "v=STSv1; id=1");
        assert_eq!(a.ttl, Some(60));
    }

    #[test]
    fn mx_records_come_sorted_by_preference() {
        let q = build_query("example.com", RecordType::Mx, 2).unwrap();
        let r = reply(&q, Rcode::NOERROR, |b| {
            let ttl = Ttl::from_secs(3600);
            b.push((
                name("example.com"),
                ttl,
                Mx::new(20, name("MX2.Example.com")),
            ))
            .unwrap();
            b.push((
                name("example.com"),
                ttl,
                Mx::new(10, name("mx1.example.com")),
            ))
            .unwrap();
        });
        let a = parse_response(&r, "example.com", RecordType::Mx, 2);
        let hosts: Vec<_> =
            a.mx.iter()
                .map(|m| (m.preference, m.host.as_str()))
                .collect();
        assert_eq!(hosts, [(10, "mx1.example.com"), (20, "mx2.example.com")]);
    }

    #[test]
    fn absence_and_failure_are_told_apart() {
        let q = build_query("example.com", RecordType::A, 3).unwrap();
        let nx = reply(&q, Rcode::NXDOMAIN, |_| {});
        assert_eq!(
            parse_response(&nx, "example.com", RecordType::A, 3).outcome,
            DnsOutcome::NxDomain
        );
        let empty = reply(&q, Rcode::NOERROR, |_| {});
        assert_eq!(
            parse_response(&empty, "example.com", RecordType::A, 3).outcome,
            DnsOutcome::NoData
        );
        let fail = reply(&q, Rcode::SERVFAIL, |_| {});
        assert_eq!(
            parse_response(&fail, "example.com", RecordType::A, 3).outcome,
            DnsOutcome::ServFail
        );
        let refused = reply(&q, Rcode::REFUSED, |_| {});
        assert_eq!(
            parse_response(&refused, "example.com", RecordType::A, 3).outcome,
            DnsOutcome::Refused
        );
        let ok = reply(&q, Rcode::NOERROR, |b| {
            b.push((
                name("example.com"),
                Ttl::from_secs(5),
                A::from_octets(192, 0, 2, 1),
            ))
            .unwrap();
        });
        let a = parse_response(&ok, "example.com", RecordType::A, 3);
        assert_eq!(a.addresses, ["192.0.2.1".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn mismatched_or_garbage_replies_are_errors() {
        let q = build_query("example.com", RecordType::A, 4).unwrap();
        let r = reply(&q, Rcode::NOERROR, |_| {});
        assert!(matches!(
            parse_response(&r, "example.com", RecordType::A, 5).outcome,
            DnsOutcome::Error(_)
        ));
        assert!(matches!(
            parse_response(&r, "example.org", RecordType::A, 4).outcome,
            DnsOutcome::Error(_)
        ));
        assert!(matches!(
            parse_response(b"\x00\x01", "example.com", RecordType::A, 4).outcome,
            DnsOutcome::Error(_)
        ));
        assert!(
            matches!(
                parse_response(&q, "example.com", RecordType::A, 4).outcome,
                DnsOutcome::Error(_)
            ),
            "a query is not a reply"
        );
    }

    #[test]
    fn cname_loops_end() {
        let q = build_query("a.test", RecordType::Txt, 6).unwrap();
        let r = reply(&q, Rcode::NOERROR, |b| {
            let ttl = Ttl::from_secs(5);
            b.push((name("a.test"), ttl, Cname::new(name("b.test"))))
                .unwrap();
            b.push((name("b.test"), ttl, Cname::new(name("a.test"))))
                .unwrap();
        });
        let a = parse_response(&r, "a.test", RecordType::Txt, 6);
        assert_eq!(a.outcome, DnsOutcome::NoData);
        assert_eq!(a.cname, ["b.test"]);
    }
}
