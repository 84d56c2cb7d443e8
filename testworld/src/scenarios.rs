//! The world's domains, each a small story about one way MTA-STS works or breaks, with the
//! report `mtasts check` must produce for it written beside it.

use crate::ca::Leaf;
use crate::https::PolicyResponse;

/// How an MX host's SMTP server behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxSpec {
    Good,
    Cert(Leaf),
    NoStarttls,
    Silent,
    /// Good, after this many milliseconds of silence before the greeting.
    Delay(u64),
    /// Nothing listens: a connection is refused (RST), as by a closed port.
    Refuse,
    /// A listener whose accept queue is kept full, so a connection attempt gets no answer
    /// at all (as behind a filter that drops port 25).
    Blackhole,
    Hostile(crate::smtp::Hostile),
}

/// A TLSA record published for an MX host, relative to the certificate it presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsaSpec {
    /// 3 1 1 of the key the server uses.
    CurrentKey,
    /// 3 1 1 of a key the server no longer uses (renewed with a new key).
    OldKey,
    /// 3 1 1 of a key for the next renewal.
    NextKey,
    /// 2 0 1 of the intermediate CA's certificate.
    Intermediate,
    /// 1 1 1 of the key the server uses: PKIX-EE, unusable for SMTP.
    PkixEe,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub domain: String,
    pub about: &'static str,
    /// TXT records at `_mta-sts.<domain>`.
    pub sts: Vec<String>,
    /// `_mta-sts` as a CNAME to this name, which holds the `sts` records instead.
    pub sts_cname: Option<String>,
    pub tlsrpt: Vec<String>,
    /// The policy host's certificate and answer; `None`: `mta-sts.<domain>` does not exist.
    pub policy: Option<(Leaf, PolicyResponse)>,
    pub mx: Vec<(String, MxSpec)>,
    /// Names whose look-up fails with SERVFAIL.
    pub servfail: Vec<String>,
    /// Every MX name resolves to the first MX host's address (one server behind many
    /// names, as a wildcard zone makes).
    pub shared_mx_address: bool,
    /// The domain's zone is DNSSEC-signed.
    pub signed: bool,
    /// Names in the signed zone whose signatures do not validate.
    pub bogus: Vec<String>,
    /// TLSA records at `_25._tcp.<host>`, by MX host.
    pub tlsa: Vec<(String, Vec<TlsaSpec>)>,
    pub expect: Expect,
}

