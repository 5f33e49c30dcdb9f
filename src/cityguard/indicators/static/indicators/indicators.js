/* Indicators pages: sparklines on the tiles, the street bar chart, an indicator's trend
   line and its breakdown bars (ECharts from static/vendor). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var COLOURS = { on: "#2e7d32", off: "#c62828", none: "#90a4ae" };
  var charts = [];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function make(el, option) {
    var c = echarts.init(el);
    c.setOption(option);
    charts.push(c);
  }

  var sparks = data("ind-sparklines");
  if (sparks) {
    document.querySelectorAll("[data-spark]").forEach(function (el) {
      var values = sparks.series[el.dataset.spark] || [];
      if (!values.some(function (v) { return v !== null; })) { el.hidden = true; return; }
      var tile = el.closest(".ind-tile");
      var status = tile && tile.classList.contains("ind-off") ? "off" : (tile && tile.classList.contains("ind-on") ? "on" : "none");
      make(el, {
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        tooltip: { trigger: "axis", confine: true },
        xAxis: { type: "category", data: sparks.months, show: false },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: values, symbol: "none", smooth: true, connectNulls: false,
          lineStyle: { width: 2, color: COLOURS[status] }, areaStyle: { opacity: .08, color: COLOURS[status] } }]
      });
    });
  }

  document.querySelectorAll("[data-ind-streets]").forEach(function (el) {
    var d = data(el.dataset.indStreets);
    make(el, {
      tooltip: { trigger: "axis" },
      legend: { data: [d.labels.off, d.labels.on] },
      grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: d.streets, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.labels.off, type: "bar", stack: "n", data: d.off, itemStyle: { color: COLOURS.off } },
        { name: d.labels.on, type: "bar", stack: "n", data: d.on, itemStyle: { color: COLOURS.on } }
      ]
    });
  });

  document.querySelectorAll("[data-ind-trend]").forEach(function (el) {
    var d = data(el.dataset.indTrend);
    var series = [{ name: d.labels.value, type: "line", data: d.values, connectNulls: false, itemStyle: { color: "#1565c0" } }];
    if (d.target !== null) {
      series.push({ name: d.labels.target, type: "line", data: d.months.map(function () { return d.target; }),
        symbol: "none", lineStyle: { type: "dashed", color: "#6d4c41" } });
    }
    make(el, {
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 28, containLabel: true },
      xAxis: { type: "category", data: d.months }, yAxis: { type: "value", scale: true, name: d.unit },
      series: series
    });
  });

  document.querySelectorAll("[data-ind-bars]").forEach(function (el) {
    var d = data(el.dataset.indBars);
    make(el, {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "category", data: d.streets, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", name: d.unit },
      series: [{ type: "bar", data: d.street_values.map(function (v, i) {
        return { value: v, itemStyle: { color: COLOURS[d.street_status[i]] || COLOURS.none } };
      }) }]
    });
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
