import json
import pytest
from cityguard.core.models import ApiToken

pytestmark = pytest.mark.django_db

def hdr(users):
    _t, raw = ApiToken.issue(users.admin)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}

@pytest.mark.parametrize("method,url,body", [
    ("get", "/api/v1/organizations/99999999999999999999999", None),
    ("get", "/api/v1/places?organization=99999999999999999999999", None),
    ("get", "/api/v1/organizations?q=a%00b", None),
    ("get", "/api/v1/jurisdictions/a%00b", None),
    ("get", "/api/v1/jurisdictions?parent=a%00b", None),
    ("get", "/api/v1/organizations/abc", None),
    ("post", "/api/v1/auth/token", {"username": "a\u0000", "password": "x"}),
    ("post", "/api/v1/organizations", {"name": "a\u0000", "kind": "enterprise", "lon": 121.51, "lat": 31.27}),
    ("post", "/api/v1/organizations", {"name": "a", "kind": "enterprise", "lon": 121.51, "lat": 31.27, "parent": 99999999999999999999999}),
    ("post", "/api/v1/places", {"name": "a", "kind": "other", "organization": 99999999999999999999999}),
    ("post", "/api/v1/organizations", {"name": "a", "kind": "enterprise", "jurisdiction": "a\u0000"}),
    ("post", "/api/v1/organizations", "{not json"),
    ("delete", "/api/v1/organizations", None),
])
def test_probe(client, users, method, url, body):
    kw = hdr(users)
    if body is not None:
        kw["data"] = body if isinstance(body, str) else json.dumps(body)
        kw["content_type"] = "application/json"
    r = getattr(client, method)(url, **kw)
    print(method, url, r.status_code, r.get("Content-Type"), r.content[:200])
    assert r.status_code < 500
