#!/usr/bin/env python3
"""A local stand-in for AWS, for cicada's tests (127.0.0.1 only):

- a SageMaker runtime (POST /endpoints/NAME/invocations, and any other path)
  that checks every request's SigV4 signature with botocore's SigV4Auth, from
  the headers the client says it signed, and answers 403 with
  x-amzn-ErrorType: InvalidSignatureException when it does not match
  (ExpiredTokenException when signed, by its X-Amz-Date, at or after the
  expiry of the credentials it was signed with);
- a container credentials endpoint (GET /creds) and an EC2 instance metadata
  service (IMDSv2: PUT /latest/api/token, then GET
  /latest/meta-data/iam/security-credentials/[ROLE]) that hand out fresh
  credentials, each expiring LIFETIME seconds after it was issued;
- with --mix, answers to correctly signed calls cycle through a fixed list
  of outcomes (429 ThrottlingException, 424 ModelError, 503, 200 ...).

GET /_counts returns what it saw as JSON: requests, valid, invalid, expired,
by_outcome, by_key, creds_issued. It prints its port on stdout first.
"""
import argparse
import calendar
import hmac
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LOCK = threading.Lock()
KEYS = {}      # key id -> (secret, token, expires unix time or None)
COUNTS = {"requests": 0, "valid": 0, "invalid": 0, "expired": 0, "by_outcome": {},
          "by_key": {}, "creds_issued": 0, "bodies": 0, "bad_token_header": 0}
IMDS_TOKEN = "imds-token-" + secrets.token_hex(8)
ARGS = None
SEQ = [0]

MIX = [  # (status, error type or None, body)
    (429, "ThrottlingException", {"message": "Rate exceeded"}),
    (200, None, {"ok": True}),
    (424, "ModelError", {"ErrorCode": "CLIENT_ERROR_FROM_MODEL", "OriginalStatusCode": 500,
                         "OriginalMessage": "boom", "Message": "Received server error (500)"}),
    (200, None, {"ok": True}),
    (503, "ServiceUnavailable", {"message": "Service unavailable"}),
    (200, None, {"ok": True}),
    (429, "ThrottlingException", {"message": "Rate exceeded"}),
    (200, None, {"ok": True}),
    (424, "ModelError", {"ErrorCode": "CLIENT_ERROR_FROM_MODEL", "OriginalStatusCode": 500,
                         "OriginalMessage": "boom", "Message": "Received server error (500)"}),
    (200, None, {"ok": True}),
]


