/* 总览 and 大屏: draw the map, the monthly trend and the breakdowns from the figures the page embeds
   (#dashboard-data, made by stats/dashboard.py). The page's tables are rendered by the server; this only adds charts.
   Clicking a prefecture opens the same page for that city (its counties' map and tables). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var modeSelect = document.querySelector("[data-period-mode]");
  function showMode() {
    var mode = modeSelect.value;
    document.querySelectorAll("[data-mode]").forEach(function (field) {
      field.hidden = field.getAttribute("data-mode") !== mode;
    });
  }
  if (modeSelect) {
    modeSelect.addEventListener("change", showMode);
    showMode();
  }

  var holder = document.getElementById("dashboard-data");
  if (!holder || !window.echarts) {
    return;
  }
  var data = JSON.parse(holder.textContent);
  var dark = document.body.classList.contains("screen");
  var ink = dark ? "#dbe7ff" : "#1f2937";
  var soft = dark ? "#8aa0c6" : "#6b7280";
  var line = dark ? "rgba(127,180,255,.18)" : "#e3e8ef";
  var palette = ["#1a62bd", "#f59e0b", "#12805c", "#9333ea", "#e11d48", "#0891b2", "#65a30d", "#c2410c", "#475569",
    "#db2777", "#4f46e5", "#0d9488"];
  var charts = [];

  function make(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    var chart = echarts.init(element, dark ? "dark" : null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function shown(value, unit) {
    if (value === null || value === undefined) {
      return "—";
    }
    var digits = unit === "万元" || unit === "%" ? 2 : 0;
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  var base = { backgroundColor: "transparent", color: palette, textStyle: { color: ink } };

  /* the map: prefectures of the province (map "黑龙江", heilongjiang.js) or the counties of one city */
  function drawMap(mapName) {
    var chart = make("map");
    if (!chart) {
      return;
    }
    var info = data.map;
    var values = info.data.map(function (d) { return num(d.value); }).filter(function (v) { return v !== null; });
    var max = values.length ? Math.max.apply(null, values) : 0;
    chart.setOption(Object.assign({}, base, {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data;
          if (!d) {
            return p.name + "<br>本期无数据";
          }
          return "<b>" + d.name + "</b><br>" + info.indicator_name + "：" + d.display + " " + info.unit +
            "<br>同比：" + d.yoy;
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: max > 0 ? max : 1, left: 12, bottom: 12, calculable: true,
        text: ["高", "低"], textStyle: { color: soft }, itemHeight: dark ? 160 : 110,
        inRange: { color: dark ? ["#1d4b86", "#2f7fd6", "#5cb8ff", "#b8ecff"] : ["#d6e6f8", "#8fbbe8", "#2f74c8", "#0a2c5c"] }
      },
      series: [{
        type: "map", map: mapName, name: info.indicator_name, roam: false, selectedMode: false,
        layoutCenter: ["50%", "50%"], layoutSize: "95%",
        label: { show: true, fontSize: dark ? 13 : 11, color: dark ? "#ffffff" : "#1f2937",
          textBorderColor: dark ? "#0b1a33" : "#ffffff", textBorderWidth: 2 },
        labelLayout: info.level === "county" ? { hideOverlap: true } : undefined,  // a city's small urban districts
        /* a region without figures: grey, apart from the blues of the scale */
        itemStyle: { borderColor: dark ? "#6fa8ff" : "#ffffff", borderWidth: 1, areaColor: dark ? "#283142" : "#f1f1f1" },
        emphasis: { label: { show: true, color: "#1f2937" }, itemStyle: { areaColor: "#ffd666" } },
        data: info.data.map(function (d) {
          return { name: d.name, value: num(d.value), code: d.code, display: d.display, yoy: d.yoy };
        })
      }]
    }));
    chart.on("click", function (p) {
      if (info.level === "city" && data.drill && p.data && p.data.code) {
        window.location.href = data.drill + encodeURIComponent(p.data.code);
      }
    });
    document.getElementById("map").setAttribute("data-ready", mapName);
  }

  function mapFailed(message) {
    var element = document.getElementById("map");
    if (element) {
      element.innerHTML = '<p class="muted">' + message + "</p>";
      element.setAttribute("data-ready", "failed");
    }
  }

  if (data.map.level === "city") {
    if (echarts.getMap("黑龙江")) {
      drawMap("黑龙江");
    } else {
      mapFailed("地图边界数据未安装（运行 make assets）。");
    }
  } else if (document.getElementById("map")) {
    var mapName = "county-" + data.map.city;
    fetch("/stats/maps/" + data.map.city + ".json", { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (geo) {
        echarts.registerMap(mapName, geo);
        drawMap(mapName);
      })
      .catch(function () { mapFailed("县(市、区)地图加载失败。"); });
  }

  /* the monthly trend: this year's bars beside last year's line */
  var trend = make("trend");
  if (trend) {
    var t = data.trend;
    trend.setOption(Object.assign({}, base, {
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var index = items[0].dataIndex;
          var lines = [items[0].axisValue];
          items.forEach(function (item) {
            lines.push(item.marker + item.seriesName + "：" + shown(item.value, t.unit) + " " + t.unit);
          });
          var yoy = t.yoy[index];
          lines.push("同比：" + (yoy === null ? "—" : (Number(yoy) > 0 ? "↑" : Number(yoy) < 0 ? "↓" : "") +
            Math.abs(Number(yoy)).toFixed(2) + "%"));
          return lines.join("<br>");
        }
      },
      legend: { top: 0, textStyle: { color: ink } },
      grid: { left: 70, right: 24, top: 36, bottom: 28 },
      xAxis: { type: "category", data: t.months, axisLine: { lineStyle: { color: line } }, axisLabel: { color: soft } },
      yAxis: { type: "value", name: t.unit, nameTextStyle: { color: soft }, axisLabel: { color: soft },
        splitLine: { lineStyle: { color: line } } },
      series: [
        { name: t.this_year.name, type: "bar", barMaxWidth: 26, data: t.this_year.values.map(num),
          itemStyle: { color: dark ? "#3d8bff" : "#1a62bd" } },
        { name: t.last_year.name, type: "line", symbolSize: 6, data: t.last_year.values.map(num),
          itemStyle: { color: "#f59e0b" }, lineStyle: { type: "dashed" } }
      ]
    }));
  }

  /* breakdowns: categories as bars (the ten largest), platforms and channels as rings */
  data.breakdowns.forEach(function (b) {
    var chart = make("breakdown-" + b.key);
    if (!chart) {
      return;
    }
    var rows = b.rows.map(function (r) { return { name: r.name, value: num(r.value) }; });
    if (!rows.length) {
      chart.setOption(Object.assign({}, base, {
        title: { text: "本期无数据", left: "center", top: "middle", textStyle: { color: soft, fontSize: 14 } }
      }));
      return;
    }
    if (b.key === "category") {
      var top = rows.slice().sort(function (a, c) { return c.value - a.value; }).slice(0, 10).reverse();
      chart.setOption(Object.assign({}, base, {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          valueFormatter: function (v) { return shown(v, "万元") + " 万元"; } },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", axisLabel: { color: soft }, splitLine: { lineStyle: { color: line } } },
        yAxis: { type: "category", data: top.map(function (r) { return r.name; }), axisLabel: { color: ink } },
        series: [{ type: "bar", name: "网络零售额", data: top.map(function (r) { return r.value; }), barMaxWidth: 16,
          itemStyle: { color: dark ? "#38a3ff" : "#2f74c8" } }]
      }));
      return;
    }
    chart.setOption(Object.assign({}, base, {
      tooltip: { trigger: "item", formatter: function (p) {
        return p.name + "：" + shown(p.value, "万元") + " 万元（" + p.percent.toFixed(2) + "%）";
      } },
      legend: { type: "scroll", orient: "vertical", right: 0, top: "middle", textStyle: { color: ink } },
      series: [{ type: "pie", radius: ["42%", "70%"], center: ["36%", "50%"], data: rows,
        label: { show: false }, itemStyle: { borderColor: dark ? "#0b1a33" : "#ffffff", borderWidth: 2 } }]
    }));
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });

  /* 大屏: a clock, full screen, fresh figures every five minutes */
  var clock = document.getElementById("screen-clock");
  if (clock) {
    var tick = function () {
      clock.textContent = new Date().toLocaleString("zh-CN", { hour12: false });
    };
    tick();
    window.setInterval(tick, 1000);
    window.setTimeout(function () { window.location.reload(); }, 5 * 60 * 1000);
  }
  var full = document.querySelector("[data-fullscreen]");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else if (document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen();
      }
    });
  }
}());
