"""Pages of statistics: 总览 (GET /, the dashboard; GET /screen, its 大屏 mode for the duty room), 统计分析
(GET /stats, the query builder; GET /stats/rank, rankings) and the county maps of the drill-down
(GET /stats/maps/{city_code}.json).

Thin: read the form, call stats (dashboard.build_dashboard, service.query, service.rank), render. A parameter the
service refuses (an unknown date, a region outside the viewer's scope) is shown above the form, not as an error page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor, app_settings
from livecommerce.core.errors import LiveCommerceError, NotFound, PermissionDenied, ValidationFailed
from livecommerce.core.scope import Actor
from livecommerce.core.web.templating import VENDOR, render
from livecommerce.reference.codes import CATEGORIES, CHANNELS, PLATFORMS
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats import dashboard, maps, panels, params, periods, service
from livecommerce.stats.indicators import DIMENSIONS, INDICATORS
from livecommerce.stats.query import ACTION, Result
from livecommerce.stats.rank import SUBJECTS
from livecommerce.stats.tables import StatTable, query_table, rank_table, unit_of
from livecommerce.warehouse.measures import SALES

router = APIRouter(include_in_schema=False)

FILTERS = {"platform": PLATFORMS, "category": CATEGORIES, "channel": CHANNELS}
COMPARES = {"": "不比较", "yoy": "同比（上年同期）", "mom": "环比（上一期）"}
ATTRIBUTIONS = {"seller": "按卖家所在地", "ship_from": "按发货地"}


def _vendor(request: Request) -> FilePath:
    return app_settings(request).assets_dir or VENDOR


# ---------------------------------------------------------------------------------------------------------- 总览


def month_options(today: date, count: int = 36) -> list[tuple[str, str]]:
    """(key, name) of this month and the ``count`` − 1 before it, the latest first."""
    first = today.replace(day=1)
    keys = [periods.bucket_key(periods.add_months(first, -i), "month") for i in range(count)]
    return [(key, periods.bucket_name(key, "month")) for key in keys]


def quarter_options(today: date, count: int = 12) -> list[tuple[str, str]]:
    """(key, name) of the last ``count`` quarters, the latest first."""
    first = periods.bucket_start(today, "quarter")
    keys = [periods.bucket_key(periods.add_months(first, -3 * i), "quarter") for i in range(count)]
    return [(key, periods.bucket_name(key, "quarter")) for key in keys]


def year_options(today: date, count: int = 6) -> list[tuple[str, str]]:
    return [(str(today.year - i), f"{today.year - i}年") for i in range(count)]


def region_options(actor: Actor) -> list[tuple[str, str]]:
    """(code, label) of the regions the viewer may choose: 全省 and every city (with its counties indented) that the
    grant covers."""
    grant = actor.grant(ACTION)
    table = regions()
    options = [(PROVINCE, "全省")] if grant.everything else []
    for city in table.cities():
        if grant.everything or city.code in grant.regions:
            options.append((city.code, city.name))
        options.extend(
            (county.code, "\u3000" + county.name)
            for county in table.children(city.code)
            if grant.everything or county.code in grant.regions
        )
    return options


def _dashboard(request: Request, actor: Actor, template: str, base: str) -> Response:
    form = request.query_params
    if actor.grant(ACTION).nothing:
        return render(request, template, {"title": "总览", "denied": True})
    errors: list[str] = []
    try:
        period = dashboard.parse_period(
            form.get("mode"), form.get("period"), form.get("month"), form.get("quarter"), form.get("year"), form.get("from"), form.get("to")
        )
    except ValidationFailed as exc:
        errors.append(f"统计期有误，已显示上月：{exc}")
        period = dashboard.last_complete_month(params.today())
    indicator = form.get("indicator") or "online_retail"
    if indicator not in dashboard.MAP_INDICATORS:
        errors.append(f"地图指标 {indicator!r} 不可选，已显示网络零售额")
        indicator = "online_retail"
    try:
        region = dashboard.view_region(actor, params.region_code(form.get("region")))
    except LiveCommerceError as exc:
        errors.append(f"地区有误，已显示本账户的数据范围：{exc}")
        region = dashboard.view_region(actor, None)
    board = dashboard.build_dashboard(period, region, actor, indicator, app_settings(request))
    keep = {**period.params(), "indicator": indicator}
    home = dashboard.view_region(actor, None)

    def link(path: str = base, **changes: str | None) -> str:
        """A dashboard URL with this page's period, indicator and region, some changed (None removes one)."""
        values = {**keep, **({"region": region} if region else {})}
        for key, value in changes.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        return path + ("?" + urlencode(values) if values else "")

    today = params.today()
    can_drill = actor.grant(ACTION).everything  # an entity's own figures have no city to open
    from livecommerce.stats.goals import cached_progress, figure

    goals = [
        row for row in cached_progress(actor, app_settings(request), today) if row["due_date"] >= today.isoformat() and "statement" in row
    ]
    return render(
        request,
        template,
        {
            "goals": goals,
            "figure": figure,
            "can_drill": can_drill,
            "region_links": [link(region=code) if code and can_drill else "" for code in board.regions.links],
            "up_region_name": regions().get(home).name if home else "全省",
            "title": "总览",
            "denied": False,
            "board": board,
            "errors": errors,
            "data": board.chart_data() | {"drill": link(region="") if can_drill else ""},
            "can_go_up": region is not None and region != home,
            "up_link": link(region=home),
            "region_options": region_options(actor),
            "modes": dashboard.PERIOD_MODES,
            "months": month_options(today),
            "quarters": quarter_options(today),
            "years": year_options(today),
            "map_indicators": [(i, INDICATORS[i].zh) for i in dashboard.MAP_INDICATORS],
            "screen_link": link("/screen"),
            "board_link": link("/"),
        },
    )


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, actor: CurrentActor) -> Response:
    """总览: KPIs with 同比, the map by prefecture (or a city's counties), the trend, breakdowns and top lists."""
    return _dashboard(request, actor, "stats/dashboard.html", "/")


