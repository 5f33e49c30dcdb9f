import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cityguard import testing
from cityguard.plans import services
from cityguard.plans.models import EmergencyPlan


def client_for(user) -> Client:
    c = Client()
    c.login(username=user.username, password=testing.PASSWORD)
    return c


def street_plan(actor, district, **fields):
    return services.save_plan(
        actor,
        {
            "title": fields.pop("title", "西街道防汛防台专项预案"),
            "kind": "special",
            "jurisdiction": fields.pop("jurisdiction", district.west),
            "incident_types": ["natural_disaster"],
            "subtypes": ["flood", "typhoon"],
            "min_level": 3,
            "max_level": 4,
            "revision_months": 24,
            "last_revised": dt.date(2024, 1, 31),
            **fields,
        },
    )


def test_save_plan_due_date_and_checks(users: SimpleNamespace, district) -> None:
    plan = street_plan(users.west_officer, district)
    assert plan.next_due == dt.date(2026, 1, 31)
    with pytest.raises(ValidationError) as exc:
        street_plan(users.west_officer, district, subtypes=["fire"])
    assert "subtypes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        street_plan(users.west_officer, district, min_level=4, max_level=2)
    assert "max_level" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        street_plan(users.east_officer, district)
    # plans of the area above are visible below, not the other way round
    district_plan = street_plan(users.admin, district, jurisdiction=district.root, title="区预案")
    assert set(EmergencyPlan.objects.visible_to(users.west_officer)) == {plan, district_plan}
    assert set(EmergencyPlan.objects.visible_to(users.east_officer)) == {district_plan}


def test_due_for_revision(users: SimpleNamespace, district) -> None:
    old = street_plan(users.admin, district)
    new = street_plan(users.admin, district, title="新", last_revised=dt.date(2026, 10, 1))
    due = services.due_for_revision(EmergencyPlan.objects.all(), 90, today=dt.date(2026, 11, 1))
    assert list(due) == [old]
    assert new.next_due == dt.date(2028, 10, 1)


def test_response_levels_and_attachment(users: SimpleNamespace, district) -> None:
    plan = street_plan(users.admin, district)
    services.replace_response_levels(
        users.admin,
        plan,
        [
            {
                "level": 4,
                "trigger": "蓝色预警",
                "actions": [{"text": "巡查低洼地区"}, {"text": "备沙袋"}],
            }
        ],
    )
    assert [a.text for a in plan.response_levels.get().actions.all()] == ["巡查低洼地区", "备沙袋"]
    with pytest.raises(ValidationError):
        services.replace_response_levels(users.admin, plan, [{"level": 4}, {"level": 4}])
    assert plan.response_levels.count() == 1
    good = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    att = services.add_attachment(users.admin, plan, good)
    assert att.size == len(b"%PDF-1.4 test") and att.name == "plan.pdf"
    with pytest.raises(ValidationError):
        services.add_attachment(users.admin, plan, SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError):
        services.add_attachment(users.admin, plan, SimpleUploadedFile("fake.pdf", b"hello"))
    att.file.delete(save=False)


def test_drill_problem_becomes_hazard(users: SimpleNamespace, district) -> None:
    plan = street_plan(users.admin, district)
    drill = services.save_drill(
        users.west_officer,
        {"plan": plan, "date": dt.date(2026, 6, 1), "kind": "tabletop", "participant_count": 12},
        ["排水泵站备用电源无法启动", " "],
    )
    problem = drill.problems.get()
    hazard = services.problem_to_hazard(users.west_officer, problem)
    assert hazard.domain.code == "flood_typhoon"
    assert hazard.jurisdiction_id == district.west.pk
    problem.refresh_from_db()
    assert problem.hazard == hazard
    with pytest.raises(ValidationError):
        services.problem_to_hazard(users.west_officer, problem)


def test_plans_api(users: SimpleNamespace, district) -> None:
    c = client_for(users.staff)
    r = c.post(
        "/api/v1/plans",
        {
            "title": "危化品专项预案",
            "kind": "special",
            "jurisdiction": district.root.code,
            "incident_types": ["accident"],
            "subtypes": ["hazardous_chemical_release"],
            "min_level": 2,
            "response_levels": [
                {
                    "level": 2,
                    "trigger": "重大",
                    "actions": [{"text": "启动指挥部", "responsible_role": "区应急局"}],
                }
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["response_levels"][0]["actions"][0]["text"] == "启动指挥部"
    r = c.patch(f"/api/v1/plans/{pk}", {"min_level": 5}, content_type="application/json")
    assert r.status_code == 422
    r = c.patch(f"/api/v1/plans/{pk}", {"max_level": 3}, content_type="application/json")
    assert r.status_code == 200 and r.json()["max_level"] == 3
    assert c.get("/api/v1/plans", {"incident_type": "accident"}).json()["count"] == 1
    assert c.get("/api/v1/plans", {"incident_type": "public_health"}).json()["count"] == 0
    r = c.post(
        "/api/v1/plans/drills",
        {"plan": pk, "date": "2026-06-01", "kind": "full_scale", "problems": ["通讯中断"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    drill = r.json()
    r = c.post(
        f"/api/v1/plans/drills/{drill['id']}/problems/{drill['problems'][0]['id']}/hazard",
        {},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert c.get("/api/v1/plans/drills").json()["count"] == 1
    assert client_for(users.viewer).post(
        "/api/v1/plans", {"title": "x", "kind": "unit"}, content_type="application/json"
    ).status_code in (403, 422)


def test_delete_and_attachments_api(users: SimpleNamespace, district, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    plan = street_plan(users.admin, district)
    c = client_for(users.west_officer)
    r = c.post(
        f"/api/v1/plans/{plan.pk}/attachments",
        {"file": SimpleUploadedFile("预案.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
    )
    assert r.status_code == 201, r.content
    att = r.json()
    assert att["name"] == "预案.pdf" and att["size"] == 10
    r = c.post(
        f"/api/v1/plans/{plan.pk}/attachments",
        {"file": SimpleUploadedFile("evil.html", b"<script>", content_type="text/html")},
    )
    assert r.status_code == 422
    assert c.delete(f"/api/v1/plans/{plan.pk}/attachments/{att['id']}").status_code == 204
    assert plan.attachments.count() == 0
    drill = services.save_drill(
        users.admin, {"plan": plan, "date": dt.date(2026, 1, 5), "kind": "tabletop"}
    )
    assert c.delete(f"/api/v1/plans/{plan.pk}").status_code == 422  # drilled: retire instead
    assert (
        client_for(users.east_officer).delete(f"/api/v1/plans/drills/{drill.pk}").status_code == 404
    )
    assert c.delete(f"/api/v1/plans/drills/{drill.pk}").status_code == 204
    assert c.delete(f"/api/v1/plans/{plan.pk}").status_code == 204
    assert not EmergencyPlan.objects.filter(pk=plan.pk).exists()


def test_attachments_download_only_for_those_who_see_the_plan(
    users: SimpleNamespace, district, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    plan = street_plan(users.admin, district)
    att = services.add_attachment(
        users.admin,
        plan,
        SimpleUploadedFile("预案.pdf", b"%PDF-1.4 body", content_type="application/pdf"),
    )
    url = f"/plans/{plan.pk}/attachments/{att.pk}/"
    west = Client()
    west.force_login(users.west_officer)
    page = west.get(f"/plans/{plan.pk}/")
    assert url in page.content.decode()
    response = west.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 body"
    east = Client()
    east.force_login(users.east_officer)
    assert east.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page
