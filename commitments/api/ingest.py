"""The integration ingest input: serializers that document it and validate it, item by item.

A batch is refused whole (400) only when it is not `{"items": [...]}` of at most MAX_BATCH items.
Each item is validated on its own: one that breaks a rule becomes an `ItemRejected` whose reason
names the first field at fault (`paid_at: needs a time zone offset`, `data.carrier: required for
pickup_scanned`), the others reach the service as validated data (Decimal amounts, aware UTC times).

The fields are DRF's, so the OpenAPI schema documents them, with their checks done in one method
each: upstream data is garbage often enough that the reasons are part of the contract, and a batch
of 1,000 items is validated with one pass over a precomputed field list (`IngestItems`), not with
DRF's per-item error collection, which would cost the hot path several times the work.
"""

import json
from datetime import UTC
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty

from core.boundary import BIGINT_MAX, MAX_UTC_OFFSET, is_storable_text, year_range
from core.money import CENT
from core.regions import PROVINCE_CODES

from ..models import FulfilmentEvent, RefundReason
from ..services import MAX_BATCH, ItemRejected

Kind = FulfilmentEvent.Kind
MAX_QUANTITY = 100_000
MAX_DATA_CHARS = 4000
OUT_OF_YEARS = "out of range (years {low}–{high})"
MAX_AMOUNT = Decimal("1e10")  # exclusive: a money column holds 10 digits before the point


class _Strict:
    """The field's own checks only (no DRF validators, no blank/trim handling), with our reasons."""

    def run_validation(self, data=empty):
        if data is empty:
            if self.required:
                self.fail("required")
            if self.default is empty:
                raise SkipField()
            return self.default() if callable(self.default) else self.default
        if data is None:
            if self.allow_null:
                return None
            self.fail("null")
        return self.to_internal_value(data)


class IngestText(_Strict, serializers.CharField):
    """A string (an integer is taken as its digits unless digits=False), stripped, non-empty, storable,
    at most max_length characters."""

    default_error_messages = {
        "required": "required",
        "null": "required",
        "blank": "required",
        "invalid": "must be a string",
        "text": "not valid text",
        "max_length": "at most {max_length} characters",
    }

    def __init__(self, *, max_length: int | None = 64, digits: bool = True, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.types = str | int if digits else str

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, self.types):
            self.fail("invalid")
        value = str(data).strip()
        if not value:
            self.fail("blank")
        if not is_storable_text(value):
            self.fail("text")
        if self.max_length is not None and len(value) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return value


class IngestChoice(_Strict, serializers.ChoiceField):
    """One of `choices` (a model enumeration's), given as a string."""

    default_error_messages = {"required": "required", "null": "required", "invalid_choice": "unknown value"}

    def to_internal_value(self, data):
        value = str(data).strip() if isinstance(data, str | int) and not isinstance(data, bool) else None
        if value not in self.choice_strings_to_values:
            self.fail("invalid_choice")
        return value


def _parsed(parse, text: str):
    """parse_date / parse_datetime, None also for a well formed but impossible value (2026-02-30)."""
    try:
        return parse(text)
    except ValueError:
        return None


def _check_year(field, year: int | None) -> None:
    """A year within the input years (core.boundary); None is one beyond what Python can hold."""
    low, high = year_range()
    if year is None or not low <= year <= high:
        field.fail("range", low=low, high=high)


