/* The dashboard's charts (Apache ECharts, served by the app). The figures come from the
   page itself (a JSON script element the server writes beside the tables of the same
   numbers); when htmx swaps in a fresher copy of the dashboard, the charts are drawn again
   from it. No inline code: the CSP forbids it. */
(function () {
  "use strict";

  var grid = { left: 48, right: 48, top: 36, bottom: 28, containLabel: true };

  function names(rows, key) { return rows.map(function (r) { return r[key]; }); }

  function hourChart(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: grid,
      xAxis: { type: "category", data: data.today.hours },
      yAxis: { type: "value", minInterval: 1 },
      series: data.today.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "types", data: s.data };
      })
    };
  }

  function departmentChart(data, words) {
    var rows = data.departments.slice(0, 12);
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: "category", data: names(rows, "department"), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: words.open, type: "bar", data: names(rows, "open") },
        { name: words.overdue, type: "bar", data: names(rows, "overdue"), itemStyle: { color: "#c0392b" } }
      ]
    };
  }

  function trendChart(rows, countName, countKey, shareName) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: "category", data: names(rows, "week") },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: [
        { name: countName, type: "bar", data: names(rows, countKey) },
        { name: shareName, type: "line", yAxisIndex: 1, connectNulls: false, data: names(rows, "share") }
      ]
    };
  }

  function hotSpotChart(rows, name) {
    var top = rows.slice().reverse();
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names(top, "name") },
      series: [{ name: name, type: "bar", data: names(top, "count"), itemStyle: { color: "#d35400" } }]
    };
  }

  function optionFor(key, data, words) {
    if (key === "today") { return hourChart(data); }
    if (key === "departments") { return departmentChart(data, words); }
    if (key === "on_time") { return trendChart(data.on_time, words.due, "due", words.onTime); }
    if (key === "satisfaction") { return trendChart(data.satisfaction, words.called, "called", words.satisfied); }
    if (key.indexOf("hot_spots.") === 0) {
      var which = key.slice("hot_spots.".length);
      return hotSpotChart(data.hot_spots[which], words.complaints);
    }
    return null;
  }

  function draw() {
    var section = document.getElementById("dashboard");
    var source = document.getElementById("dashboard-data");
    if (!section || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var words = {
      open: section.dataset.open, overdue: section.dataset.overdue, due: section.dataset.due,
      onTime: section.dataset.onTime, called: section.dataset.called,
      satisfied: section.dataset.satisfied, complaints: section.dataset.complaints
    };
    section.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = optionFor(el.dataset.chart, data, words);
      if (!option) { return; }
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { locale: data.locale, renderer: "canvas" });
      chart.setOption(option, true);
    });
    section.dataset.drawn = data.now;
    document.body.dataset.dashboardDraws = String(Number(document.body.dataset.dashboardDraws || 0) + 1);
  }

  function dispose(root) {
    if (typeof echarts === "undefined" || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) { chart.dispose(); }
    });
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "dashboard") { dispose(event.detail.target); }
  });
  document.body.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    document.querySelectorAll("#dashboard [data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
  draw();
}());
