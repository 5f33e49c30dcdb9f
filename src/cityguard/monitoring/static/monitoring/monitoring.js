/* Monitoring pages: the live page (sparklines, server-sent events, alarm stream) and the
 * sensor charts (ECharts, from the aggregates embedded in the page).
 *
 * The live page embeds #mon-live-config: the stream URL, the last event id at render
 * time, each shown sensor's recent points, the recent alarms and labels in the page
 * language. Every text that comes from data is set with textContent, never as HTML.
 * `window.cityguardLive` reports what happened, for the console and the browser tests.
 */
(function () {
  "use strict";

  var MAX_POINTS = 60;
  var MAX_ALARMS = 50;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeColour(value) {
    return /^#[0-9a-fA-F]{3,8}$/.test(value || "") ? value : "#607d8b";
  }

  function badge(label, colour) {
    var b = el("span", "badge", label);
    b.style.setProperty("--badge", safeColour(colour));
    return b;
  }

  function fmtValue(v) {
    if (v === null || v === undefined || v === "") return "—";
    var n = Number(v);
    if (!isFinite(n)) return String(v);
    return Math.abs(n) >= 1000 ? n.toFixed(0) : String(Math.round(n * 1000) / 1000);
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function fmtTime(date) {
    return (
      pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds())
    );
  }

  // --- sparklines ---------------------------------------------------------------------------

  function drawSpark(svg, points) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (!points || points.length < 2) return;
    var values = points.map(function (p) { return Number(p[1]); });
    var lo = Math.min.apply(null, values);
    var hi = Math.max.apply(null, values);
    var span = hi - lo || 1;
    var t0 = points[0][0];
    var t1 = points[points.length - 1][0];
    var tspan = t1 - t0 || 1;
    var coords = points.map(function (p) {
      var x = ((p[0] - t0) / tspan) * 118 + 1;
      var y = 26 - ((Number(p[1]) - lo) / span) * 24;
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    var line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", coords.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "currentColor");
    line.setAttribute("stroke-width", "1.5");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    svg.appendChild(line);
  }

  // --- the live page ------------------------------------------------------------------------

  function live(cfg) {
    var S = cfg.strings;
    var status = { connected: false, events: 0, alarms: [], sensors: {}, opened: 0 };
    window.cityguardLive = status;
    var rows = {};
    var sparks = {};
    // The rows shown (again after the filters swap the table in): each sparkline starts
    // from the points on its row, unless this page already follows that sensor live.
    function scan() {
      rows = {};
      document.querySelectorAll("#mon-sensors tbody tr[data-code]").forEach(function (tr) {
        var code = tr.dataset.code;
        rows[code] = tr;
        var svg = tr.querySelector("[data-role=spark]");
        if (!sparks[code]) {
          try {
            sparks[code] = JSON.parse((svg && svg.dataset.points) || "[]");
          } catch (err) {
            sparks[code] = [];
          }
        }
        if (svg) drawSpark(svg, sparks[code]);
        if (status.sensors[code]) updateState(code, status.sensors[code]);
      });
    }

    var statusEl = document.getElementById("mon-live-status");
    function setStatus(state) {
      if (!statusEl) return;
      statusEl.dataset.state = state;
      statusEl.textContent = state === "live" ? S.connected : S.reconnecting;
    }

    function updateValue(code, ts, value) {
      var tr = rows[code];
      if (!tr) return;
      var v = tr.querySelector("[data-role=value]");
      if (v) v.textContent = fmtValue(value);
      if (ts) {
        var t = tr.querySelector("[data-role=time]");
        var date = new Date(Number(ts));
        if (t && !isNaN(date.getTime())) {
          t.textContent = fmtTime(date);
          t.setAttribute("datetime", date.toISOString());
        }
        var pts = sparks[code] || (sparks[code] = []);
        var last = pts.length ? pts[pts.length - 1][0] : -Infinity;
        if (Number(ts) > last) {
          pts.push([Number(ts), Number(value)]);
          if (pts.length > MAX_POINTS) pts.splice(0, pts.length - MAX_POINTS);
          var svg = tr.querySelector("[data-role=spark]");
          if (svg) drawSpark(svg, pts);
        }
      }
    }

    function updateState(code, state) {
      status.sensors[code] = state;
      var tr = rows[code];
      if (!tr) return;
      var holder = tr.querySelector("[data-role=state]");
      if (holder) {
        holder.replaceChildren(badge(S.states[state] || state, S.stateColours[state]));
      }
      tr.dataset.state = state;
    }

    scan();
    document.addEventListener("htmx:afterSettle", scan);

    var list = document.getElementById("mon-stream");
    var empty = document.querySelector(".mon-stream-empty");

    function alarmItem(a) {
      var li = el("li", "mon-alarm");
      li.dataset.alarm = String(a.id);
      li.dataset.state = a.state || "";
      var link = el("a", "mon-alarm-link");
      link.href = cfg.alarmUrl.replace("/0/", "/" + encodeURIComponent(String(a.id)) + "/");
      var head = el("span", "mon-alarm-head");
      head.appendChild(badge(S.severities[a.severity] || a.severity, S.severityColours[a.severity]));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("strong", "mon-alarm-sensor", a.sensor));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", "mon-alarm-state", S.alarmStates[a.state] || a.state));
      link.appendChild(head);
      var body = el("span", "mon-alarm-body");
      body.appendChild(el("span", "mon-alarm-rule", a.rule_name || a.rule));
      var value = a.peak_value !== null && a.peak_value !== undefined ? a.peak_value : a.last_value;
      if (value !== null && value !== undefined) {
        body.appendChild(document.createTextNode(" · "));
        body.appendChild(el("span", "mon-alarm-value", fmtValue(value)));
      }
      link.appendChild(body);
      var opened = a.opened_at ? new Date(a.opened_at) : new Date();
      var t = el("time", "muted", fmtTime(opened));
      if (!isNaN(opened.getTime())) t.setAttribute("datetime", opened.toISOString());
      link.appendChild(t);
      li.appendChild(link);
      return li;
    }

    function upsertAlarm(a) {
      if (!list || a === null || typeof a !== "object" || a.id === undefined) return;
      var existing = list.querySelector('[data-alarm="' + String(Number(a.id)) + '"]');
      var item = alarmItem(a);
      if (existing) {
        list.replaceChild(item, existing);
      } else {
        item.classList.add("mon-new");
        list.insertBefore(item, list.firstChild);
        status.opened += 1;
        while (list.children.length > MAX_ALARMS) list.removeChild(list.lastChild);
      }
      if (empty) empty.hidden = true;
      if (status.alarms.indexOf(a.id) < 0) status.alarms.push(a.id);
      if (a.sensor && (a.state === "active" || a.state === "acknowledged")) {
        updateState(a.sensor, "alarm");
      }
    }

    function parse(event) {
      status.events += 1;
      try {
        return JSON.parse(event.data);
      } catch (err) {
        return null;
      }
    }

    if (!window.EventSource) return;
    var url = cfg.stream + "?last=" + encodeURIComponent(String(cfg.last || 0));
    var source = new EventSource(url, { withCredentials: true });
    source.onopen = function () {
      status.connected = true;
      setStatus("live");
    };
    source.onerror = function () {
      status.connected = false;
      setStatus("reconnecting");
    };
    source.addEventListener("values", function (event) {
      var data = parse(event);
      if (!data || !Array.isArray(data.values)) return;
      data.values.forEach(function (v) {
        if (Array.isArray(v) && v.length >= 3) updateValue(String(v[0]), v[1], v[2]);
      });
    });
    source.addEventListener("sensor", function (event) {
      var s = parse(event);
      if (!s || !s.code) return;
      if (s.last_value !== undefined) updateValue(String(s.code), s.last_ts, s.last_value);
      if (s.state) updateState(String(s.code), s.state);
    });
    source.addEventListener("alarm", function (event) {
      upsertAlarm(parse(event));
    });
    window.addEventListener("pagehide", function () {
      source.close();
    });
  }

  // --- charts of a sensor -------------------------------------------------------------------

  function charts(cfg) {
    var box = document.getElementById("mon-chart");
    if (!box || !window.echarts) return;
    var S = cfg.strings;
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    function show(range) {
      var items = cfg.series[range] || [];
      var empty = document.getElementById("mon-chart-empty");
      if (empty) empty.hidden = items.length > 0;
      function pick(key) {
        return items.map(function (i) { return [i.start, i[key]]; });
      }
      chart.setOption(
        {
          animation: false,
          grid: { left: 48, right: 12, top: 28, bottom: 28 },
          tooltip: { trigger: "axis" },
          legend: { top: 0, data: [S.avg, S.min, S.max] },
          xAxis: { type: "time" },
          yAxis: { type: "value", scale: true, name: cfg.unit || "" },
          series: [
            { name: S.avg, type: "line", showSymbol: false, data: pick("avg"), lineStyle: { width: 2 } },
            { name: S.min, type: "line", showSymbol: false, data: pick("min"), lineStyle: { width: 1, type: "dashed" } },
            { name: S.max, type: "line", showSymbol: false, data: pick("max"), lineStyle: { width: 1, type: "dashed" } },
          ],
        },
        true
      );
      document.querySelectorAll("[data-range]").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.range === range ? "true" : "false");
      });
    }
    document.querySelectorAll("[data-range]").forEach(function (b) {
      b.addEventListener("click", function () {
        show(b.dataset.range);
      });
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
    show("h1");
  }

  var liveEl = document.getElementById("mon-live-config");
  if (liveEl) live(JSON.parse(liveEl.textContent));
  var chartEl = document.getElementById("mon-chart-config");
  if (chartEl) charts(JSON.parse(chartEl.textContent));
})();
