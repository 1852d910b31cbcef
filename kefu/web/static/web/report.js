/* The monthly report's charts (Apache ECharts, served by the app), drawn from the figures
   the page carries in a JSON script element beside the tables of the same numbers. */
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function bar(el, names, values, horizontal) {
    var chart = echarts.init(el, null, { locale: data.locale, renderer: "canvas" });
    var category = { type: "category", data: names, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ name: el.dataset.name, type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
  }
  document.querySelectorAll("[data-report-chart]").forEach(function (el) {
    if (el.dataset.reportChart === "volumes") {
      bar(el, data.volumes.map(function (v) { return v.name; }), data.volumes.map(function (v) { return v.count; }), false);
    } else if (el.dataset.reportChart === "category") {
      var rows = data.hot_spots.category.slice().reverse();
      bar(el, rows.map(function (r) { return r.name; }), rows.map(function (r) { return r.count; }), true);
    }
  });
  document.body.dataset.reportDrawn = "yes";
}());
