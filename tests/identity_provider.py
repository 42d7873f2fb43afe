"""A small OpenID Connect provider for tests, served on localhost.

It speaks the parts of the protocol a sign-in uses — discovery, the token
endpoint with a signed ID token, userinfo and the signing keys — so that
allauth's real client code runs against it over HTTP.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class IdentityProvider:
    client_id = "trellis-test-client"
    client_secret = "trellis-test-secret"

    def __init__(self, *, email: str, name: str, subject: str = "idp-user-1"):
        self.claims = {"sub": subject, "email": email, "email_verified": True, "name": name}
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.nonce: str | None = None
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> IdentityProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self) -> str:
        now = int(time.time())
        payload = {**self.claims, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300}
        if self.nonce:
            payload["nonce"] = self.nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def jwks(self) -> dict:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": "test-key", "use": "sig", "alg": "RS256"}]}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _json(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "userinfo_endpoint": f"{provider.issuer}/userinfo",
                            "jwks_uri": f"{provider.issuer}/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif path == "/jwks":
                    self._json(provider.jwks())
                elif path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer access-token-1":
                        self._json({"error": "invalid_token"}, 401)
                    else:
                        self._json(provider.claims)
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                provider.token_requests.append(form)
                if urllib.parse.urlparse(self.path).path != "/token" or form.get("code") != "code-1":
                    self._json({"error": "invalid_grant"}, 400)
                    return
                self._json(
                    {
                        "access_token": "access-token-1",
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(),
                    }
                )

        return Handler

    def settings(self, provider_id: str = "corp") -> dict:
        return {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": provider_id,
                        "name": "Corp SSO",
                        "client_id": self.client_id,
                        "secret": self.client_secret,
                        "settings": {"server_url": self.issuer},
                    }
                ],
            }
        }
