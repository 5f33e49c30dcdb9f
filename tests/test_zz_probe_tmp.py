import json
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("auth", [None, "Bearer ", "Bearer x"])
def test_probe(users, auth):
    c = Client(enforce_csrf_checks=True)
    kw = {"HTTP_AUTHORIZATION": auth} if auth else {}
    r = c.patch(f"/api/v1/organizations/{users.west_org.pk}", data="{}", content_type="application/json", **kw)
    print(auth, r.status_code, r.content[:100])
    c.cookies["sessionid"] = "abc"
    r = c.patch(f"/api/v1/organizations/{users.west_org.pk}", data="{}", content_type="application/json", **kw)
    print(auth, r.status_code, r.content[:100])
