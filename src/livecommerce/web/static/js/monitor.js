/* 直播监测: the wall and a session's page refresh themselves from server-sent events (monitor/pages.py sends the page's
   JSON whenever the hub changes); the session and review pages draw their curves with ECharts; 大屏 mode and 打印.
   Everything is built with textContent, never innerHTML: chat lines and shop names come from outside. */
(function () {
  "use strict";
  var DARK_KEY = "lc-monitor-dark";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] === null || attrs[name] === undefined || attrs[name] === false) { return; }
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }
  function thousands(n) { return Number(n || 0).toLocaleString("zh-CN"); }
  function setText(id, value) { var node = document.getElementById(id); if (node) { node.textContent = value; } }
  function replace(node, children) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    children.forEach(function (child) { node.appendChild(child); });
  }

  /* 大屏 mode: a dark wall for the duty room, remembered in this browser */
  var toggle = document.querySelector("[data-dark-toggle]");
  if (toggle) {
    var apply = function (on) {
      document.body.classList.toggle("mon-dark", on);
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "退出大屏" : "大屏模式";
      window.dispatchEvent(new Event("resize"));
    };
    if (document.body.classList.contains("mon-dark") || window.localStorage.getItem(DARK_KEY) === "1") { apply(true); }
    toggle.addEventListener("click", function () {
      var on = !document.body.classList.contains("mon-dark");
      window.localStorage.setItem(DARK_KEY, on ? "1" : "0");
      apply(on);
    });
  }
  var printButton = document.querySelector("[data-print]");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }

  function listen(url, onData) {
    var state = document.getElementById("stream-state");
    var source = new EventSource(url);
    source.onopen = function () { if (state) { state.dataset.state = "open"; state.textContent = "实时"; } };
    source.onerror = function () { if (state) { state.dataset.state = "error"; state.textContent = "重连中"; } };
    source.onmessage = function (message) { onData(JSON.parse(message.data)); };
    window.addEventListener("beforeunload", function () { source.close(); });
    return source;
  }

  function spark(points, kind) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "spark spark-" + kind);
    svg.setAttribute("viewBox", "0 0 120 28");
    svg.setAttribute("preserveAspectRatio", "none");
    if (points) {
      var line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
      line.setAttribute("points", points);
      svg.appendChild(line);
    }
    return svg;
  }

  /* ---- the wall ---- */
  function card(s) {
    return el("a", { "class": "mon-card" + (s.alerts_firing ? " has-alert" : ""), href: s.href,
      "data-session": s.platform + "/" + s.session_id }, [
      el("div", { "class": "mon-card-head" }, [
        el("span", { "class": "mon-plat", text: s.platform_name }),
        el("span", { "class": "mon-title", title: s.session_id, text: s.shop || s.session_id }),
        s.alerts_firing ? el("span", { "class": "mon-badge", text: s.alerts_firing + " 条预警" }) : null]),
      el("div", { "class": "mon-card-sub" }, [(s.streamer || "—") + " · " + (s.region_name || "—") + " · ",
        el("span", { "class": "mono", text: s.session_id })]),
      el("div", { "class": "mon-card-figs" }, [
        el("div", {}, [el("span", { "class": "fig-label", text: "在线" }),
          el("span", { "class": "fig-value", "data-fig": "online", text: thousands(s.online) }), spark(s.spark_online, "online")]),
        el("div", {}, [el("span", { "class": "fig-label", text: "订单" }),
          el("span", { "class": "fig-value", "data-fig": "orders", text: thousands(s.orders) }), spark(s.spark_orders, "orders")])]),
      el("div", { "class": "mon-card-foot" }, [el("span", { text: "成交 " + s.gmv_wan + " 万元" }),
        el("span", { text: "峰值 " + thousands(s.peak_online) }),
        el("span", { "class": "st-" + s.status, text: s.status_name + " · " + s.last_event })])]);
  }
  function wallAlert(a) {
    return el("div", { "class": "mon-alert sev-row-" + a.severity }, [
      el("span", { "class": "sev sev-" + a.severity, text: a.severity_name }), " ",
      el("a", { "class": "mon-alert-title", href: a.href, text: a.title }), " ",
      a.session_href ? el("a", { "class": "mon-alert-session", href: a.session_href, text: a.shop || a.session_id }) : null, " ",
      el("span", { "class": "muted", text: a.platform_name + " · " + a.region_name + " · 自 " + a.since }),
      el("span", { "class": "mon-alert-summary", text: a.summary }),
      a.acknowledged ? el("span", { "class": "tag tag-ok", text: "已确认" + (a.assignee ? " · " + a.assignee : "") })
        : el("span", { "class": "tag tag-warn", text: "待确认" })]);
  }
  function drawWall(data) {
    var t = data.totals;
    setText("kpi-live", thousands(t.live));
    setText("kpi-online", thousands(t.online));
    setText("kpi-gmv", t.gmv_wan);
    setText("kpi-orders", thousands(t.orders));
    setText("kpi-firing", thousands(t.firing));
    setText("wall-clock", data.at);
    document.querySelector(".kpi-alert").classList.toggle("on", t.firing > 0);
    document.getElementById("wall-alerts").classList.toggle("on", data.firing.length > 0);
    replace(document.getElementById("wall-alert-list"), data.firing.length ? data.firing.map(wallAlert)
      : [el("p", { "class": "muted empty", id: "no-alerts", text: "当前没有告警中的预警。" })]);
    replace(document.getElementById("wall-sessions"), data.sessions.length ? data.sessions.map(card)
      : [el("p", { "class": "muted empty mon-empty", text: "当前没有直播中的场次。平台推送事件后，场次会自动出现在这里。" })]);
    setText("wall-count", t.live > data.shown ? "共 " + t.live + " 场，显示预警场次及在线人数最多的 " + data.shown + " 场"
      : "共 " + t.live + " 场");
    document.getElementById("wall-sessions").dataset.version = data.version;
  }
  var wallHolder = document.getElementById("wall-data");
  if (wallHolder) { listen(wallHolder.dataset.stream, drawWall); }

  /* ---- charts ---- */
  function dark() { return document.body.classList.contains("mon-dark"); }
  function baseOption() {
    var ink = dark() ? "#dbe7ff" : "#4b5563";
    return { backgroundColor: "transparent", animation: false, color: ["#1a62bd", "#f59e0b", "#12805c", "#9333ea"],
      textStyle: { color: ink }, tooltip: { trigger: "axis" }, legend: { top: 0, textStyle: { color: ink } },
      grid: { left: 56, right: 56, top: 36, bottom: 36 } };
  }
  function chartOf(id) {
    var node = document.getElementById(id);
    if (!node || !window.echarts) { return null; }
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  /* ---- one live session ---- */
  /* curves come as [epoch ms, value]; the axis shows Shanghai wall time whatever the browser's zone (UTC + 8 h) */
  var SHANGHAI = 8 * 3600 * 1000;
  function shifted(points) {
    return (points || []).map(function (p) { return [p[0] + SHANGHAI, p[1]]; });
  }
  function liveOption(data) {
    var option = baseOption();
    var online = shifted(data.series.online);
    var few = online.length < 40;
    option.useUTC = true;
    option.xAxis = { type: "time" };
    if (online.length) {  /* at least the last minute on the axis (one point alone would span two days) */
      var last = online[online.length - 1][0] + 10000;
      option.xAxis.max = last;
      option.xAxis.min = Math.min(online[0][0], last - 60000);
    }
    option.yAxis = [{ type: "value", name: "在线人数", minInterval: 1 }, { type: "value", name: "订单/弹幕", minInterval: 1 }];
    option.series = [
      { name: "在线人数", type: "line", showSymbol: few, symbolSize: 5, connectNulls: true, areaStyle: { opacity: 0.08 },
        data: online },
      { name: "订单", type: "bar", yAxisIndex: 1, barMaxWidth: 10, data: shifted(data.series.orders) },
      { name: "弹幕", type: "line", yAxisIndex: 1, showSymbol: few, symbolSize: 4, connectNulls: true,
        lineStyle: { width: 1 }, data: shifted(data.series.chat) }];
    return option;
  }
  function chatItem(c) {
    var text = el("span", { "class": "chat-text" }, c.pieces.map(function (p) {
      return p.rule ? el("mark", { title: p.rule, text: p.text }) : document.createTextNode(p.text);
    }));
    return el("li", { "class": (c.negative ? "negative" : "") + (c.flagged ? " flagged" : "") }, [
      el("span", { "class": "chat-time", text: c.time }), el("span", { "class": "chat-user", text: c.user }), text,
      c.negative ? el("span", { "class": "neg-tag", text: "负面" }) : null]);
  }
  function drawSession(chart, data) {
    if (data.gone) { window.location.reload(); return; }
    setText("fig-online", thousands(data.online));
    setText("fig-peak", thousands(data.peak_online));
    setText("fig-total", thousands(data.total_viewers));
    setText("fig-gmv", data.gmv);
    setText("fig-orders", thousands(data.orders));
    setText("fig-refunds", thousands(data.refunds));
    setText("fig-chat", thousands(data.chat_lines));
    setText("fig-last-event", data.last_event_time);
    setText("session-status", data.status_name);
    var holder = document.getElementById("session-chart");
    holder.dataset.lastOnline = data.last.online === null ? "" : data.last.online;
    holder.dataset.lastOrders = data.last.orders === null ? "" : data.last.orders;
    if (chart) { chart.setOption(liveOption(data), true); }
    replace(document.getElementById("chat-list"), data.chat.length ? data.chat.slice().reverse().map(chatItem)
      : [el("li", { "class": "muted", text: "暂无弹幕。" })]);
    replace(document.getElementById("alert-list"), data.alerts.length ? data.alerts.map(function (a) {
      return el("div", { "class": "mon-alert sev-row-" + a.severity }, [
        el("span", { "class": "sev sev-" + a.severity, text: a.severity_name }), " ", el("strong", { text: a.title || a.rule }), " ",
        el("span", { "class": "state state-" + a.state, text: { firing: "告警中", pending: "待定", nodata: "无数据", resolved: "已恢复" }[a.state] || a.state }),
        " ", el("span", { "class": "muted", text: "自 " + a.since_time }), el("div", { "class": "mon-alert-summary", text: a.summary })]);
    }) : [el("p", { "class": "muted empty", text: "暂无预警。" })]);
    var hitBody = document.querySelector("#hit-table tbody");
    replace(hitBody, data.hits.length ? data.hits.slice().reverse().map(function (h) {
      return el("tr", {}, [el("td", { "class": "nowrap", text: h.time }), el("td", { "class": "nowrap", text: h.source_name }),
        el("td", {}, [el("mark", { title: h.rule, text: h.text })]), el("td", { "class": "mono", text: h.rule }),
        el("td", { "class": "small", text: h.law || "" })]);
    }) : [el("tr", {}, [el("td", { colspan: "5", "class": "muted", text: "暂无违规命中。" })])]);
    if (data.products && data.products.length) {
      replace(document.querySelector("#product-table tbody"), data.products.map(function (p) {
        return el("tr", { "class": p.changed ? "changed" : null }, [el("td", { "class": "mono", text: p.product_id }),
          el("td", { text: p.title }), el("td", { "class": "num", text: p.first_price }), el("td", { "class": "num", text: p.price }),
          el("td", { "class": "num", text: String(p.orders) }), el("td", { "class": "num", text: p.gmv })]);
      }));
    }
  }
  var sessionHolder = document.getElementById("session-data");
  if (sessionHolder) {
    var sessionChart = chartOf("session-chart");
    var first = JSON.parse(sessionHolder.textContent);
    if (sessionChart) { sessionChart.setOption(liveOption(first), true); window.monitorChart = sessionChart; }
    listen(sessionHolder.dataset.stream, function (data) { drawSession(sessionChart, data); });
  }

  /* ---- minute curves of a stored session and of the review, with the timeline's marks ---- */
  function minuteChart(id, data) {
    var chart = chartOf(id);
    if (!chart) { return; }
    var option = baseOption();
    var index = {};
    data.labels.forEach(function (label, i) { index[label] = i; });
    var marks = data.marks.filter(function (m) { return index[m.label] !== undefined; }).map(function (m) {
      return { name: m.what, coord: [m.label, data.online[index[m.label]]], value: m.kind,
        symbol: m.kind === "预警" ? "triangle" : "circle", symbolSize: m.kind === "预警" ? 14 : 9,
        itemStyle: { color: m.kind === "预警" ? "#dc2626" : "#d97706" }, label: { show: false } };
    });
    option.xAxis = { type: "category", data: data.labels, boundaryGap: true };
    option.yAxis = [{ type: "value", name: "在线人数", minInterval: 1 }, { type: "value", name: "订单", minInterval: 1 }];
    option.series = [
      { name: "在线人数（每分钟最高）", type: "line", showSymbol: data.labels.length < 40, areaStyle: { opacity: 0.08 }, data: data.online,
        markPoint: { data: marks, tooltip: { formatter: function (p) { return p.value + "：" + p.name; } } } },
      { name: "订单", type: "bar", yAxisIndex: 1, barMaxWidth: 16, data: data.orders },
      { name: "弹幕", type: "line", yAxisIndex: 1, showSymbol: false, lineStyle: { width: 1 }, data: data.chat }];
    chart.setOption(option);
    window.addEventListener("beforeprint", function () { chart.resize(); });
  }
  ["stored", "review"].forEach(function (name) {
    var holder = document.getElementById(name + "-data");
    if (!holder || !holder.textContent.trim()) { return; }
    var data = JSON.parse(holder.textContent);
    if (data.labels.length) {
      minuteChart(name + "-chart", data);
    } else {
      replace(document.getElementById(name + "-chart"), [el("p", { "class": "muted empty mon-empty",
        text: "尚无分钟数据：每分钟结束后写入，直播进行中的场次稍后再看。" })]);
      document.getElementById(name + "-chart").style.height = "auto";
    }
  });
})();
