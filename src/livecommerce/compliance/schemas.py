"""What the compliance API takes in (合规检测请求), with bounds on every field: one text, or many records."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, model_validator

from livecommerce.compliance.service import MAX_TEXT
from livecommerce.core.errors import Problem, ValidationFailed

MAX_RECORDS = 10_000  # records of one request; a longer feed is sent in several requests or scanned with the CLI
MAX_PACKS = 50
MAX_TOTAL = 10_000_000  # characters of all the records of one request together

Text = Annotated[StrictStr, Field(max_length=MAX_TEXT)]
# what the text is about (packs.PRODUCT_TYPES); none for unknown
ProductType = Literal["food", "health_food", "special_medical_food", "cosmetic", "special_cosmetic", "drug", "medical_device", "other"]
PackName = Annotated[StrictStr, Field(min_length=1, max_length=100)]


class Record(BaseModel):
    """One text of many: a chat line, a title, a line of a transcript, with the caller's id (given back as it came)."""

    model_config = ConfigDict(extra="forbid")

    id: StrictInt | Annotated[StrictStr, Field(max_length=200)] | None = None
    text: Text
    product_type: ProductType | None = None  # this record's product type; else the request's


class ScanRequest(BaseModel):
    """POST /api/compliance/scan: {"text"} or {"records": [{"id", "text"}]}, and optionally the packs to use."""

    model_config = ConfigDict(extra="forbid")

    text: Text | None = None
    records: list[Record] | None = Field(None, max_length=MAX_RECORDS)
    packs: list[PackName] | None = Field(None, min_length=1, max_length=MAX_PACKS)
    product_type: ProductType | None = None  # of the text, or of every record that names none

    @model_validator(mode="after")
    def _one_form(self) -> ScanRequest:
        if (self.text is None) == (self.records is None):
            raise ValueError("give either text (one text) or records (a list of {id, text}), not both")
        total = sum(len(r.text) for r in self.records or [])
        if total > MAX_TOTAL:
            raise ValueError(f"records hold {total:,} characters: at most {MAX_TOTAL:,} in one request")
        return self

    def pack_names(self) -> list[str] | None:
        """The packs asked for, each once, in order; None for every pack."""
        return list(dict.fromkeys(self.packs)) if self.packs else None

    def record_dicts(self) -> list[dict[str, Any]]:
        """The records as the service reads them (a record without an id is numbered from 1 by the service)."""
        out = []
        for r in self.records or []:
            record: dict[str, Any] = {"text": r.text, "product_type": r.product_type or self.product_type}
            if r.id is not None:
                record["id"] = r.id
            out.append(record)
        return out


def scan_request(body: Any) -> ScanRequest:
    """A request body as a ScanRequest, or ValidationFailed naming each field's problem."""
    try:
        return ScanRequest.model_validate(body)
    except ValidationError as exc:
        problems = [
            Problem(
                rule=error["msg"].removeprefix("Value error, "),
                column=".".join(map(str, error["loc"])) or None,
                value=None if error.get("input") is None else str(error.get("input"))[:80],
            )
            for error in exc.errors()
        ]
        raise ValidationFailed("; ".join(f"{p.column}: {p.rule}" if p.column else p.rule for p in problems), problems) from None


class HitOut(BaseModel):
    """One hit: the rule, its law, where in the text (character offsets) and what to say instead."""

    model_config = ConfigDict(extra="allow")  # a rule kind may add its own fields (docs/compliance.md)

    rule: str
    category: str
    severity: str
    law: str
    start: int
    end: int
    text: str
    suggestion: str | None


class TextScanOut(BaseModel):
    """The answer to {"text": …}: every hit in the text's order."""

    hits: list[HitOut]


class RecordScanOut(BaseModel):
    """One record's hits, under the id it was sent with."""

    id: int | str | None
    hits: list[HitOut]


class RecordsScanOut(BaseModel):
    """The answer to {"records": […]}: one result a record, in the records' order."""

    results: list[RecordScanOut]
