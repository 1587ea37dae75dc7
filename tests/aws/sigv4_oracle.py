#!/usr/bin/env python3
"""The truth for cicada's SigV4 signer: botocore's SigV4Auth (Debian's
python3-botocore) signs a matrix of requests at a fixed time and writes one
JSON line per request with its inputs and botocore's Authorization header.
tests/aws/sigv4_check (C, linking cicada's signer) reads the lines, signs
the same inputs and compares byte for byte."""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ=="

HOSTS = ["runtime.sagemaker.us-east-1.amazonaws.com", "abc123.execute-api.eu-west-1.amazonaws.com",
         "127.0.0.1:8123"]

PATHS = ["/", "", "/endpoints/my-endpoint/invocations", "/a b/c", "/with%20percent",
         "/%41%7E", "/tilde~x", "/caf\u00e9/\u65e5\u672c", "//double///slashes//", "/a/./b/../c",
         "/dots/..", "/x:y@z$&+,;=", "/end/", "/endpoints/ep:1/invocations",
         "/2015-03-31/functions/f/invocations"]

QUERIES = [None, "", "b=2&a=1", "a=2&a=1&a=10", "flag&x=1&empty=", "Z=1&a=1&_=2&-=3",
           "k=v%20w&k2=%2F~&k3=%E2%98%83", "a=1&b", "x-id=%E6%97%A5"]

BODIES = [b"", b'{"inputs": "hello"}', "{\"text\": \"caf\u00e9 \u2603\"}".encode(),
          bytes(range(256)), b"a" * 70000]

HEADERS = [
    [],
    [("Content-Type", "application/json"), ("Accept", "application/json")],
    [("Content-Type", "application/json"), ("X-Amzn-SageMaker-Custom-Attributes", "a  b   c"),
     ("X-Amzn-SageMaker-Target-Model", "  model.tar.gz  ")],
    [("X-Meta-A", "1"), ("x-meta-a-b", "2"), ("X-Meta-A", "3"), ("User-Agent", "cicada/x"),
     ("Expect", "100-continue")],
    [("Accept", "*/*"), ("X-Tabs", "a\t\tb  c")],
]

METHODS = ["GET", "POST", "PUT"]


def sign(c):
    creds = Credentials(c["key"], c["secret"], c["token"])
    auth = SigV4Auth(creds, c["service"], c["region"])
    url = "https://" + c["host"] + c["path"]
    if c["query"] is not None:
        url += "?" + c["query"]
    req = AWSRequest(method=c["method"], url=url, data=bytes.fromhex(c["body"]))
    for name, value in c["headers"]:
        req.headers[name] = value
    req.context["timestamp"] = c["time"]
    auth._modify_request_before_signing(req)
    canonical = auth.canonical_request(req)
    sts = auth.string_to_sign(req, canonical)
    auth._inject_signature_to_request(req, auth.signature(sts, req))
    sent = [("Host", c["host"])] + [(k, v) for k, v in req.headers.items() if k != "Authorization"]
    return req.headers["Authorization"], canonical, sent


def cases():
    n = 0
    for i, path in enumerate(PATHS):
        for j, query in enumerate(QUERIES):
            method = METHODS[(i + j) % 3]
            body = BODIES[(i * 3 + j) % len(BODIES)] if method != "GET" else b""
            yield {
                "method": method, "host": HOSTS[n % len(HOSTS)], "path": path, "query": query,
                "headers": HEADERS[(i + 2 * j) % len(HEADERS)], "body": body.hex(),
                "time": ["20261202T081500Z", "20240229T235959Z"][n % 2],
                "region": ["us-east-1", "eu-west-1", "ap-southeast-2"][n % 3],
                "service": ["sagemaker", "execute-api", "lambda"][(n // 3) % 3],
                "key": KEY, "secret": SECRET, "token": TOKEN if n % 2 else None,
            }
            n += 1


def main():
    out = open(sys.argv[1], "w") if len(sys.argv) > 1 else sys.stdout
    for c in cases():
        auth, canonical, sent = sign(c)
        c["headers"] = sent
        c["expect"] = auth
        c["canonical"] = canonical
        out.write(json.dumps(c) + "\n")


if __name__ == "__main__":
    main()
