"""core.web.tables: a list declared once — parsing and refusing its query, sorting, paging, sums over the filtered set
(in memory and on a SQLAlchemy select), the sheet of the same columns with units, and the shared macros."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import jinja2
import pytest
from openpyxl import load_workbook
from sqlalchemy import Integer, Numeric, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.web.tables import Filter, Table, TableColumn
from livecommerce.core.web.templating import template_dirs, thousands, wan
from livecommerce.core.web.writer import xlsx_bytes

SHOPS = Table(
    "店铺",
    (
        TableColumn("name", "店铺", sortable=True),
        TableColumn("city", "城市"),
        TableColumn("gmv", "成交额", "元", "money", sortable=True, summed=True, shown="wan"),
        TableColumn("orders", "订单数", kind="int", sortable=True, summed=True),
        TableColumn("live", "直播"),
    ),
    (
        Filter("city", "城市", "choice", ("哈尔滨", "齐齐哈尔", "牡丹江"), field="city"),
        Filter("name", "店铺", field="name", match="contains"),
        Filter("live", "直播", "flag", field="live"),
    ),
    default_sort="-gmv",
    page_size=2,
)
ROWS = [
    {"name": "甲", "city": "哈尔滨", "gmv": Decimal("30000.00"), "orders": 3, "live": True},
    {"name": "乙", "city": "哈尔滨", "gmv": Decimal("10000.50"), "orders": 1, "live": False},
    {"name": "丙", "city": "齐齐哈尔", "gmv": Decimal("50000.00"), "orders": 5, "live": True},
    {"name": "丁", "city": "哈尔滨", "gmv": Decimal("20000.00"), "orders": 2, "live": True},
    {"name": "戊", "city": "哈尔滨", "gmv": None, "orders": 0, "live": False},
]


def names(rows: list[Any]) -> list[str]:
    return [r["name"] for r in rows]


def test_default_sort_is_descending_with_empty_cells_last() -> None:
    page = SHOPS.page_of(ROWS, SHOPS.parse({}))
    assert names(page.matched) == ["丙", "甲", "丁", "乙", "戊"]
    assert (page.total, page.pages, names(page.rows)) == (5, 3, ["丙", "甲"])


def test_sort_ascending_and_by_its_name() -> None:
    query = SHOPS.parse({"sort": "orders"})
    assert (query.sort, query.descending, query.sort_param) == ("orders", False, "orders")
    assert names(SHOPS.page_of(ROWS, query).matched) == ["戊", "乙", "丁", "甲", "丙"]


def test_filters_page_and_sums_over_the_whole_filtered_set() -> None:
    query = SHOPS.parse({"city": "哈尔滨", "live": "true", "page": "2"})
    page = SHOPS.page_of(ROWS, query)
    assert names(page.matched) == ["甲", "丁"] and page.total == 2
    assert (page.page, page.pages, page.rows) == (1, 1, page.matched)  # page 2 of 1 shows the last page
    assert page.sums == {"gmv": Decimal("50000.00"), "orders": 5}
    second = SHOPS.page_of(ROWS, SHOPS.parse({"city": "哈尔滨", "page": "2"}))
    assert names(second.rows) == ["乙", "戊"] and second.offset == 2  # 甲 丁 | 乙 戊 (no amount, last)
    assert second.sums == {"gmv": Decimal("60000.50"), "orders": 6}  # every 哈尔滨 shop, not only this page
    assert names(SHOPS.page_of(ROWS, SHOPS.parse({"name": "丙"})).matched) == ["丙"]


@pytest.mark.parametrize(
    ("params", "column", "rule"),
    [
        ({"sort": "price"}, "sort", "应为以下之一：name、gmv、orders"),
        ({"sort": "-city"}, "sort", "应为以下之一：name、gmv、orders"),
        ({"city": "北京"}, "city", "应为以下之一：哈尔滨、齐齐哈尔、牡丹江"),
        ({"live": "maybe"}, "live", "应为 true 或 false"),
        ({"page": "0"}, "page", "应为 1 到 100000 的整数"),
        ({"page": "abc"}, "page", "应为 1 到 100000 的整数"),
        ({"name": "长" * 101}, "name", "至多 100 个字符"),
    ],
)
def test_a_refused_parameter_is_named_with_its_value_and_rule(params: dict[str, str], column: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        SHOPS.parse(params)
    problem = refused.value.problems[0]
    assert problem.column == column and problem.rule.startswith(rule)
    assert problem.value == next(iter(params.values()))[:40]
    query, error = SHOPS.parse_or_default(params, path="/shops")
    assert error is not None and query == SHOPS.default_query("/shops")


def test_a_strict_table_refuses_a_parameter_it_does_not_declare() -> None:
    assert SHOPS.parse({"colour": "红"}).filters == {}  # a page's other parameters are the caller's
    with pytest.raises(ValidationFailed) as refused:
        SHOPS.parse({"colour": "红", "city": "哈尔滨"}, strict=True)
    assert [(p.column, p.value) for p in refused.value.problems] == [("colour", "红")]
    assert refused.value.problems[0].rule == "不是此列表的参数，可用：city、name、live、sort、page"
    assert str(refused.value) == "参数 colour 的值 '红' 不合规则：不是此列表的参数，可用：city、name、live、sort、page"
    assert SHOPS.parse({"colour": "红"}, strict=True, carry=[("colour", "红")]).carry == (("colour", "红"),)


def test_links_keep_filters_and_flip_the_sort() -> None:
    query = SHOPS.parse({"city": "哈尔滨", "sort": "orders", "page": "2"}, path="/shops")
    assert query.link(page=3) == "/shops?city=%E5%93%88%E5%B0%94%E6%BB%A8&sort=orders&page=3"
    assert query.sort_link("orders") == "/shops?city=%E5%93%88%E5%B0%94%E6%BB%A8&sort=-orders"  # page back to 1
    assert query.sort_link("name") == "/shops?city=%E5%93%88%E5%B0%94%E6%BB%A8&sort=name"
    assert SHOPS.parse({}, path="/shops").link() == "/shops"  # the default sort is not written
    assert (query.sorted_by("orders"), query.sorted_by("gmv")) == ("ascending", "none")


def test_sheet_has_the_same_columns_with_units_and_a_total_row() -> None:
    rows = SHOPS.page_of(ROWS, SHOPS.parse({"city": "哈尔滨"})).matched
    book = load_workbook(io.BytesIO(xlsx_bytes([SHOPS.to_sheet(rows, sums="name")])))
    values = [list(r) for r in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert values[0] == ["店铺", "城市", "成交额（元）", "订单数", "直播"]
    assert values[1] == ["甲", "哈尔滨", 30000, 3, "是"]
    assert values[-1] == ["合计", None, 60000.5, 6, None]
    assert [c.page_title for c in SHOPS.columns][2] == "成交额（万元）"  # the page shows yuan in 万元


class Base(DeclarativeBase):
    pass


class Shop(Base):
    __tablename__ = "shop"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(10))
    gmv: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    orders: Mapped[int] = mapped_column(Integer)


def test_a_select_is_counted_summed_ordered_and_cut_in_sql() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Shop(id=n, **{k: r[k] for k in ("name", "city", "gmv", "orders")}) for n, r in enumerate(ROWS, 1))
        session.flush()
        query = SHOPS.parse({"city": "哈尔滨", "sort": "-gmv", "page": "2"})
        page = SHOPS.select_page(
            session,
            select(Shop),
            query,
            order={"gmv": Shop.gmv, "orders": Shop.orders, "name": Shop.name},
            where={"city": lambda v: Shop.city == v},
            sums={"gmv": Shop.gmv, "orders": Shop.orders},
            tiebreak=(Shop.id,),
        )
        assert (page.total, page.pages, [s.name for s in page.rows]) == (4, 2, ["乙", "戊"])  # 甲 丁 | 乙 戊(no gmv last)
        assert Decimal(page.sums["gmv"]) == Decimal("60000.50") and page.sums["orders"] == 6


def test_the_shared_macros_render_a_page() -> None:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader([str(p) for p in template_dirs()]), autoescape=True)
    environment.filters.update(wan=wan, thousands=thousands)
    page = SHOPS.page_of(ROWS, SHOPS.parse({"city": "哈尔滨"}, path="/shops"))
    html = environment.from_string(
        '{% import "_table.html" as t %}<table>{{ t.head(page) }}{{ t.body(page) }}{{ t.sums(page) }}</table>{{ t.pager(page) }}'
    ).render(page=page)
    assert (
        '<th class="num" aria-sort="descending"><a href="/shops?city=%E5%93%88%E5%B0%94%E6%BB%A8&amp;sort=gmv">成交额（万元） ▼</a></th>'
        in html
    )
    assert '<td>甲</td><td>哈尔滨</td><td class="num">3.00</td><td class="num">3</td><td>是</td>' in html
    assert '<tr class="total"><td>合计</td><td></td><td class="num">6.00</td><td class="num">6</td><td></td></tr>' in html
    assert "第 1 / 2 页，每页 2 项" in html and "page=2" in html