def issue():
    """New temporary credentials, as the container endpoint and IMDS give them."""
    with LOCK:
        COUNTS["creds_issued"] += 1
        n = COUNTS["creds_issued"]
    key = "ASIASTANDIN%05d" % n
    secret = secrets.token_urlsafe(30)
    token = "tok" + secrets.token_urlsafe(60)
    expires = time.time() + ARGS.lifetime
    with LOCK:
        KEYS[key] = (secret, token, expires)
    return {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key, "SecretAccessKey": secret,
            "Token": token,
            "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(expires))),
            "LastUpdated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def parse_auth(value):
    if not value or not value.startswith("AWS4-HMAC-SHA256 "):
        return None
    parts = {}
    for item in value[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = item.strip().partition("=")
        parts[k] = v
    try:
        key, date, region, service, term = parts["Credential"].split("/")
        return key, date, region, service, parts["SignedHeaders"].split(";"), parts["Signature"]
    except (KeyError, ValueError):
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, error_type=None, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if error_type:
            self.send_header("x-amzn-ErrorType",
                             error_type + ":http://internal.amazon.com/coral/com.amazonaws.sagemaker/")
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_PUT(self):
        body = self.body()
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.reply(400, b"missing ttl", content_type="text/plain")
            return self.reply(200, IMDS_TOKEN.encode(), content_type="text/plain")
        return self.invoke("PUT", body)

    def do_GET(self):
        if self.path == "/_counts":
            with LOCK:
                return self.reply(200, COUNTS)
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.reply(401, b"", content_type="text/plain")
            role = self.path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.reply(200, b"standin-role\n", content_type="text/plain")
            if role != "standin-role":
                return self.reply(404, b"", content_type="text/plain")
            return self.reply(200, issue())
        if self.path == "/creds":
            if ARGS.container_token and self.headers.get("Authorization") != ARGS.container_token:
                return self.reply(401, {"message": "bad authorization token"})
            return self.reply(200, issue())
        return self.invoke("GET", b"")

    def do_POST(self):
        return self.invoke("POST", self.body())

    def invoke(self, method, body):
        with LOCK:
            COUNTS["requests"] += 1
            if body:
                COUNTS["bodies"] += 1
        auth = parse_auth(self.headers.get("Authorization"))
        ok, why = False, "InvalidSignatureException"
        if auth is not None:
            key, date, region, service, signed, signature = auth
            with LOCK:
                known = KEYS.get(key)
            sent_token = self.headers.get("X-Amz-Security-Token")
            if known is None:
                why = "UnrecognizedClientException"
            elif known[1] is not None and sent_token != known[1]:
                why = "InvalidSignatureException"
                with LOCK:
                    COUNTS["bad_token_header"] += 1
            elif known[1] is not None and "x-amz-security-token" not in signed:
                why = "InvalidSignatureException"
            else:
                req = AWSRequest(method=method, url="http://" + self.headers.get("Host", "") + self.path,
                                 data=body)
                for h in signed:
                    for v in self.headers.get_all(h) or []:
                        req.headers[h] = v
                req.context["timestamp"] = self.headers.get("X-Amz-Date", "")
                sig = SigV4Auth(Credentials(key, known[0], known[1]), service, region)
                try:
                    canonical = sig.canonical_request(req)
                    expect = sig.signature(sig.string_to_sign(req, canonical), req)
                except Exception:  # a malformed request cannot match
                    expect = ""
                if (hmac.compare_digest(expect, signature) and
                        region == ARGS.region and service == ARGS.service and
                        date == req.context["timestamp"][:8]):
                    # signed at (X-Amz-Date) or after the expiry the client was given
                    signed_at = calendar.timegm(time.strptime(req.context["timestamp"],
                                                              "%Y%m%dT%H%M%SZ"))
                    if known[2] is not None and signed_at >= int(known[2]):
                        why = "ExpiredTokenException"
                        with LOCK:
                            COUNTS["expired"] += 1
                    else:
                        ok = True
                with LOCK:
                    COUNTS["by_key"][key] = COUNTS["by_key"].get(key, 0) + 1
        if not ok:
            with LOCK:
                if why != "ExpiredTokenException":
                    COUNTS["invalid"] += 1
                COUNTS["by_outcome"]["403 " + why] = COUNTS["by_outcome"].get("403 " + why, 0) + 1
            return self.reply(403, {"__type": why, "message": "The request signature we "
                                    "calculated does not match the signature you provided."},
                              error_type=why)
        with LOCK:
            COUNTS["valid"] += 1
            i = SEQ[0]
            SEQ[0] += 1
        status, etype, payload = MIX[i % len(MIX)] if ARGS.mix else (200, None, {"ok": True})
        label = "%d %s" % (status, etype or "OK")
        with LOCK:
            COUNTS["by_outcome"][label] = COUNTS["by_outcome"].get(label, 0) + 1
        return self.reply(status, payload, error_type=etype)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--key", action="append", default=[],
                   help="KEYID:SECRET[:TOKEN] accepted without expiry")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--service", default="sagemaker")
    p.add_argument("--lifetime", type=float, default=3600)
    p.add_argument("--container-token", default="")
    p.add_argument("--mix", action="store_true")
    ARGS = p.parse_args()
    for k in ARGS.key:
        parts = k.split(":", 2)
        KEYS[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None, None)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