/// The fields of the report a test asserts.
#[derive(Debug, Clone)]
pub struct Expect {
    pub verdict: &'static str,
    pub txt: &'static str,
    pub fetch: &'static str,
    pub policy_valid: bool,
    pub tlsrpt: &'static str,
    /// Per MX host: TLS status, matched, sender, TLS-RPT result type.
    pub mx: Vec<ExpectMx>,
    /// Finding codes the report must contain.
    pub codes: Vec<&'static str>,
    /// Words the verdict summary must contain.
    pub summary: Vec<&'static str>,
    /// The outcomes of lookup, retrieval, validation and TLS, when the scenario pins them.
    pub steps: Option<[&'static str; 4]>,
}

#[derive(Debug, Clone)]
pub struct ExpectMx {
    pub host: String,
    pub tls: &'static str,
    pub matched: bool,
    pub sender: &'static str,
    pub tlsrpt_result: Option<&'static str>,
    /// `mx[].dane.status`, when the scenario pins it ("null": not judged).
    pub dane: Option<&'static str>,
}

fn policy(mode: &str, mx: &[&str]) -> String {
    let mut p = format!("version: STSv1\nmode: {mode}\n");
    for m in mx {
        p.push_str(&format!("mx: {m}\n"));
    }
    p.push_str("max_age: 2592000\n");
    p
}

/// A scenario with sensible defaults: a valid TXT and TLS-RPT record, an enforce policy
/// naming `mx1.<domain>`, and that one good MX.
fn base(name: &str, about: &'static str) -> Spec {
    let domain = format!("{name}.test");
    let mx1 = format!("mx1.{domain}");
    Spec {
        sts: vec!["v=STSv1; id=20240101T000000".into()],
        sts_cname: None,
        tlsrpt: vec![format!("v=TLSRPTv1; rua=mailto:tls-reports@{domain}")],
        policy: Some((
            Leaf::Good,
            PolicyResponse::text(&policy("enforce", &[&mx1])),
        )),
        mx: vec![(mx1.clone(), MxSpec::Good)],
        servfail: vec![],
        shared_mx_address: false,
        signed: false,
        bogus: vec![],
        tlsa: vec![],
        expect: Expect {
            verdict: "pass",
            txt: "valid",
            fetch: "ok",
            policy_valid: true,
            tlsrpt: "valid",
            mx: vec![ok_mx(&mx1)],
            codes: vec![],
            summary: vec![],
            steps: None,
        },
        domain,
        about,
    }
}

fn ok_mx(host: &str) -> ExpectMx {
    ExpectMx {
        host: host.into(),
        tls: "ok",
        matched: true,
        sender: "deliver",
        tlsrpt_result: None,
        dane: None,
    }
}

fn mx(
    host: &str,
    tls: &'static str,
    matched: bool,
    sender: &'static str,
    result: Option<&'static str>,
) -> ExpectMx {
    ExpectMx {
        host: host.into(),
        tls,
        matched,
        sender,
        tlsrpt_result: result,
        dane: None,
    }
}

/// 25 tarpit MX hosts (each step answered after 900 ms) and 25 flooding ones (every reply
/// as long as a probe reads), for the companion's hostile-client tests and benchmark. Both
/// end in timeouts of the TLS handshake: inconclusive, as no host was reached.
fn hostile_fleets() -> Vec<Spec> {
    let mut out = Vec::new();
    for (name, how, about) in [
        (
            "tarpit",
            crate::smtp::Hostile::Tarpit(900),
            "25 tarpit MX hosts that answer each step just in time",
        ),
        (
            "flood",
            crate::smtp::Hostile::Flood,
            "25 MX hosts whose replies are 100 lines of 2000 control bytes",
        ),
    ] {
        let mut s = base(name, about);
        let domain = s.domain.clone();
        s.policy = Some((
            Leaf::Good,
            PolicyResponse::text(&policy("enforce", &[&format!("*.{domain}")])),
        ));
        s.mx = (1..=25)
            .map(|i| (format!("mx{i}.{domain}"), MxSpec::Hostile(how)))
            .collect();
        s.expect.verdict = "inconclusive";
        s.expect.mx = (1..=25)
            .map(|i| mx(&format!("mx{i}.{domain}"), "timeout", true, "null", None))
            .collect();
        s.expect.codes = vec!["check.mx.unreachable"];
        out.push(s);
    }
    out
}

/// Domains for the companion's hostile-client tests (not checked one by one).
pub fn hostile_clients() -> Vec<Spec> {
    let mut out = Vec::new();
    let mut s = base("good", "one good MX host");
    s.mx.push(("mx2.good.test".into(), MxSpec::Good));
    out.push(s);
    let mut s = base("counted", "one good MX host whose connections are counted");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["mx1.counted.test"])),
    ));
    out.push(s);
    out.extend(hostile_fleets());
    let mut s = base("fanout", "25 MX names for one server address");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.fanout.test"])),
    ));
    s.mx = (1..=25)
        .map(|i| (format!("mx{i}.fanout.test"), MxSpec::Good))
        .collect();
    s.shared_mx_address = true;
    out.push(s);
    out
}

