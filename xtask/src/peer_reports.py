# Times parsedmarc's SMTP TLS report parser on the inputs of core/benches/reports.rs; prints
# one JSON object of median nanoseconds per call, and the totals it read (a cross-check).
import gzip
import json
import pathlib
import timeit

import parsedmarc

ROOT = pathlib.Path(__file__).resolve().parents[2]
RFC = (ROOT / "core/tests/reports/rfc8460-appendix-b.json").read_bytes()


def large(n):
    details = ",".join(
        '{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.%d","receiving-mx-hostname":"mx%d.example.com","failed-session-count":%d}'
        % (i % 250, i % 4, i)
        for i in range(n)
    )
    return (
        '{"organization-name":"Example","date-range":{"start-datetime":"2026-11-30T00:00:00Z","end-datetime":"2026-11-30T23:59:59Z"},"contact-info":"tls@example.net","report-id":"large","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: *.example.com","max_age: 604800"],"policy-domain":"example.com"},"summary":{"total-successful-session-count":100000,"total-failure-session-count":%d},"failure-details":[%s]}]}'
        % (n * (n - 1) // 2, details)
    ).encode()


def median_ns(fn, repeat=7):
    timer = timeit.Timer(fn)
    loops, _ = timer.autorange()
    runs = sorted(timer.repeat(repeat=repeat, number=loops))
    return runs[len(runs) // 2] / loops * 1e9


def from_json(data):
    return parsedmarc.parse_smtp_tls_report_json(data)


def from_gzip(data):
    # parsedmarc's own entry point for a report file: it detects gzip and inflates.
    return parsedmarc.parse_smtp_tls_report_json(parsedmarc.extract_report(data))


big = large(1000)
inputs = {
    "report_rfc_json": (from_json, RFC),
    "report_rfc_gzip": (from_gzip, gzip.compress(RFC)),
    "report_large_json": (from_json, big),
    "report_large_gzip": (from_gzip, gzip.compress(big)),
}
out = {"parsedmarc": {}, "read": {}}
for name, (fn, data) in inputs.items():
    report = fn(data)
    out["read"][name] = sum(p["failed_session_count"] for p in report["policies"])
    out["parsedmarc"][name] = median_ns(lambda: fn(data))
print(json.dumps(out))
