/* The indicators wall display: fetches the API every `refreshSeconds` and redraws the
   tiles (gauges for percentages, big numbers for counts) and the street map, without
   reloading the page. ECharts comes from static/vendor (no CDN). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("scr-config").textContent);
  var COLOURS = { on: "#2e7d32", off: "#e53935", none: "#546e7a" };
  var charts = {};
  var mapChart = null;
  var mapReady = false;

  function fmt(v) {
    if (v === null || v === undefined) return "—";
    return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function tileOption(item) {
    var colour = COLOURS[item.status] || COLOURS.none;
    if (item.unit === "%") {
      return {
        series: [{
          type: "gauge", min: 0, max: 100, radius: "95%", center: ["50%", "60%"],
          startAngle: 200, endAngle: -20, progress: { show: true, width: 12, itemStyle: { color: colour } },
          axisLine: { lineStyle: { width: 12, color: [[1, "#1c3556"]] } },
          axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
          anchor: { show: false }, title: { show: false },
          detail: { valueAnimation: true, offsetCenter: [0, "10%"], fontSize: 26, color: "#fff",
            formatter: function () { return fmt(item.value) + (item.value === null ? "" : "%"); } },
          data: [{ value: item.value === null ? 0 : item.value }]
        }]
      };
    }
    return {
      title: { text: fmt(item.value), subtext: item.unit, left: "center", top: "22%",
        textStyle: { color: colour === COLOURS.none ? "#fff" : colour, fontSize: 44, fontWeight: 700 },
        subtextStyle: { color: "#7f9cc4", fontSize: 14 } },
      series: []
    };
  }

  function drawTiles(items) {
    var box = document.getElementById("scr-tiles");
    var plan = items.filter(function (i) { return i.code.indexOf("plan-") === 0; });
    plan.forEach(function (item) {
      var id = "scr-tile-" + item.code;
      var el = document.getElementById(id);
      if (!el) {
        el = document.createElement("article");
        el.id = id;
        el.innerHTML = '<span class="code"></span><h3></h3><div class="scr-gauge"></div><p class="target"></p>';
        box.appendChild(el);
        charts[item.code] = echarts.init(el.querySelector(".scr-gauge"), null, { renderer: "canvas" });
      }
      el.className = "scr-tile " + item.status;
      el.querySelector(".code").textContent = item.code + " · " + (item.binding ? config.labels.binding : config.labels.expected);
      el.querySelector("h3").textContent = item.name;
      el.querySelector(".target").textContent = config.labels.target + ": " +
        (item.target === null ? "—" : item.comparison + " " + fmt(item.target) + " " + item.unit);
      charts[item.code].setOption(tileOption(item), true);
    });
    var others = items.filter(function (i) { return i.code.indexOf("plan-") !== 0; });
    document.getElementById("scr-others").innerHTML = others.map(function (i) {
      return '<li class="' + esc(i.status) + '"><span>' + esc(i.name) + '</span><span class="v">' +
        esc(fmt(i.value)) + " " + esc(i.unit === "%" ? "%" : "") + "</span></li>";
    }).join("");
  }

  function drawMap(streets) {
    var el = document.getElementById("scr-map");
    if (!mapChart) mapChart = echarts.init(el);
    if (!mapReady && config.map.features.length) {
      echarts.registerMap("cityguard-streets", config.map);
      mapReady = true;
    }
    var max = Math.max(1, Math.max.apply(null, streets.map(function (s) { return s.off_target; }).concat([0])));
    var data = streets.map(function (s) { return { name: s.code, value: s.off_target, label: s.name }; });
    var labels = {};
    streets.forEach(function (s) { labels[s.code] = s.name; });
    if (mapReady) {
      mapChart.setOption({
        tooltip: { formatter: function (p) { return esc(labels[p.name] || p.name) + ": " + (p.value || 0); } },
        visualMap: { min: 0, max: max, left: 8, bottom: 8, text: [String(max), "0"], calculable: false,
          inRange: { color: ["#1b5e20", "#f9a825", "#c62828"] }, textStyle: { color: "#d8e6ff" } },
        series: [{ type: "map", map: "cityguard-streets", roam: false, data: data,
          label: { show: true, color: "#fff", fontSize: 12, formatter: function (p) { return labels[p.name] || ""; } },
          itemStyle: { borderColor: "#050d1a", borderWidth: 1, areaColor: "#263238" },
          emphasis: { label: { color: "#fff" }, itemStyle: { areaColor: "#1565c0" } } }]
      }, true);
    } else {
      mapChart.setOption({
        grid: { left: 90, right: 20, top: 10, bottom: 20 },
        xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#7f9cc4" }, splitLine: { lineStyle: { color: "#1c3556" } } },
        yAxis: { type: "category", data: streets.map(function (s) { return s.name; }), axisLabel: { color: "#d8e6ff" } },
        series: [{ type: "bar", data: streets.map(function (s) { return s.off_target; }), itemStyle: { color: "#e53935" } }]
      }, true);
    }
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function refresh() {
    Promise.all([getJSON(config.api), getJSON(config.streetsApi)]).then(function (res) {
      drawTiles(res[0].items);
      drawMap(res[1].streets);
      document.getElementById("scr-period").textContent = res[0].period;
      document.getElementById("scr-updated").textContent = config.labels.updated + " " + new Date().toLocaleTimeString();
      document.getElementById("scr-error").hidden = true;
    }).catch(function () {
      var e = document.getElementById("scr-error");
      e.textContent = config.labels.failed;
      e.hidden = false;
    });
  }

  function clock() {
    document.getElementById("scr-clock").textContent = new Date().toLocaleString();
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    if (mapChart) mapChart.resize();
  });
  refresh();
  clock();
  setInterval(refresh, (config.refreshSeconds || 60) * 1000);
  setInterval(clock, 1000);
})();
