"""The one navigation of the console (DESIGN.md: The console); a page not built yet answers 建设中."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """One entry of the top navigation: its Chinese label and the path of its page."""

    label: str
    path: str

    def active(self, path: str) -> bool:
        """Whether a request path belongs to this entry (the entry's page or one below it)."""
        if self.path == "/":
            return path == "/"
        return path == self.path or path.startswith(self.path + "/")


NAV: tuple[NavItem, ...] = (
    NavItem("总览", "/"),
    NavItem("统计分析", "/stats"),
    NavItem("直播监测", "/monitor"),
    NavItem("预警中心", "/alerts"),
    NavItem("政策兑现", "/policy"),
    NavItem("合规检测", "/compliance"),
    NavItem("主体库", "/entities"),
    NavItem("数据接入", "/ingest"),
    NavItem("报告", "/reports"),
    NavItem("系统管理", "/admin"),
)
