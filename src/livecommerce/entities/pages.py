"""Pages of the registry: 主体库 (GET /entities: filter, sort, page, export to XLSX) and one page per entity.

Thin: parse the query string, call one service function, render. A filter the schema refuses (an unknown region,
say) is shown above the table and the list falls back to no filter, instead of an error page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, DbSession, client_of
from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor
from livecommerce.core.web.tables import TableQuery
from livecommerce.core.web.templating import render
from livecommerce.core.web.writer import download
from livecommerce.entities import service
from livecommerce.entities.export import BASE_TABLE, ENTITY_TABLE, SHOP_TABLE, STREAMER_TABLE, entities_xlsx_counted
from livecommerce.entities.schemas import EntityQuery
from livecommerce.reference.codes import ENTITY_KINDS
from livecommerce.reference.regions import PROVINCE, regions

router = APIRouter(include_in_schema=False)


def _parse(request: Request) -> tuple[TableQuery, EntityQuery, str]:
    """The query of the page's form (ENTITY_TABLE), or no filter and the reason the form was refused."""
    query, refused = ENTITY_TABLE.parse_or_default(request.query_params, path=request.url.path)
    try:
        if refused:
            raise refused
        return query, EntityQuery(**query.filters, sort=query.sort_param, page=query.page, page_size=query.page_size), ""
    except ValidationError as exc:
        reasons = "；".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
    except ValidationFailed as exc:
        reasons = "；".join(f"{p.column}: {p.rule}" for p in exc.problems)
    return ENTITY_TABLE.default_query(request.url.path), EntityQuery(), f"筛选条件有误，已显示全部：{reasons}"


def _region_options(actor: Actor) -> list[tuple[str, str]]:
    """(code, label) of the province, each city and its counties (indented), limited to what the viewer may see."""
    table = regions()
    options = [(PROVINCE, table.get(PROVINCE).name)]
    for city in table.cities():
        options.append((city.code, city.name))
        options.extend((county.code, "\u3000" + county.name) for county in table.children(city.code))
    grant = actor.grant(service.READ)
    return options if grant.everything else [option for option in options if option[0] in grant.regions]


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """主体库: the entities in the viewer's scope, filtered, sorted and paged."""
    query, entity_query, error = _parse(request)
    found = service.list_entities(db, actor, entity_query)
    return render(
        request,
        "entities/list.html",
        {
            "title": "主体库",
            "page": ENTITY_TABLE.page_from(found.items, found.total, query),
            "query": query,
            "error": error,
            "kinds": list(ENTITY_KINDS),
            "region_options": _region_options(actor),
            "export_link": "/entities/export.xlsx?" + urlencode(query.params(sort=query.sort_param, page=None)),
        },
    )


@router.get("/entities/export.xlsx")
def entities_export(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """The filtered list of 主体库 as an XLSX workbook with Chinese headers (same filters and scope as the page),
    written by the single writer (a name is text, never a formula) and audited."""
    _, query, _ = _parse(request)
    content, count = entities_xlsx_counted(service.export_entities(db, actor, query.filters(), query.sort))
    return download(content, f"主体库_{date.today():%Y%m%d}.xlsx", actor=actor, what="entities", rows=count, client=client_of(request))


@router.get("/entities/{uscc}", response_class=HTMLResponse)
def entity_page(request: Request, uscc: Annotated[str, Path(min_length=1, max_length=40)], db: DbSession, actor: CurrentActor) -> Response:
    """One entity with its shops, streamers and bases (personal data masked)."""
    detail = service.entity_detail(db, actor, uscc.strip().upper())
    lists = {
        name: table.page_from(found.items, found.total, table.default_query())
        for name, table, found in (
            ("shops", SHOP_TABLE, detail.shops),
            ("streamers", STREAMER_TABLE, detail.streamers),
            ("bases", BASE_TABLE, detail.bases),
        )
    }
    return render(request, "entities/detail.html", {"title": detail.entity.name, "detail": detail, **lists})
