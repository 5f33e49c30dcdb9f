/* The trace of a lot as an ECharts force graph: organisations, places outside the
   platform and end uses as nodes, movements as arrows with their tonnage. */
(function () {
  "use strict";
  var el = document.getElementById("trace-chart");
  var source = document.getElementById("trace-data");
  if (!el || !source || !window.echarts) return;
  var graph = JSON.parse(source.textContent);
  var colours = { organization: "#1565c0", external: "#8d6e63", use: "#2e7d32", disposal: "#6d4c41" };
  var chart = window.echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: {
      formatter: function (p) {
        if (p.dataType === "edge") return p.data.tip;
        return p.data.name + "<br>" + p.data.kindLabel;
      }
    },
    series: [{
      type: "graph",
      layout: "force",
      roam: true,
      draggable: true,
      force: { repulsion: 420, edgeLength: [90, 200] },
      label: { show: true, position: "bottom", fontSize: 12, width: 140, overflow: "break" },
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 10,
      edgeLabel: { show: true, formatter: function (p) { return p.data.value + " t"; }, fontSize: 11 },
      lineStyle: { color: "#607d8b", curveness: 0.15, opacity: 0.9 },
      data: graph.nodes.map(function (n) {
        return {
          id: n.id,
          name: n.name,
          kindLabel: n.label || n.kind,
          symbolSize: n.kind === "organization" ? 30 : 20,
          itemStyle: { color: colours[n.kind] || "#78909c" }
        };
      }),
      links: graph.links.map(function (l) {
        return {
          source: l.source,
          target: l.target,
          value: l.quantity_t,
          tip: l.quantity_t + " t",
          lineStyle: { width: 1 + Math.min(6, Math.log(1 + l.quantity_t)) }
        };
      })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