pub fn all() -> Vec<Spec> {
    let mut out = Vec::new();

    let mut s = base("good", "enforce, two good MX hosts, TLS-RPT");
    let mx2 = "mx2.good.test".to_string();
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["mx1.good.test", &mx2])),
    ));
    s.mx.push((mx2.clone(), MxSpec::Good));
    s.expect.mx.push(ok_mx(&mx2));
    s.expect.summary = vec!["enforced", "all 2 MX hosts"];
    s.expect.steps = Some(["ok", "ok", "ok", "ok"]);
    out.push(s);

    let mut s = base("testing", "mode testing with TLS-RPT");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("testing", &["mx1.testing.test"])),
    ));
    s.expect.verdict = "warn";
    s.expect.codes = vec!["policy.mode.testing"];
    out.push(s);

    let mut s = base("none-mode", "mode none without mx lines (valid)");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text("version: STSv1\nmode: none\nmax_age: 86400\n"),
    ));
    s.expect.verdict = "warn";
    s.expect.mx = vec![mx(
        "mx1.none-mode.test",
        "ok",
        false,
        "deliver-unverified",
        None,
    )];
    s.expect.codes = vec!["policy.mode.none"];
    out.push(s);

    let mut s = base("no-txt", "no MTA-STS at all");
    s.sts.clear();
    s.tlsrpt.clear();
    s.policy = None;
    s.expect = Expect {
        verdict: "none",
        txt: "none",
        fetch: "dns-nxdomain",
        policy_valid: false,
        tlsrpt: "none",
        mx: vec![mx(
            "mx1.no-txt.test",
            "ok",
            false,
            "deliver-unverified",
            None,
        )],
        codes: vec!["txt.absent", "tlsrpt.absent"],
        summary: vec!["not deployed"],
        steps: Some(["warn", "skipped", "skipped", "ok"]),
    };
    out.push(s);

    let mut s = base("two-records", "two v=STSv1 records");
    s.sts.push("v=STSv1; id=20240202T000000".into());
    s.expect.verdict = "fail";
    s.expect.txt = "invalid";
    s.expect.mx = vec![mx(
        "mx1.two-records.test",
        "ok",
        true,
        "deliver-unverified",
        None,
    )];
    s.expect.codes = vec!["txt.multiple"];
    out.push(s);

    let mut s = base("bad-id", "an id with dashes");
    s.sts = vec!["v=STSv1; id=2024-01-01".into()];
    s.expect.verdict = "fail";
    s.expect.txt = "invalid";
    s.expect.mx = vec![mx(
        "mx1.bad-id.test",
        "ok",
        true,
        "deliver-unverified",
        None,
    )];
    s.expect.codes = vec!["txt.id.bad"];
    out.push(s);

    let mut s = base("cname-txt", "_mta-sts is a CNAME to a provider's name");
    s.sts_cname = Some("sts.provider.test".into());
    s.expect.codes = vec!["txt.cname"];
    out.push(s);

    let mut s = base("policy-404", "the policy URL answers 404");
    s.policy = Some((Leaf::Good, PolicyResponse::Status(404)));
    s.expect.verdict = "fail";
    s.expect.fetch = "http-status";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.policy-404.test",
        "ok",
        false,
        "deliver-unverified",
        Some("sts-policy-fetch-error"),
    )];
    s.expect.codes = vec!["policy.fetch.status"];
    s.expect.summary = vec![
        "with no cached policy deliver without MTA-STS protection",
        "senders that cached an earlier policy keep enforcing it",
    ];
    s.expect.steps = Some(["ok", "fail", "skipped", "ok"]);
    out.push(s);

    let mut s = base("policy-redirect", "the policy URL redirects");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::Redirect("https://www.policy-redirect.test/mta-sts.txt".into()),
    ));
    s.expect.verdict = "fail";
    s.expect.fetch = "redirect";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.policy-redirect.test",
        "ok",
        false,
        "deliver-unverified",
        Some("sts-policy-fetch-error"),
    )];
    s.expect.codes = vec!["policy.fetch.redirect"];
    out.push(s);

    let mut s = base("wrong-ctype", "the policy is served as text/html");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::Ok {
            body: policy("enforce", &["mx1.wrong-ctype.test"]),
            content_type: "text/html; charset=utf-8".into(),
        },
    ));
    s.expect.verdict = "fail";
    s.expect.fetch = "content-type";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.wrong-ctype.test",
        "ok",
        true,
        "deliver-unverified",
        Some("sts-policy-fetch-error"),
    )];
    s.expect.codes = vec!["policy.content_type"];
    out.push(s);

    let mut s = base("too-large", "a policy body over 64 KiB");
    s.policy = Some((Leaf::Good, PolicyResponse::Huge(200_000)));
    s.expect.verdict = "fail";
    s.expect.fetch = "too-large";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.too-large.test",
        "ok",
        false,
        "deliver-unverified",
        Some("sts-policy-fetch-error"),
    )];
    s.expect.codes = vec!["policy.fetch.too_large"];
    out.push(s);

    let mut s = base(
        "policy-wrong-cert",
        "the policy host's certificate names another host",
    );
    s.policy = Some((
        Leaf::WrongName(vec!["www.other.test".into()]),
        PolicyResponse::text(&policy("enforce", &["mx1.policy-wrong-cert.test"])),
    ));
    s.expect.verdict = "fail";
    s.expect.fetch = "certificate-host-mismatch";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.policy-wrong-cert.test",
        "ok",
        false,
        "deliver-unverified",
        Some("sts-webpki-invalid"),
    )];
    s.expect.codes = vec!["policy.tls.name_mismatch"];
    out.push(s);

    let mut s = base("policy-syntax", "a policy line without a colon");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(
            "version: STSv1\nmode: enforce\nmx mx1.policy-syntax.test\nmax_age: 86400\n",
        ),
    ));
    s.expect.verdict = "fail";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.policy-syntax.test",
        "ok",
        false,
        "deliver-unverified",
        Some("sts-policy-invalid"),
    )];
    s.expect.codes = vec!["policy.syntax.no_colon", "policy.mx.missing"];
    out.push(s);

    let mut s = base("mx-mismatch", "a second MX the policy does not name");
    s.mx.push(("mx2.mx-mismatch.test".into(), MxSpec::Good));
    s.expect.verdict = "fail";
    s.expect.mx.push(mx(
        "mx2.mx-mismatch.test",
        "ok",
        false,
        "refuse",
        Some("validation-failure"),
    ));
    s.expect.codes = vec!["mx.pattern.no_match"];
    out.push(s);

    let mut s = base(
        "wildcard",
        "*.wildcard.test covers a.wildcard.test, not b.deep.wildcard.test",
    );
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.wildcard.test"])),
    ));
    s.mx = vec![
        ("a.wildcard.test".into(), MxSpec::Good),
        ("b.deep.wildcard.test".into(), MxSpec::Good),
    ];
    s.expect.verdict = "fail";
    s.expect.mx = vec![
        ok_mx("a.wildcard.test"),
        mx(
            "b.deep.wildcard.test",
            "ok",
            false,
            "refuse",
            Some("validation-failure"),
        ),
    ];
    s.expect.codes = vec!["mx.pattern.no_match", "policy.mx.wildcard"];
    out.push(s);

    for (name, leaf, tls, result, code) in [
        (
            "mx-expired",
            Leaf::Expired,
            "certificate-expired",
            "certificate-expired",
            "mx.cert.expired",
        ),
        (
            "mx-selfsigned",
            Leaf::SelfSigned,
            "certificate-not-trusted",
            "certificate-not-trusted",
            "mx.cert.untrusted",
        ),
        (
            "mx-wrongname",
            Leaf::WrongName(vec!["mail.elsewhere.test".into()]),
            "certificate-host-mismatch",
            "certificate-host-mismatch",
            "mx.cert.name_mismatch",
        ),
        (
            "mx-chain",
            Leaf::ChainIncomplete,
            "certificate-chain-incomplete",
            "certificate-not-trusted",
            "mx.cert.chain_incomplete",
        ),
    ] {
        let mut s = base(name, "the only MX has a bad certificate");
        let host = format!("mx1.{name}.test");
        s.mx = vec![(host.clone(), MxSpec::Cert(leaf))];
        s.expect.verdict = "fail";
        s.expect.mx = vec![mx(&host, tls, true, "refuse", Some(result))];
        s.expect.codes = vec![code, "domain.enforce.all_mx_fail"];
        out.push(s);
    }

    let mut s = base("no-starttls", "the MX does not offer STARTTLS");
    s.mx = vec![("mx1.no-starttls.test".into(), MxSpec::NoStarttls)];
    s.expect.verdict = "fail";
    s.expect.mx = vec![mx(
        "mx1.no-starttls.test",
        "starttls-not-supported",
        true,
        "refuse",
        Some("starttls-not-supported"),
    )];
    s.expect.codes = vec!["mx.starttls.missing"];
    out.push(s);

    let mut s = base("silent-mx", "a backup MX that never answers");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy(
            "enforce",
            &["mx1.silent-mx.test", "mx2.silent-mx.test"],
        )),
    ));
    s.mx.push(("mx2.silent-mx.test".into(), MxSpec::Silent));
    s.expect.verdict = "warn";
    s.expect
        .mx
        .push(mx("mx2.silent-mx.test", "timeout", true, "null", None));
    s.expect.codes = vec!["mx.unreachable"];
    out.push(s);

    let mut s = base(
        "several-mx",
        "three MX hosts, the second with a wrong-name certificate",
    );
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.several-mx.test"])),
    ));
    s.mx = vec![
        ("mx1.several-mx.test".into(), MxSpec::Good),
        (
            "mx2.several-mx.test".into(),
            MxSpec::Cert(Leaf::WrongName(vec!["mx9.several-mx.test".into()])),
        ),
        ("mx3.several-mx.test".into(), MxSpec::Good),
    ];
    s.expect.verdict = "fail";
    s.expect.mx = vec![
        ok_mx("mx1.several-mx.test"),
        mx(
            "mx2.several-mx.test",
            "certificate-host-mismatch",
            true,
            "refuse",
            Some("certificate-host-mismatch"),
        ),
        ok_mx("mx3.several-mx.test"),
    ];
    s.expect.codes = vec!["mx.cert.name_mismatch"];
    out.push(s);

    let mut s = base("tlsrpt-invalid", "a TLS-RPT record without a URI scheme");
    s.tlsrpt = vec!["v=TLSRPTv1; rua=tls-reports@tlsrpt-invalid.test".into()];
    // Reporting only (RFC 8460 §3): delivery does not depend on it.
    s.expect.verdict = "warn";
    s.expect.summary = vec!["TLS-RPT is broken"];
    s.expect.steps = Some(["warn", "ok", "ok", "ok"]);
    s.expect.tlsrpt = "invalid";
    s.expect.codes = vec!["tlsrpt.rua.bad_uri"];
    out.push(s);

    let mut s = base("tlsrpt-absent", "enforce without TLS-RPT");
    s.tlsrpt.clear();
    s.expect.tlsrpt = "none";
    s.expect.codes = vec!["tlsrpt.absent"];
    out.push(s);

    let mut s = base(
        "tolerated",
        "a blank line in the policy: lenient senders accept it, strict ones do not",
    );
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(
            "version: STSv1\nmode: enforce\n\nmx: mx1.tolerated.test\nmax_age: 2592000\n",
        ),
    ));
    s.expect.verdict = "warn";
    s.expect.policy_valid = false;
    s.expect.codes = vec!["policy.syntax.blank_line", "policy.tolerated_only"];
    out.push(s);

    let mut s = base("txt-servfail", "the _mta-sts look-up fails with SERVFAIL");
    s.servfail = vec!["_mta-sts.txt-servfail.test".into()];
    s.expect.verdict = "fail";
    s.expect.txt = "error";
    s.expect.mx = vec![mx(
        "mx1.txt-servfail.test",
        "ok",
        true,
        "deliver-unverified",
        None,
    )];
    s.expect.codes = vec!["txt.lookup.failed"];
    out.push(s);

    use crate::smtp::Hostile;
    // A lone MX that times out may be this network's doing (inconclusive); one that breaks
    // the SMTP exchange takes no mail at all (fail); a broken handshake is a refusal under
    // enforce.
    let timed_out = ("null", "inconclusive", "check.mx.unreachable", None);
    let unreachable = ("null", "fail", "domain.mx.none_accepts", None);
    let broken = (
        "refuse",
        "fail",
        "domain.enforce.all_mx_fail",
        Some("validation-failure"),
    );
    for (name, how, tls, (sender, verdict, code, result)) in [
        ("hostile-drip", Hostile::DripBanner, "timeout", timed_out),
        (
            "hostile-endless",
            Hostile::EndlessBanner,
            "smtp-error",
            unreachable,
        ),
        (
            "hostile-hugeline",
            Hostile::HugeLine,
            "smtp-error",
            unreachable,
        ),
        (
            "hostile-garbage",
            Hostile::GarbageTls,
            "tls-handshake-failed",
            broken,
        ),
        (
            "hostile-close",
            Hostile::CloseMidHandshake,
            "tls-handshake-failed",
            broken,
        ),
        (
            "hostile-silence",
            Hostile::StarttlsSilence,
            "timeout",
            timed_out,
        ),
    ] {
        let mut s = base(name, "a hostile MX that must not hang or flood the probe");
        let host = format!("mx1.{name}.test");
        s.mx = vec![(host.clone(), MxSpec::Hostile(how))];
        s.expect.verdict = verdict;
        s.expect.mx = vec![mx(&host, tls, true, sender, result)];
        s.expect.codes = vec![code];
        out.push(s);
    }
    for (name, response, fetch) in [
        (
            "hostile-bigpolicy",
            PolicyResponse::Huge(10 << 20),
            "too-large",
        ),
        (
            "hostile-slowpolicy",
            PolicyResponse::Drip(policy("enforce", &["mx1.hostile-slowpolicy.test"]), 300),
            "timeout",
        ),
        (
            "hostile-loop",
            PolicyResponse::Redirect(
                "https://mta-sts.hostile-loop.test/.well-known/mta-sts.txt".into(),
            ),
            "redirect",
        ),
    ] {
        let mut s = base(
            name,
            "a hostile policy host that must not hang or flood the fetch",
        );
        s.policy = Some((Leaf::Good, response));
        s.expect.verdict = "fail";
        s.expect.fetch = fetch;
        s.expect.policy_valid = false;
        s.expect.mx = vec![mx(
            &format!("mx1.{name}.test"),
            "ok",
            false,
            "deliver-unverified",
            Some("sts-policy-fetch-error"),
        )];
        out.push(s);
    }
    let mut s = base(
        "hostile-gzip",
        "a gzip bomb: 10 MiB of zeros sent compressed; it is never inflated",
    );
    s.policy = Some((Leaf::Good, PolicyResponse::GzipBomb));
    s.expect.verdict = "fail";
    s.expect.policy_valid = false;
    s.expect.mx = vec![mx(
        "mx1.hostile-gzip.test",
        "ok",
        false,
        "deliver-unverified",
        Some("sts-policy-invalid"),
    )];
    s.expect.codes = vec!["policy.syntax.encoding"];
    out.push(s);

    let mut s = base(
        "all-refuse",
        "enforce, and both MX hosts refuse connections on port 25 (RST)",
    );
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.all-refuse.test"])),
    ));
    s.mx = vec![
        ("mx1.all-refuse.test".into(), MxSpec::Refuse),
        ("mx2.all-refuse.test".into(), MxSpec::Refuse),
    ];
    s.expect.verdict = "fail";
    s.expect.mx = vec![
        mx("mx1.all-refuse.test", "connect-failed", true, "null", None),
        mx("mx2.all-refuse.test", "connect-failed", true, "null", None),
    ];
    s.expect.codes = vec!["domain.mx.none_accepts", "policy.mx.wildcard"];
    s.expect.summary = vec!["cannot be delivered at all"];
    s.expect.steps = Some(["ok", "ok", "ok", "fail"]);
    out.push(s);

    let mut s = base(
        "port25-filtered",
        "the only MX drops connection attempts, as a network that filters port 25 does",
    );
    s.mx = vec![("mx1.port25-filtered.test".into(), MxSpec::Blackhole)];
    s.expect.verdict = "inconclusive";
    s.expect.mx = vec![mx(
        "mx1.port25-filtered.test",
        "connect-timeout",
        true,
        "null",
        None,
    )];
    s.expect.codes = vec!["check.mx.unreachable"];
    s.expect.summary = vec!["port 25", "mtasts check"];
    s.expect.steps = Some(["ok", "ok", "ok", "inconclusive"]);
    out.push(s);

    let mut s = base(
        "backup-expired",
        "three MX hosts: the two preferred work, the backup has an expired certificate",
    );
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.backup-expired.test"])),
    ));
    s.mx = vec![
        ("mx1.backup-expired.test".into(), MxSpec::Good),
        ("mx2.backup-expired.test".into(), MxSpec::Good),
        (
            "mx3.backup-expired.test".into(),
            MxSpec::Cert(Leaf::Expired),
        ),
    ];
    s.expect.verdict = "fail";
    s.expect.mx = vec![
        ok_mx("mx1.backup-expired.test"),
        ok_mx("mx2.backup-expired.test"),
        mx(
            "mx3.backup-expired.test",
            "certificate-expired",
            true,
            "refuse",
            Some("certificate-expired"),
        ),
    ];
    s.expect.codes = vec!["mx.cert.expired"];
    s.expect.summary = vec![
        "delivered over verified TLS to mx1.backup-expired.test",
        "refuse mx3.backup-expired.test (expired certificate)",
    ];
    s.expect.steps = Some(["ok", "ok", "ok", "fail"]);
    out.push(s);

    let mut s = base(
        "padded-policy",
        "a valid policy after 10 KiB of padding lines (extension fields)",
    );
    let padding: String = (0..160)
        .map(|i| format!("padding{i}: {}\n", "x".repeat(60)))
        .collect();
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&format!(
            "{padding}{}",
            policy("enforce", &["mx1.padded-policy.test"])
        )),
    ));
    s.expect.codes = vec!["policy.extension.unknown"];
    out.push(s);

    let mut s = base(
        "primary-fails",
        "two MX hosts: the preferred one has a certificate for another name, the backup works",
    );
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.primary-fails.test"])),
    ));
    s.mx = vec![
        (
            "mx1.primary-fails.test".into(),
            MxSpec::Cert(Leaf::WrongName(vec!["other.primary-fails.test".into()])),
        ),
        ("mx2.primary-fails.test".into(), MxSpec::Good),
    ];
    s.expect.verdict = "fail";
    s.expect.mx = vec![
        mx(
            "mx1.primary-fails.test",
            "certificate-host-mismatch",
            true,
            "refuse",
            Some("certificate-host-mismatch"),
        ),
        ok_mx("mx2.primary-fails.test"),
    ];
    s.expect.codes = vec!["mx.cert.name_mismatch"];
    s.expect.summary = vec![
        "delivered over verified TLS to mx2.primary-fails.test",
        "never receives",
    ];
    out.push(s);

    out.extend(hostile_fleets());

    let mut s = base("load", "25 MX hosts that wait one second before their greeting (for the companion's load benchmark)");
    s.policy = Some((
        Leaf::Good,
        PolicyResponse::text(&policy("enforce", &["*.load.test"])),
    ));
    s.mx = (1..=25)
        .map(|i| (format!("mx{i}.load.test"), MxSpec::Delay(1000)))
        .collect();
    s.expect.mx = (1..=25)
        .map(|i| ok_mx(&format!("mx{i}.load.test")))
        .collect();
    s.expect.codes = vec!["policy.mx.wildcard"];
    out.push(s);

    for n in [1usize, 5, 10, 20] {
        let name = format!("delay-{n}mx");
        let mut s = base(
            Box::leak(name.clone().into_boxed_str()),
            "MX hosts that wait 500 ms before their greeting (for the concurrency benchmark)",
        );
        let domain = s.domain.clone();
        s.policy = Some((
            Leaf::Good,
            PolicyResponse::text(&policy("enforce", &[&format!("*.{domain}")])),
        ));
        s.mx = (1..=n)
            .map(|i| (format!("mx{i}.{domain}"), MxSpec::Delay(500)))
            .collect();
        s.expect.mx = (1..=n).map(|i| ok_mx(&format!("mx{i}.{domain}"))).collect();
        s.expect.codes = vec!["policy.mx.wildcard"];
        out.push(s);
    }
    out.extend(dane());
    out
}

