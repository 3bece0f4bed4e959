"""Schemathesis hooks for `npm run fuzz` and test/api/fuzz.test.ts: each operation's credentials.

Every operation but the public ones declares a security scheme: `bearerAuth` (a JWT; the run's
admin token, FUZZ_TOKEN) or, for the dialer's and the courier's webhooks, `standardWebhooks`: the
sender's Standard Webhooks signature (api/webhook-signatures.ts), which depends on the exact bytes
of the body, so it cannot be a fixed header. This one auth provider gives each request what its
operation declares, signing webhooks with the run's own secrets (FUZZ_DIALER_WEBHOOK_SECRET,
FUZZ_COURIER_WEBHOOK_SECRET), so the fuzzer reaches their validation and handlers. (One provider
for both: schemathesis drops a hook's provider when the config file names credentials.)
Schemathesis's own probes without credentials, or with wrong ones, are sent without them and must
be refused (401).
"""

import base64
import hashlib
import hmac
import json
import os
import time
import uuid

import schemathesis

TOKEN = os.environ.get("FUZZ_TOKEN")
SECRETS = {
    "/webhooks/dialer": os.environ.get("FUZZ_DIALER_WEBHOOK_SECRET"),
    "/webhooks/dialer/inbound": os.environ.get("FUZZ_DIALER_WEBHOOK_SECRET"),
    "/webhooks/courier": os.environ.get("FUZZ_COURIER_WEBHOOK_SECRET"),
}


def body_bytes(case) -> bytes:
    """The body as it goes on the wire: what requests makes of the serialized case."""
    sent = case.as_transport_kwargs()
    if "json" in sent:
        return json.dumps(sent["json"], allow_nan=False).encode("utf-8")
    data = sent.get("data") or b""
    return data.encode("utf-8") if isinstance(data, str) else data


def signature_headers(secret: str, body: bytes) -> dict:
    """Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id = f"msg_{uuid.uuid4().hex}"
    timestamp = str(int(time.time()))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": f"v1,{base64.b64encode(mac).decode()}"}


def schemes(case) -> set:
    """The security schemes the operation declares (any one requirement names them)."""
    return {name for requirement in case.operation.definition.raw.get("security") or [] for name in requirement}


# No caching (each webhook body has its own signature) and no retry on 401 (a 401 is an answer to check).
@schemathesis.auth(refresh_interval=None, retry_on=[])
class DeclaredCredentials:
    def get(self, case, context):
        declared = schemes(case)
        if "standardWebhooks" in declared and SECRETS.get(case.operation.path):
            return ("signed", SECRETS[case.operation.path])
        if "bearerAuth" in declared and TOKEN:
            return ("bearer", TOKEN)
        return None

    def set(self, case, data, context):
        kind, value = data
        headers = dict(case.headers or {})
        if kind == "bearer":
            headers["Authorization"] = f"Bearer {value}"
        else:
            headers.update(signature_headers(value, body_bytes(case)))
        case.headers = headers
