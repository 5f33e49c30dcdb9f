/* The public tip form: "Use my location" fills longitude and latitude from the device
   (browsers report WGS 84, the datum we store). The map picker (app.js) follows the
   inputs. Without JavaScript or geolocation the map and the inputs still work. */
(function () {
  "use strict";
  var button = document.getElementById("tip-locate");
  var status = document.getElementById("tip-locate-status");
  var lon = document.getElementById("id_lon");
  var lat = document.getElementById("id_lat");
  if (!button || !lon || !lat || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating || "…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        [lon, lat].forEach(function (el) {
          el.dispatchEvent(new Event("input", { bubbles: true }));
        });
        status.textContent = "";
      },
      function () {
        status.textContent = button.dataset.failed || "";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
