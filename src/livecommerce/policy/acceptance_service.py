"""助企行动 acceptance (服务对象验收) as the CLI, the API and the page call it: the rules of ``acceptance.accept`` for
a viewer who may read policy results, and — with a published seed — the spot-check sample (查验抽样, 001 附件1 五(二))
of each city's accepted objects, drawn by ``sampling.spot_check``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from livecommerce.core.scope import Actor, ensure
from livecommerce.policy import acceptance, sampling
from livecommerce.policy.service import READ
from livecommerce.reference.regions import regions


def accept_payload(
    payload: Any, actor: Actor, *, unit: Decimal | None = None, sample_seed: str | None = None, file: str | None = None
) -> dict[str, Any]:
    """The acceptance contract's output; with ``sample_seed`` also ``sample``: per city, the accepted objects to
    check again (at least 10%, sha256 order of seed|id). Objects without a city cannot be drawn and are listed."""
    ensure(actor, READ)
    out = acceptance.accept(payload, unit=unit, file=file)
    if sample_seed is not None:
        accepted = [r for r in out["results"] if r["accepted"]]
        drawn = sampling.spot_check([{"id": r["id"], "city": r["city"]} for r in accepted if r["city"]], sample_seed)
        out["sample"] = {
            "seed": sample_seed,
            "share": str(sampling.SAMPLE_SHARE),
            "cities": [
                {"city": code, "name": regions().get(code).name, "accepted": sum(1 for r in accepted if r["city"] == code), "ids": ids}
                for code, ids in drawn.items()
            ],
            "without_city": [r["id"] for r in accepted if not r["city"]],
        }
    return out
