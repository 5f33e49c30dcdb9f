// The issuing form: offer only the colours the chosen warning type has.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  var colour = document.getElementById("id_colour");
  if (!kind || !colour) return;
  var allowed = {};
  try { allowed = JSON.parse(colour.getAttribute("data-allowed") || "{}"); } catch (e) { allowed = {}; }
  function sync() {
    var ok = allowed[kind.value] || [];
    Array.prototype.forEach.call(colour.options, function (opt) {
      opt.disabled = ok.length > 0 && ok.indexOf(opt.value) < 0;
    });
    if (colour.selectedOptions.length && colour.selectedOptions[0].disabled) {
      colour.value = ok[0];
    }
  }
  kind.addEventListener("change", sync);
  sync();
})();
