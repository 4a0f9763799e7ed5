// The empathy UI: the facts view toggle, the coach's span selection, and the cool-down
// that keeps Send closed while a heated draft is re-read. htmx does the requests.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-facts-toggle]");
    if (toggle) {
      var reading = toggle.closest("[data-reading]");
      var on = reading.classList.toggle("facts-only");
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? toggle.dataset.offLabel || "Show everything" : toggle.dataset.onLabel || "Facts only";
      return;
    }
    var show = event.target.closest("[data-select-span]");
    if (show) {
      var item = show.closest("[data-start]");
      var box = document.getElementById("reply-body");
      if (box && item) {
        box.focus();
        // Offsets come from the server already in UTF-16 units, as the textarea counts.
        box.setSelectionRange(Number(item.dataset.start), Number(item.dataset.end));
      }
    }
  });

  // The server sends the seconds left when the coach answered; turn that into a deadline
  // once per answer, so other htmx swaps on the page (send-state polling) never restart it.
  var timer = null;
  function applyCooldown() {
    var coach = document.getElementById("coach");
    var form = coach && coach.closest("form");
    var send = form && form.querySelector("[data-send]");
    if (!send) return;
    if (!coach.dataset.deadline) {
      coach.dataset.deadline = String(Date.now() + 1000 * Number(coach.dataset.cooldown || 0));
    }
    var deadline = Number(coach.dataset.deadline);
    var label = send.dataset.label || send.textContent;
    send.dataset.label = label;
    if (timer) { clearInterval(timer); timer = null; }
    function tick() {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left > 0) {
        send.disabled = true;
        send.textContent = label + " (" + left + ")";
      } else {
        send.disabled = false;
        send.textContent = label;
        if (timer) { clearInterval(timer); timer = null; }
      }
    }
    tick();
    if (!send.disabled) return;
    timer = setInterval(tick, 250);
  }
  document.addEventListener("htmx:afterSettle", applyCooldown);
  document.addEventListener("DOMContentLoaded", applyCooldown);
})();
