/* Datum shifts for the map: WGS 84 → GCJ-02 (AMap, Tencent) and BD-09 (Baidu).
 *
 * The layers arrive already shifted from the server (`crs=` on the layer endpoint); this
 * is for the few WGS 84 values the page gets otherwise (initial extent, search results).
 * The formulas are the same as `cityguard.core.geo`, which the browser test checks against.
 */
(function (root) {
  "use strict";

  var A = 6378245.0;
  var EE = 0.00669342162296594323;
  var X_PI = (Math.PI * 3000.0) / 180.0;

  function outsideChina(lon, lat) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function delta(lon, lat) {
    var x = lon - 105.0;
    var y = lat - 35.0;
    var s6x = 20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI);
    var dlat =
      -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (s6x * 2.0) / 3.0 +
      ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0 +
      ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
    var dlon =
      300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (s6x * 2.0) / 3.0 +
      ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0 +
      ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
    var radlat = (lat / 180.0) * Math.PI;
    var magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / (((A * (1 - EE)) / (magic * sqrtmagic)) * Math.PI);
    dlon = (dlon * 180.0) / ((A / sqrtmagic) * Math.cos(radlat) * Math.PI);
    return [dlon, dlat];
  }

  function wgs84ToGcj02(lon, lat) {
    if (outsideChina(lon, lat)) return [lon, lat];
    var d = delta(lon, lat);
    return [lon + d[0], lat + d[1]];
  }

  function gcj02ToBd09(lon, lat) {
    var z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
    var theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
    return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
  }

  /** [lon, lat] in WGS 84 → the same point in `crs` (wgs84, gcj02 or bd09). */
  function fromWgs84(crs, lon, lat) {
    if (crs === "gcj02") return wgs84ToGcj02(lon, lat);
    if (crs === "bd09") {
      var g = wgs84ToGcj02(lon, lat);
      return gcj02ToBd09(g[0], g[1]);
    }
    return [lon, lat];
  }

  root.CityguardCoords = {
    wgs84ToGcj02: wgs84ToGcj02,
    gcj02ToBd09: gcj02ToBd09,
    fromWgs84: fromWgs84,
  };
})(window);
