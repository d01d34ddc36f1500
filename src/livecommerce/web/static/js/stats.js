/* 统计分析: draw the result's chart from the figures the page embeds (#stats-data, made by stats/pages.py):
   a line over time when the query is cut by a time grain, else bars of the largest rows. */
(function () {
  "use strict";
  var holder = document.getElementById("stats-data");
  var element = document.getElementById("stats-chart");
  if (!holder || !element || !window.echarts) {
    return;
  }
  var spec = JSON.parse(holder.textContent);
  var chart = echarts.init(element, null, { renderer: "canvas" });
  var digits = spec.unit === "万元" || spec.unit === "%" || spec.unit === "元/单" || spec.unit === "小时" ? 2 : 0;

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function shown(value) {
    if (value === null || value === undefined) {
      return "—";
    }
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  var bar = spec.type === "bar";
  chart.setOption({
    color: ["#1a62bd", "#f59e0b", "#12805c", "#9333ea", "#e11d48", "#0891b2", "#65a30d", "#c2410c"],
    tooltip: { trigger: "axis", valueFormatter: function (v) { return shown(v) + " " + spec.unit; } },
    legend: { top: 0, type: "scroll" },
    grid: { left: 12, right: 24, top: 36, bottom: bar ? 12 : 28, containLabel: true },
    xAxis: { type: "category", data: spec.categories,
      axisLabel: bar ? { interval: 0, rotate: spec.categories.length > 8 ? 35 : 0 } : {} },
    yAxis: { type: "value", name: spec.unit },
    series: spec.series.map(function (s, index) {
      return {
        name: s.name, type: bar ? "bar" : "line", data: s.values.map(num), barMaxWidth: 28,
        lineStyle: !bar && index > 0 && spec.series.length === 2 ? { type: "dashed" } : undefined
      };
    })
  });
  element.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
}());
