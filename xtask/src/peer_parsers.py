# Times the parsers of checkdmarc and postfix-mta-sts-resolver on the inputs of
# core/benches/parse.rs; prints one JSON object of median nanoseconds per call.
import json
import timeit

POLICY = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n"
RECORD = "v=STSv1; id=20240101T000000"


def median_ns(fn, repeat=7):
    timer = timeit.Timer(fn)
    loops, _ = timer.autorange()
    runs = sorted(timer.repeat(repeat=repeat, number=loops))
    return runs[len(runs) // 2] / loops * 1e9


out = {}
from checkdmarc import mta_sts as cd  # noqa: E402

out["checkdmarc"] = {
    "policy": median_ns(lambda: cd.parse_mta_sts_policy(POLICY)),
    "sts_record": median_ns(lambda: cd.parse_mta_sts_record(RECORD)),
    "mx_match": median_ns(lambda: cd.mx_in_mta_sts_patterns("mail.example.net", ["mx1.example.com", "*.example.net"])),
}
from postfix_mta_sts_resolver import utils as pm  # noqa: E402

out["postfix-mta-sts-resolver"] = {
    "policy": median_ns(lambda: pm.parse_mta_sts_policy(POLICY)),
    "sts_record": median_ns(lambda: pm.parse_mta_sts_record(RECORD)),
}
print(json.dumps(out))
