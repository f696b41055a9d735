// Optional: the appeal works without this file. The page as served names no currency or
// frequency in the amount buttons (the reader may change both); this script labels them
// for the current choice ("€5", "(a month)"), shows what "cover the fees" adds for the
// chosen amount, and moves focus to a result after a post.
(function () {
  "use strict";
  var form = document.querySelector("form[data-appeal-amounts]");
  if (!form) { return; }

  // The page is shared by every reader, so this browser makes its own one-time token:
  // the same form sent twice (a double click, a resend) then opens one checkout.
  function randomToken() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  var token = form.querySelector("[data-appeal-token]");
  if (token && !token.value) { token.value = randomToken(); }
  var amounts, phrases, fees;
  try {
    amounts = JSON.parse(form.getAttribute("data-appeal-amounts"));
    phrases = JSON.parse(form.getAttribute("data-appeal-phrases"));
    fees = JSON.parse(form.getAttribute("data-appeal-fees"));
  } catch (e) { return; }
  var locale = document.documentElement.lang || undefined;
  var AMOUNT = /^(\d{1,12})(?:[.,](\d+))?$/;  // as newsroom.forms.AMOUNT_PATTERN

  function selected(name) {
    var field = form.elements[name];
    if (!field) { return null; }
    if (field.tagName === "SELECT") { return field.value; }
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : null;
  }

  // Reader's text in major units ("7.50") to integer minor units, or null when the server
  // would refuse it. Strings, not floats: 0.1 + 0.2 must never decide an amount.
  function toMinor(text, currency) {
    var terms = fees.currencies[currency];
    var match = AMOUNT.exec(String(text || "").replace(/[\s\u00a0]/g, ""));
    if (!terms || !match) { return null; }
    var fraction = (match[2] || "").replace(/0+$/, "");
    if (fraction.length > terms.decimals) { return null; }
    var scale = Math.pow(10, terms.decimals);
    var whole = parseInt(match[1], 10);
    if (whole < fees.minimum || whole > fees.maximum || (whole === fees.maximum && fraction)) { return null; }
    while (fraction.length < terms.decimals) { fraction += "0"; }
    return whole * scale + (fraction ? parseInt(fraction, 10) : 0);
  }

  // subscriptions.fees.stripe_fee: amount × rate + fixed, rounded half up, in integers.
  function stripeFee(amount, terms) {
    var denominator = terms.rate_denominator * terms.fixed_denominator;
    var numerator = amount * terms.rate_numerator * terms.fixed_denominator +
      terms.fixed_numerator * terms.rate_denominator;
    return Math.floor((2 * numerator + denominator) / (2 * denominator));
  }

  // subscriptions.fees.amount_covering_fees: the smallest charge that leaves the gift.
  function coveringFees(amount, terms) {
    var rate = terms.rate_numerator / terms.rate_denominator;
    var fixed = terms.fixed_numerator / terms.fixed_denominator;
    var total = Math.round((amount + fixed) / (1 - rate));
    while (total - stripeFee(total, terms) < amount) { total += 1; }
    while (total - 1 - stripeFee(total - 1, terms) >= amount) { total -= 1; }
    return total;
  }

  // As newsroom.money.money_format: whole amounts lose their ".00".
  function money(minor, currency) {
    var decimals = fees.currencies[currency].decimals;
    var digits = minor % Math.pow(10, decimals) === 0 ? 0 : decimals;
    return new Intl.NumberFormat(locale, {
      style: "currency", currency: currency.toUpperCase(),
      minimumFractionDigits: digits, maximumFractionDigits: digits
    }).format(minor / Math.pow(10, decimals));
  }

  function showFee(currency) {
    var hint = form.querySelector("[data-appeal-fee]");
    var terms = fees.currencies[currency];
    if (!hint || !terms) { return; }
    var typed = form.elements.other_amount ? form.elements.other_amount.value.trim() : "";
    var choice = selected("amount");
    var chosen = toMinor(typed || (choice === "other" ? "" : choice), currency);
    var first = form.querySelector("[data-appeal-buttons] input[name='amount']:not([value='other'])");
    var amount = chosen !== null ? chosen : toMinor(first && first.value, currency);
    if (amount === null) { return; }
    var sentence = hint.getAttribute(chosen !== null ? "data-chosen" : "data-example");
    hint.textContent = sentence
      .replace("{fee}", money(coveringFees(amount, terms) - amount, currency))
      .replace("{amount}", money(amount, currency));
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
    if (minimum && amounts[currency].minimum) {
      minimum.textContent = minimum.getAttribute("data-appeal-minimum").replace("{amount}", amounts[currency].minimum);
    }
  }

  function update() {
    relabel();
    showFee(selected("currency"));
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    // The server prefers a typed amount, so picking a button clears it.
    if (name === "amount" && event.target.value !== "other" && form.elements.other_amount) {
      form.elements.other_amount.value = "";
    }
    update();
  });
  // Typing an amount selects "Other amount", so what is sent matches what is seen.
  var other = form.elements.other_amount;
  var otherRadio = document.getElementById("appeal-amount-other");
  if (other && otherRadio) {
    other.addEventListener("input", function () {
      if (other.value) { otherRadio.checked = true; }
      showFee(selected("currency"));
    });
  }
  // Also after "back", when the browser restores choices the served labels did not know.
  update();
  window.addEventListener("pageshow", update);

  var result = document.querySelector("[data-appeal-result]");
  if (result) { result.focus(); }
})();