/// A scenario whose zone is signed and whose MX host `mx1` publishes `records`.
fn dane_base(name: &str, about: &'static str, records: Vec<TlsaSpec>) -> Spec {
    let mut s = base(name, about);
    s.signed = true;
    s.tlsa = vec![(format!("mx1.{}", s.domain), records)];
    s
}

/// DANE (RFC 7672) beside MTA-STS: each scenario's zone is signed unless it says not, and
/// a validating resolver answers for it (AD, or SERVFAIL with EDE 6 for a broken signature).
pub fn dane() -> Vec<Spec> {
    let mut out = Vec::new();

    let mut s = dane_base(
        "dane-ok",
        "signed zone, TLSA 3 1 1 for the current and the next key",
        vec![TlsaSpec::CurrentKey, TlsaSpec::NextKey],
    );
    s.expect.mx[0].dane = Some("ok");
    s.expect.summary = vec!["DANE authenticates"];
    out.push(s);

    let mut s = dane_base(
        "dane-mismatch",
        "signed zone, TLSA 3 1 1 for the key used before the certificate was renewed",
        vec![TlsaSpec::OldKey],
    );
    s.expect.verdict = "fail";
    s.expect.mx[0].dane = Some("mismatch");
    s.expect.codes = vec!["mx.dane.mismatch", "domain.dane_sts.disagree"];
    s.expect.summary = vec!["DANE is broken"];
    out.push(s);

    let mut s = dane_base(
        "dane-ta",
        "signed zone, TLSA 2 0 1 on the intermediate CA",
        vec![TlsaSpec::Intermediate],
    );
    s.expect.verdict = "pass";
    s.expect.mx[0].dane = Some("ok");
    s.expect.codes = vec!["mx.dane.single_key"];
    out.push(s);

    let mut s = dane_base(
        "dane-unsigned",
        "TLSA 3 1 1 of an old key in an unsigned zone: senders ignore it",
        vec![TlsaSpec::OldKey],
    );
    s.signed = false;
    s.expect.mx[0].dane = Some("insecure");
    s.expect.codes = vec!["mx.dane.insecure"];
    out.push(s);

    let mut s = dane_base(
        "dane-bogus",
        "signed zone whose TLSA signature does not validate (SERVFAIL)",
        vec![TlsaSpec::CurrentKey, TlsaSpec::NextKey],
    );
    s.bogus = vec![format!("_25._tcp.mx1.{}", s.domain)];
    s.expect.verdict = "fail";
    s.expect.mx[0].dane = Some("bogus");
    s.expect.codes = vec!["mx.dane.bogus"];
    out.push(s);

    let mut s = dane_base(
        "dane-pkix",
        "signed zone, TLSA 1 1 1 (PKIX-EE, unusable for SMTP)",
        vec![TlsaSpec::PkixEe],
    );
    s.expect.verdict = "warn";
    s.expect.mx[0].dane = Some("unusable");
    s.expect.codes = vec!["mx.dane.pkix_usage", "mx.dane.unusable"];
    out.push(s);
    out
}
