/* Keeps the one map's sensor layer current: subscribes to the monitoring stream and
 * recolours (and updates the popup facts of) sensor markers on "sensor" and "alarm"
 * events, without refetching the layer. Loaded by the map page after map.js.
 *
 * Markers are found through window.cityguardMap.map: every marker drawn from the
 * "monitoring.sensors" layer carries `sensor_code` in its feature properties, also when
 * it sits inside a marker cluster.
 */
(function () {
  "use strict";

  var status = window.cityguardMap;
  var configEl = document.getElementById("cg-map-config");
  if (!status || !status.map || !configEl || !window.EventSource) return;
  var cfg = JSON.parse(configEl.textContent);
  var layer = (cfg.layers || []).filter(function (l) {
    return l.name === "monitoring.sensors";
  })[0];
  if (!layer) return;
  var colours = {};
  (layer.legend || []).forEach(function (item, i) {
    colours[["normal", "alarm", "offline", "maintenance", "disabled"][i]] = item.colour;
  });
  var ALARM_STATES = { active: true, acknowledged: true };
  var live = { connected: false, updated: 0 };
  window.cityguardMapLive = live;

  function markers(code, visit) {
    function walk(group) {
      if (!group || typeof group.eachLayer !== "function") return;
      group.eachLayer(function (child) {
        var p = child.feature && child.feature.properties;
        if (p && p.sensor_code === code) visit(child, p);
        else if (typeof child.eachLayer === "function" && !child.feature) walk(child);
      });
    }
    walk(status.map);
  }

  function recolour(code, state, value) {
    var colour = colours[state];
    markers(code, function (marker, props) {
      props.state = state;
      if (value !== undefined && value !== null) props.last_value = value;
      if (colour) {
        props.colour = colour;
        if (typeof marker.setStyle === "function") marker.setStyle({ fillColor: colour });
      }
      live.updated += 1;
    });
  }

  var source = new EventSource("/monitoring/stream/", { withCredentials: true });
  source.onopen = function () {
    live.connected = true;
  };
  source.onerror = function () {
    live.connected = false;
  };
  source.addEventListener("sensor", function (event) {
    var s;
    try {
      s = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (s && s.code && s.state) recolour(String(s.code), String(s.state), s.last_value);
  });
  source.addEventListener("alarm", function (event) {
    var a;
    try {
      a = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (a && a.sensor && ALARM_STATES[a.state]) recolour(String(a.sensor), "alarm", a.last_value);
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