class IngestMoment(_Strict, serializers.DateTimeField):
    """An ISO 8601 date-time with its UTC offset, within the input years; returned in UTC."""

    default_error_messages = {
        "required": "required",
        "null": "required",
        "invalid": "must be an ISO 8601 date-time",
        "unparsable": "not an ISO 8601 date-time",
        "naive": "needs a time zone offset",
        "offset": "the UTC offset must be between -15:59 and +15:59",
        "range": OUT_OF_YEARS,
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if not data:
            self.fail("required")
        value = _parsed(parse_datetime, data)
        if value is None:
            self.fail("unparsable")
        if value.tzinfo is None:
            self.fail("naive")
        if abs(value.utcoffset()) > MAX_UTC_OFFSET:  # PostgreSQL refuses ±16:00 and beyond
            self.fail("offset")
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00
            _check_year(self, None)
        _check_year(self, value.year)
        return value


class IngestDay(_Strict, serializers.DateField):
    """A date (YYYY-MM-DD) within the input years; empty is none."""

    default_error_messages = {"invalid": "not a date (YYYY-MM-DD)", "range": OUT_OF_YEARS}

    def to_internal_value(self, data):
        if data == "":
            return None
        value = _parsed(parse_date, str(data))
        if value is None:
            self.fail("invalid")
        _check_year(self, value.year)
        return value


class IngestAmount(_Strict, serializers.DecimalField):
    """A non-negative amount of money with at most 2 decimals, sent as a string or an integer."""

    default_error_messages = {
        "required": "required",
        "null": "required",
        "float": "send amounts as strings or integers, not floats",
        "invalid": "not an amount",
        "range": "must be a non-negative amount with at most 2 decimals",
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0"), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float | bool):
            self.fail("float")
        if not isinstance(data, str | int) or (isinstance(data, str) and not is_storable_text(data)):
            self.fail("invalid")
        try:
            value = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite() or value < 0 or value >= MAX_AMOUNT or value != value.quantize(CENT):
            self.fail("range")
        return value


class IngestInteger(_Strict, serializers.IntegerField):
    """A JSON integer (not a string, not a boolean) within min_value..max_value."""

    default_error_messages = {"required": "required", "null": "required", "range": "out of range"}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        if (self.min_value is not None and data < self.min_value) or (
            self.max_value is not None and data > self.max_value
        ):
            self.fail("range")
        return data


class IngestBoolean(_Strict, serializers.BooleanField):
    """true or false, as JSON booleans."""

    default_error_messages = {"invalid": "true or false", "null": "true or false"}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class EventData(serializers.DictField):
    """The event's payload object, stored as sent (none is {}); EVENT_PAYLOADS checks the keys each kind
    needs."""

    default_error_messages = {
        "not_a_dict": "must be an object",
        "text": "not valid text",
        "too_large": "too large",
    }

    def run_validation(self, data=empty):
        if data is empty or data is None:
            return {}
        if not isinstance(data, dict):
            self.fail("not_a_dict")
        if not _all_text(data):
            self.fail("text")
        if len(json.dumps(data)) > MAX_DATA_CHARS:
            self.fail("too_large")
        return data


def _all_text(value) -> bool:
    """Every string (keys included) in a parsed JSON value is storable text."""
    if isinstance(value, str):
        return is_storable_text(value)
    if isinstance(value, dict):
        return all(is_storable_text(k) and _all_text(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_text(v) for v in value)
    return True


def validated_fields(fields, raw: dict) -> dict:
    """`raw` validated by `fields` ((name, field) pairs), stopping at the first field at fault."""
    out = {}
    for name, field in fields:
        try:
            out[name] = field.run_validation(raw.get(name, empty))
        except SkipField:
            continue
        except ValidationError as exc:
            raise ValidationError({name: exc.detail}) from None
    return out


def _reason(detail, path: str = "") -> str:
    """The first error of a ValidationError's detail as `field.sub: message`."""
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()))
        return _reason(value, f"{path}.{name}" if path else str(name))
    if isinstance(detail, list):
        return _reason(detail[0], path)
    return f"{path}: {detail}" if path else str(detail)


def _echo_id(raw) -> str:
    """The item's external id as sent, made safe to echo back in a rejection."""
    if not isinstance(raw, dict):
        return ""
    value = str(raw.get("external_id", ""))[:64]
    return value.replace("\x00", "?").encode("utf-8", "replace").decode("utf-8")


class IngestItems(serializers.ListSerializer):
    """The items of a batch: each validated on its own into its data or an ItemRejected."""

    def to_internal_value(self, data):
        fields = list(self.child.fields.items())
        validate = self.child.validate
        out = []
        for raw in data:
            if not isinstance(raw, dict):
                out.append(ItemRejected(external_id="", reason="item: must be an object"))
                continue
            try:
                out.append(validate(validated_fields(fields, raw)))
            except ValidationError as exc:
                out.append(ItemRejected(external_id=_echo_id(raw), reason=_reason(exc.detail)))
        return out


class IngestBatch(serializers.Serializer):
    """`{"items": [...]}` with at most MAX_BATCH items; anything else is a 400 for the whole batch."""

    def run_validation(self, data=empty):
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ValidationError(
                {"non_field_errors": ['send {"items": [...]}'], "items": ["a list is required"]}
            )
        if len(items) > MAX_BATCH:
            raise ValidationError(
                {
                    "non_field_errors": [f"at most {MAX_BATCH} items per batch"],
                    "items": [f"{len(items)} sent"],
                }
            )
        return {"items": self.fields["items"].to_internal_value(items)}


# --- orders --------------------------------------------------------------------------------------


class OrderItemSerializer(serializers.Serializer):
    """One paid order."""

    external_id = IngestText()
    shopper_ref = IngestText()
    paid_amount = IngestAmount()
    shipping_fee = IngestAmount(default=Decimal("0"))
    province = IngestChoice(
        choices=PROVINCE_CODES, error_messages={"invalid_choice": "unknown province code"}
    )
    paid_at = IngestMoment()
    agreed_install_date = IngestDay(default=None, allow_null=True)
    product_id = IngestInteger(
        min_value=1, max_value=BIGINT_MAX,
        error_messages={"required": "required integer", "null": "required integer", "invalid": "required integer",
                        "range": "unknown product"},
    )  # fmt: skip
    merchant_id = IngestInteger(
        default=None, allow_null=True, help_text="checked against the product's merchant",
        error_messages={"invalid": "must be an integer"},
    )  # fmt: skip
    quantity = IngestInteger(
        default=1, min_value=1, max_value=MAX_QUANTITY,
        error_messages=dict.fromkeys(("null", "invalid", "range"), f"a positive integer up to {MAX_QUANTITY}"),
    )  # fmt: skip

    class Meta:
        list_serializer_class = IngestItems


class OrderBatchSerializer(IngestBatch):
    items = OrderItemSerializer(many=True)


# --- events --------------------------------------------------------------------------------------


def _required_for(kind: str) -> dict:
    return dict.fromkeys(("required", "null", "blank", "invalid"), f"required for {kind}")


RATING = dict.fromkeys(("invalid", "range"), "an integer 1–5")


class PickupScannedData(serializers.Serializer):
    carrier = IngestText(max_length=None, digits=False, error_messages=_required_for(Kind.PICKUP_SCANNED))
    tracking_no = IngestText(max_length=None, required=False)


class DeliveredData(serializers.Serializer):
    to_door = IngestBoolean(required=False)


class RefundedData(serializers.Serializer):
    staff_intervened = IngestBoolean(required=False)


class ReturnSignedData(serializers.Serializer):
    freight = IngestAmount(required=False, allow_null=True, help_text="read as the return-freight fee")


class RatedData(serializers.Serializer):
    item_as_described = IngestInteger(
        required=False, allow_null=True, min_value=1, max_value=5, error_messages=RATING
    )
    service_attitude = IngestInteger(
        required=False, allow_null=True, min_value=1, max_value=5, error_messages=RATING
    )
    logistics = IngestInteger(
        required=False, allow_null=True, min_value=1, max_value=5, error_messages=RATING
    )
    product = IngestInteger(required=False, allow_null=True, min_value=1, max_value=5, error_messages=RATING)


class HelpRequestedData(serializers.Serializer):
    scenario = IngestText(max_length=None, digits=False, error_messages=_required_for(Kind.HELP_REQUESTED))


# The payload keys each kind's rules read; other keys are kept as sent.
EVENT_PAYLOADS = {
    Kind.PICKUP_SCANNED: PickupScannedData(),
    Kind.DELIVERED: DeliveredData(),
    Kind.REFUNDED: RefundedData(),
    Kind.RETURN_SIGNED: ReturnSignedData(),
    Kind.RATED: RatedData(),
    Kind.HELP_REQUESTED: HelpRequestedData(),
}
_PAYLOAD_FIELDS = {kind: list(payload.fields.items()) for kind, payload in EVENT_PAYLOADS.items()}


class EventItemSerializer(serializers.Serializer):
    """One fulfilment event of an order."""

    external_id = IngestText()
    order_external_id = IngestText()
    kind = IngestChoice(choices=Kind.choices, error_messages={"invalid_choice": "unknown event kind"})
    occurred_at = IngestMoment()
    data = EventData(
        required=False,
        help_text="pickup_scanned: carrier (required), tracking_no; delivered: to_door (true/false); refunded: "
        f"reason ({' | '.join(RefundReason.values)}; anything else counts as other), staff_intervened "
        "(true/false); return_signed: freight (an amount); rated: item_as_described, service_attitude, "
        "logistics, product (1–5); help_requested: scenario (required); logistics_exception (the carrier "
        "reports a parcel lost, damaged, stalled or returned): what (free text, optional). Other keys are kept "
        "as sent (at most 4,000 characters as JSON). Order facts are folded in first-wins: the earliest event of a kind sets the time (and the "
        "carrier, refund reason, rating); staff_intervened is true once any refunded event says so.",
    )

    class Meta:
        list_serializer_class = IngestItems

    def validate(self, attrs):
        fields = _PAYLOAD_FIELDS.get(attrs["kind"])
        if fields:
            try:
                validated_fields(fields, attrs["data"])
            except ValidationError as exc:
                raise ValidationError({"data": exc.detail}) from None
        return attrs


class EventBatchSerializer(IngestBatch):
    items = EventItemSerializer(many=True)
