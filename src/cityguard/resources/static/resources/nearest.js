// The nearest-resources page: a click on the map (which fills longitude and latitude)
// runs the search at once, so "click → list" needs no extra button press.
(function () {
  "use strict";
  var form = document.querySelector("form[data-nearest]");
  if (!form) return;
  var lon = form.querySelector("[name=lon]");
  if (!lon) return;
  lon.addEventListener("change", function () {
    var lat = form.querySelector("[name=lat]");
    if (lon.value && lat && lat.value) form.submit();
  });
})();