@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request, actor: CurrentActor) -> Response:
    """大屏: the dashboard full screen on a dark background, for the duty room."""
    return _dashboard(request, actor, "stats/screen.html", "/screen")


@router.get("/stats/maps/{city_code}.json")
def county_map(request: Request, actor: CurrentActor, city_code: Annotated[str, Path(pattern=r"^\d{6}$")]) -> Response:
    """The county boundaries of a prefecture the viewer may see, with our codes and names (see stats.maps)."""
    grant = actor.grant(ACTION)
    try:
        city = maps.city_of_view(city_code)
        counties = {city, *(c.code for c in regions().children(city))}
        if grant.nothing or not (grant.everything or counties & grant.regions):
            return JSONResponse({"detail": "该地区不在当前账户的数据范围内"}, status_code=403)
        document = maps.county_map(_vendor(request), city)
    except NotFound as exc:
        return JSONResponse({"detail": str(exc)}, status_code=404)
    return JSONResponse(document, headers={"Cache-Control": "private, max-age=86400"})


# ---------------------------------------------------------------------------------------------------------- 统计分析


def _form(request: Request, rank: bool) -> dict[str, Any]:
    """The form's fields as given (empty strings for missing ones); a first visit gets last month by city."""
    q = request.query_params
    first_visit = "indicator" not in q
    form: dict[str, Any] = {
        key: (q.get(key) or "").strip()
        for key in (
            "indicator",
            "period",
            "from",
            "to",
            "region",
            "compare",
            "platform",
            "category",
            "channel",
            "attribution",
            "of",
            "top",
            "sort",
            "page",
        )
    }
    by = [part for value in q.getlist("by") for part in value.split(",") if part.strip()]
    form["by"] = [b.strip() for b in by]
    form["share"] = q.get("share") in ("true", "1", "on")
    if first_visit:
        form |= {
            "indicator": "online_retail",
            "period": dashboard.last_complete_month(params.today()).key,
            "compare": "mom" if rank else "yoy",
            "by": ["city"],
            "of": "entity",
            "top": "10",
        }
    form["attribution"] = form["attribution"] or "seller"
    if form["from"] and form["to"]:
        form["period"] = ""  # dates given: they are the period (the form offers them as an alternative)
    return form


def _filters(form: dict[str, Any]) -> list[str]:
    return [f"{dim}={form[dim]}" for dim in FILTERS if form[dim]]


def _api_params(form: dict[str, Any], rank: bool) -> list[tuple[str, str]]:
    """The form as the API's parameters (the XLSX export takes the same)."""
    items: list[tuple[str, str]] = [("indicator", form["indicator"])]
    if rank:
        items += [("of", form["of"]), ("top", form["top"] or "10"), ("compare", form["compare"] or "mom")]
    else:
        if form["by"]:
            items.append(("by", ",".join(form["by"])))
        if form["compare"]:
            items.append(("compare", form["compare"]))
        if form["share"]:
            items.append(("share", "true"))
    for key in ("period", "from", "to", "region"):
        if form[key]:
            items.append((key, form[key]))
    items += [("filter", f) for f in _filters(form)]
    if form["attribution"] != "seller":
        items.append(("attribution", form["attribution"]))
    return items


def _check_region(actor: Actor, form: dict[str, Any]) -> str | None:
    """The form's region when the viewer may see it (PermissionDenied otherwise); none for her whole scope."""
    code = params.region_code(form["region"])
    return dashboard.view_region(actor, code) if code else None


