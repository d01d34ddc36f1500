"""Policy documents (政策文件) whose clauses the platform computes, and the performance years each applies to."""

from __future__ import annotations

from dataclasses import dataclass

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.settings import get_settings

LIVE20 = "HLJ-2025-LIVE20"
EC20 = "HLJ-2026-EC20"
FUND = "HLJ-2023-FUND"


@dataclass(frozen=True)
class Document:
    """A policy document: its id, title, seed file and the clause that ends it (validity and exclusivity)."""

    id: str
    short: str
    title: str
    source: str
    validity: str
    exclusivity: str
    one_award_per_year: bool = False

    def years(self) -> tuple[int, ...]:
        """The performance years this document applies to: its ``validity.years`` parameter; for EC20 the setting
        ``policy_ec20_years`` when it is set."""
        if self.id == EC20 and ec20_years():
            return ec20_years()
        from livecommerce.policy.parameters import catalogue

        values = catalogue()[f"{self.short}/validity.years"].values[-1]
        assert isinstance(values, tuple)
        return tuple(int(v) for v in values)

    def in_force(self, year: int, ec20: tuple[int, ...] | None = None) -> bool:
        """Whether performance year ``year`` falls under this document."""
        years = ec20 if (self.id == EC20 and ec20 is not None) else self.years()
        return year in years


DOCUMENTS: dict[str, Document] = {
    LIVE20: Document(
        LIVE20,
        "LIVE20",
        "《黑龙江省加快电商直播产业高质量发展二十条措施(试行)》(征求意见稿)",
        "000_f467ed5c45ed642d.txt 附件2",
        "本措施自印发之日起试行,有效期至2025年底。",
        "同时符合本措施及我省其他政策规定的,按照“从优、就高、不重复”的原则予以支持,另有规定除外。",
    ),
    EC20: Document(
        EC20,
        "EC20",
        "《黑龙江省促进电子商务高质量发展若干政策措施》(征求意见稿)",
        "004_9b296d9d69a709cc.txt",
        "本政策措施自印发之日起施行,有效期至2027年12月31日",
        "同一法人主体既符合本政策措施规定,又同时符合我省其他扶持政策规定,或同一法人主体符合本政策内多条奖补措施的,"
        "按照“从优、就高、不重复”原则予以支持,另有规定的除外。",
        one_award_per_year=True,
    ),
    FUND: Document(
        FUND,
        "FUND",
        "《2023年度黑龙江省支持直播电商等新经济产业发展工作方案》(征求意见稿) 附件1 助企行动",
        "001_0310c79971fe8977.txt",
        "本方案自发布之日起施行……有效期至2023年专项资金使用完毕。",
        "",
    ),
}
SHORT = {d.short: d.id for d in DOCUMENTS.values()}


def ec20_years() -> tuple[int, ...]:
    """The setting ``policy_ec20_years`` (empty: the years of parameters/ec20.yaml, 2026 and 2027): 004 is a draft
    with no issue date."""
    text = get_settings().policy_ec20_years
    try:
        return tuple(sorted(int(part) for part in text.replace(" ", "").split(",") if part))
    except ValueError as exc:
        raise ValidationFailed(f"LIVECOMMERCE_POLICY_EC20_YEARS {text!r}: years separated by commas, e.g. 2026,2027") from exc


def full_clause_id(text: str) -> str:
    """A clause id in full form: 'LIVE20/1a' → 'HLJ-2025-LIVE20/1a'; a full id is returned as it is."""
    document, _, number = text.strip().partition("/")
    return f"{SHORT.get(document, document)}/{number}"


def short_clause_id(clause_id: str) -> str:
    """'HLJ-2025-LIVE20/1a' → 'LIVE20/1a'."""
    document, _, number = clause_id.partition("/")
    doc = DOCUMENTS.get(document)
    return f"{doc.short}/{number}" if doc else clause_id
