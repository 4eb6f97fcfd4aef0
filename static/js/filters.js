// A list's filters: folded behind their "Filters" button on a phone, open
// beside the list on a wider screen, and sent without the fields left empty.
// Loaded right after the form, so that a phone never draws it unfolded.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 40em)");

  function fit() {
    document.querySelectorAll("details.filters-fold").forEach(function (fold) {
      // A form with a mistake in it stays open, to be corrected.
      fold.open = wide.matches || fold.hasAttribute("data-errors");
    });
  }

  fit();
  wide.addEventListener("change", fit);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest("details.filters-fold")) {
      return;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value === "") {
        field.disabled = true;
      }
    });
  });

  // Back on the page (the browser's back button), its fields are usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("details.filters-fold [disabled]").forEach(function (field) {
      field.disabled = false;
    });
  });
})();
