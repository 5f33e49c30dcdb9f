/* Incident form: offer only the subtypes of the chosen type. */
(function () {
  "use strict";
  var data = document.getElementById("incident-subtypes");
  var type = document.getElementById("id_type");
  var sub = document.getElementById("id_subtype");
  if (!data || !type || !sub) return;
  var map = JSON.parse(data.textContent);
  var all = Array.prototype.map.call(sub.options, function (o) {
    return { value: o.value, text: o.text };
  });
  function refresh() {
    var allowed = map[type.value] || [];
    var current = sub.value;
    sub.textContent = "";
    all.forEach(function (o) {
      if (allowed.indexOf(o.value) === -1) return;
      var opt = document.createElement("option");
      opt.value = o.value;
      opt.textContent = o.text;
      if (o.value === current) opt.selected = true;
      sub.appendChild(opt);
    });
  }
  type.addEventListener("change", refresh);
  refresh();
})();
