"""The one error shape: {"code", "message", "fields"} for validation, 401/403, 404, 409 and our own."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.errors import ApplicationError, Conflict, CoreError, error_body, error_codes
from merchants.errors import MerchantError
from merchants.models import DepositEntry

pytestmark = pytest.mark.django_db


def test_validation_error_shape(api_for, staff_ops, merchant_a):
    response = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "top_up", "amount": "-5"}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert "amount" in body["fields"]
    assert not DepositEntry.objects.exists()


def test_not_found_shape(api_for, staff_ops):
    response = api_for(staff_ops).get("/api/v1/staff/merchants/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such merchant.", "fields": {}}


def test_forbidden_shape(api_for, owner_a, merchant_a):
    response = api_for(owner_a).get("/api/v1/staff/merchants")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert set(response.json()) == {"code", "message", "fields"}


def test_unauthenticated_shape(api):
    response = api.get("/api/v1/merchant/me")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_url_is_404_in_our_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_application_error_shape(api_for, staff_ops, merchant_a):
    """A domain rule broken inside a service: refund more than zero works, a zero amount does not."""
    response = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "refund", "amount": "0.001"}
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid"}
    assert merchant_a.deposit.entries.count() == 0
    ok = api_for(staff_ops).post(
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries", {"kind": "top_up", "amount": "100.00"}
    )
    assert ok.status_code == 201
    assert Decimal(ok.json()["balance_after"]) == Decimal("100.00")


def test_json_nested_too_deep_is_a_400_everywhere(api_for, staff_ops, merchant_a):
    body = "[" * 100_000 + "]" * 100_000
    response = api_for(staff_ops).generic(
        "POST",
        f"/api/v1/staff/merchants/{merchant_a.pk}/deposit/entries",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert merchant_a.deposit.entries.count() == 0


def test_too_many_query_parameters_is_a_400_in_our_shape(api_for, staff_ops):
    query = "&".join(f"q{n}=%41" for n in range(1500))
    response = api_for(staff_ops).get(f"/api/v1/staff/merchants?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()) == {"code", "message", "fields"}


# --- error codes: one enumeration per app, every code on the wire a member ---------------------

ERROR_CLASSES = {"ApplicationError", "InvalidTransition", "Conflict", "NotFound", "Forbidden"}
SOURCE_DIRS = ["core", "merchants", "tags", "commitments", "complaints", "scoring", "courses", "config"]


def _application_error_names() -> set[str]:
    names, pending = set(), [ApplicationError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def test_an_application_error_refuses_a_plain_string_code():
    with pytest.raises(TypeError, match="ErrorCode members"):
        ApplicationError("no", code="invalid")
    with pytest.raises(TypeError, match="ErrorCode members"):
        error_body("not_found", "no")
    with pytest.raises(TypeError, match="ErrorCode members"):

        class Teapot(ApplicationError):
            default_code = "teapot"

    assert ApplicationError("no", code=MerchantError.INSUFFICIENT_DEPOSIT).code == "insufficient_deposit"
    assert Conflict("no").code is CoreError.CONFLICT
    assert error_body(CoreError.NOT_FOUND, "gone") == {"code": "not_found", "message": "gone", "fields": {}}


def test_each_app_owns_its_codes_and_no_code_is_listed_twice():
    codes = error_codes()
    owners = {}
    for code in codes:
        owners.setdefault(str(code), []).append(type(code).__module__)
    assert {code: where for code, where in owners.items() if len(where) > 1} == {}
    assert [c for c in codes if not c.description.strip()] == []
    assert sorted({type(c).__module__ for c in codes}) == [
        "commitments.errors", "complaints.errors", "core.errors", "courses.errors", "merchants.errors",
        "tags.errors",
    ]  # fmt: skip
    assert str(codes[0]) == "invalid"  # core's first


def test_no_error_code_is_a_string_literal_in_the_source():
    """The constructors refuse a plain string when they run; this finds one on a path no test runs."""
    root = Path(__file__).resolve().parents[2]
    raisers = _application_error_names() | ERROR_CLASSES
    literal = []
    for directory in SOURCE_DIRS:
        for path in sorted((root / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", getattr(node.func, "attr", None))
                    values = [k.value for k in node.keywords if k.arg == "code"] if name in raisers else []
                    if name == "error_body" and node.args:
                        values.append(node.args[0])
                    literal += [where for v in values if isinstance(v, ast.Constant)]
                elif (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Constant)
                    and any(getattr(t, "id", None) == "default_code" for t in node.targets)
                ):
                    literal.append(where)
    assert literal == []


def test_the_schema_lists_every_error_code_with_its_description():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    code = schema["components"]["schemas"]["Error"]["properties"]["code"]
    assert code["enum"] == [str(c) for c in error_codes()]
    assert (
        "| `insufficient_deposit` | merchants | The deposit does not hold enough for this debit. |"
        in (code["description"])
    )
