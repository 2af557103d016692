/* The wish form: filters the grouped shop-type list as one types, counts reason characters. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (picker) {
    var input = picker.querySelector(".picker-filter");
    var count = picker.querySelector(".picker-count");
    var empty = picker.querySelector(".picker-empty");
    var options = picker.querySelectorAll(".picker-option");
    input.addEventListener("input", function () {
      var needle = fold(input.value.trim());
      var shown = 0;
      Array.prototype.forEach.call(options, function (option) {
        var match = !needle || fold(option.getAttribute("data-search") + " " + option.textContent).indexOf(needle) >= 0;
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      Array.prototype.forEach.call(picker.querySelectorAll(".picker-group"), function (group) {
        group.hidden = !group.querySelector(".picker-option:not([hidden])");
      });
      empty.hidden = shown > 0;
      count.textContent = needle ? String(shown) + " / " + options.length : "";
    });
    // Enter in the search box picks the first match instead of submitting the form.
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var first = picker.querySelector(".picker-option:not([hidden]) input");
      if (first) { first.checked = true; first.focus(); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter]"), function (area) {
    var help = document.getElementById(area.getAttribute("aria-describedby"));
    var max = Number(area.getAttribute("maxlength"));
    var original = help ? help.textContent : "";
    area.addEventListener("input", function () {
      if (help) { help.textContent = original + " (" + area.value.length + "/" + max + ")"; }
    });
  });
}());
