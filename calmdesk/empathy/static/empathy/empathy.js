// The empathy UI: the facts view toggle, the coach's span selection and dismissals, the
// draft carried to the server as the page leaves, and the cool-down that keeps Send
// closed while a heated draft is re-read. htmx does the requests.
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

  // Dismiss: the finding leaves the page as the click lands; the answer (the draft checked
  // again without that rule) replaces the coach a moment later.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var dismiss = event.target.closest && event.target.closest("[data-dismiss]");
    var finding = dismiss && dismiss.closest(".finding");
    if (finding) finding.hidden = true;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var dismiss = event.target.closest && event.target.closest("[data-dismiss]");
    var finding = dismiss && dismiss.closest(".finding");
    if (finding && !event.detail.successful) finding.hidden = false;
  });

  // The coach request carries the draft to the server, debounced. What was typed since the
  // last one goes with the page as it leaves (a link, a reload, another form), so a draft
  // survives whatever ends the page.
  var lastCarried = null;
  document.addEventListener("htmx:configRequest", function (event) {
    var box = document.getElementById("reply-body");
    if (box && event.target.closest && event.target.closest(".coach-slot")) {
      lastCarried = box.value;
    }
  });
  function carryDraft() {
    var box = document.getElementById("reply-body");
    var slot = document.querySelector(".coach-slot[hx-post]");
    if (!box || !slot || box.value === lastCarried || !navigator.sendBeacon) return;
    var form = box.form;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    data.append("seen_up_to", form.elements.seen_up_to.value);
    data.append("body", box.value);
    navigator.sendBeacon(slot.getAttribute("hx-post"), data);
    lastCarried = box.value;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var box = document.getElementById("reply-body");
    var target = event.detail.target;
    var elt = event.detail.elt;
    // Sending the reply carries the text itself; a second request beside it would race it.
    if (box && elt && (elt === box.form || elt.form === box.form)) return;
    if (box && target && target !== box && target.contains(box)) carryDraft();
  });
  window.addEventListener("beforeunload", carryDraft);

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
