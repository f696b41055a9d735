// Optional: the appeal works without this file. It relabels the suggested amounts when
// the reader changes currency or frequency, and moves focus to a result after a post.
(function () {
  "use strict";
  var form = document.querySelector("form[data-appeal-amounts]");
  if (!form) { return; }
  var amounts;
  try { amounts = JSON.parse(form.getAttribute("data-appeal-amounts")); } catch (e) { return; }
  var phrases = { month: "(a month)", year: "(a year)", once: "(once)" };

  function selected(name) {
    var field = form.elements[name];
    if (!field) { return null; }
    if (field.tagName === "SELECT") { return field.value; }
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : null;
  }

  function relabel() {
    var currency = selected("currency");
    var frequency = selected("frequency");
    var set = amounts[currency] && amounts[currency][frequency];
    if (!set) { return; }
    var radios = form.querySelectorAll("[data-appeal-buttons] input[name='amount']:not([value='other'])");
    radios.forEach(function (radio, index) {
      var choice = set[index];
      var label = form.querySelector("label[for='" + radio.id + "']");
      if (!choice || !label) { return; }
      radio.value = choice.value;
      label.textContent = choice.label;
    });
    var per = form.querySelector("[data-appeal-per]");
    if (per && phrases[frequency]) { per.textContent = phrases[frequency]; }
    var minimum = form.querySelector("[data-appeal-minimum]");
    if (minimum && amounts[currency].minimum) { minimum.textContent = "(from " + amounts[currency].minimum + ")"; }
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "currency" || name === "frequency") { relabel(); }
    // The server prefers a typed amount, so picking a button clears it.
    if (name === "amount" && event.target.value !== "other" && form.elements.other_amount) {
      form.elements.other_amount.value = "";
    }
  });
  // Typing an amount selects "Other amount", so what is sent matches what is seen.
  var other = form.elements.other_amount;
  var otherRadio = document.getElementById("appeal-amount-other");
  if (other && otherRadio) {
    other.addEventListener("input", function () { if (other.value) { otherRadio.checked = true; } });
  }

  var result = document.querySelector("[data-appeal-result]");
  if (result) { result.focus(); }
})();