def _common(request: Request, actor: Actor, form: dict[str, Any], tab: str) -> dict[str, Any]:
    return {
        "title": "统计分析",
        "tab": tab,
        "form": form,
        "indicators": list(INDICATORS.values()),
        "unit_of": lambda indicator: unit_of(indicator)[1],
        "dimensions": DIMENSIONS,
        "region_options": region_options(actor),
        "compares": COMPARES,
        "attributions": ATTRIBUTIONS,
        "filters": {d: list(codes) for d, codes in FILTERS.items()},
        "filter_names": {d: DIMENSIONS[d].zh for d in FILTERS},
        "subjects": SUBJECTS,
        "sales": SALES,
    }


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, actor: CurrentActor) -> Response:
    """统计分析: any indicator over any period, cut by any dimensions, with 同比/环比 and shares; table, chart, XLSX."""
    form = _form(request, rank=False)
    context = _common(request, actor, form, "query")
    try:
        _check_region(actor, form)
        query = params.build_query(
            form["indicator"],
            ",".join(form["by"]) or None,
            form["from"] or None,
            form["to"] or None,
            form["period"] or None,
            form["region"] or None,
            form["compare"] or None,
            form["share"],
            _filters(form),
            form["attribution"],
        )
        result = service.query(query, actor, app_settings(request))
    except LiveCommerceError as exc:
        return render(request, "stats/analysis.html", context | {"error": _message(exc)})
    table = query_table(result)
    context |= _table_context(request, table, form) | {
        "result": result,
        "chart": _chart(result),
        "export_link": "/api/stats/query.xlsx?" + urlencode(_api_params(form, rank=False)),
    }
    return render(request, "stats/analysis.html", context)


@router.get("/stats/rank", response_class=HTMLResponse)
def rank_page(request: Request, actor: CurrentActor) -> Response:
    """排行: the top entities, shops, streamers, products, counties or cities, with the change of rank; XLSX."""
    form = _form(request, rank=True)
    context = _common(request, actor, form, "rank")
    try:
        _check_region(actor, form)
        top = int(form["top"] or "10") if (form["top"] or "10").isdigit() else -1
        query = params.build_rank(
            form["indicator"],
            form["of"] or "entity",
            top,
            form["from"] or None,
            form["to"] or None,
            form["period"] or None,
            form["region"] or None,
            form["compare"] or "mom",
            _filters(form),
            form["attribution"],
        )
        result = service.rank(query, actor, app_settings(request))
    except LiveCommerceError as exc:
        return render(request, "stats/analysis.html", context | {"error": _message(exc)})
    context |= _table_context(request, rank_table(result), form) | {
        "result": result,
        "export_link": "/api/stats/rank.xlsx?" + urlencode(_api_params(form, rank=True)),
    }
    return render(request, "stats/analysis.html", context)


def _message(exc: LiveCommerceError) -> str:
    if isinstance(exc, PermissionDenied):
        return f"无权查询：{exc}"
    return f"查询条件有误：{exc}"


def _table_context(request: Request, table: StatTable, form: dict[str, Any]) -> dict[str, Any]:
    """Sort (by a column, ?sort=2 or -2; empty cells last either way) and page (?page=) a result table with the table
    framework, the way every table of the console does; a refused sort or page is shown above the table."""
    framework = table.table()
    carry = [(k, v) for k, v in request.query_params.multi_items() if k not in ("sort", "page")]
    query, refused = framework.parse_or_default(request.query_params, path=request.url.path, carry=carry)
    page = framework.page_of(table.keyed_rows(), query)
    return {
        "table": table,
        "rows": [(row["raw"], row["shown"]) for row in page.rows],
        "total_rows": page.total,
        "page": page.page,
        "pages": page.pages,
        "page_link": page.link,
        "sort_link": lambda index: query.sort_link(str(index)),
        "sort": query.sort_param,
    } | ({"error": f"查询条件有误：{refused}"} if refused else {})


def _chart(result: Result) -> dict[str, Any]:
    """The result as a chart: a line over time when cut by a time grain (a line per code of a second cut, the 8
    largest), else bars of the 30 largest rows."""
    q = result.query
    kind, unit = unit_of(result.indicator)
    scale = panels.chart_number
    grain = q.time_grain
    if not q.by:
        return {}
    if grain:
        keys = sorted({row.keys[grain] for row in result.rows})
        names = {row.keys[grain]: row.names[grain] for row in result.rows}
        other = next((d for d in q.by if d != grain), None)
        if other is None:
            by_key = {row.keys[grain]: row for row in result.rows}
            series = [{"name": result.indicator.zh, "values": [scale(by_key[k].value, kind) for k in keys]}]
            if q.compare:
                label = "上年同期" if q.compare == "yoy" else "上期"
                series.append({"name": label, "values": [scale(by_key[k].previous, kind) for k in keys]})
        else:
            totals: dict[str, Any] = {}
            for row in result.rows:
                code = row.keys[other]
                totals[code] = totals.get(code, 0) + (row.value or 0)
            chosen = sorted(totals, key=lambda c: -totals[c])[:8]
            cells = {(row.keys[other], row.keys[grain]): row for row in result.rows}
            labels = {row.keys[other]: row.names[other] for row in result.rows}
            series = [
                {"name": labels[c], "values": [scale(cells[(c, k)].value, kind) if (c, k) in cells else None for k in keys]} for c in chosen
            ]
        return {"type": "line", "unit": unit, "categories": [names[k] for k in keys], "series": series}
    rows = sorted((r for r in result.rows if r.value is not None), key=lambda r: -r.value)[:30]  # type: ignore[operator]
    return {
        "type": "bar",
        "unit": unit,
        "categories": ["·".join(r.names[d] for d in q.by) for r in rows],
        "series": [{"name": result.indicator.zh, "values": [scale(r.value, kind) for r in rows]}],
    }
