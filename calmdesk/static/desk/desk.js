// calmdesk keyboard shortcuts and small conveniences. Plain JS, no build step.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function items() {
    return Array.from(document.querySelectorAll("[data-row], [data-item]"));
  }

  function move(step) {
    const all = items();
    if (!all.length) return;
    const current = all.findIndex((el) => el.classList.contains("selected"));
    const next = all[Math.max(0, Math.min(all.length - 1, current + step))];
    all.forEach((el) => el.classList.remove("selected"));
    next.classList.add("selected");
    next.scrollIntoView({ block: "nearest" });
  }

  function openComposer(tab) {
    const composer = document.getElementById("composer");
    if (!composer) return;
    composer.querySelectorAll("[data-tab]").forEach((b) => b.classList.toggle("on", b.dataset.tab === tab));
    composer.querySelectorAll("[data-pane]").forEach((p) => { p.hidden = p.dataset.pane !== tab; });
    const area = composer.querySelector(`[data-pane="${tab}"] textarea`);
    if (area) { area.focus(); area.scrollIntoView({ block: "center" }); }
  }

  function focus(id) {
    const el = document.getElementById(id);
    if (el) { el.focus(); if (el.select && el.tagName === "INPUT") el.select(); }
  }

  // Text put into the composer as if typed: it lands in the textarea's own undo history
  // (Ctrl+Z takes it back) and raises the input event the coach listens for.
  function insertAtEnd(area, text) {
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
    const joined = area.value.trim() ? `\n\n${text}` : text;
    if (!document.execCommand("insertText", false, joined)) {
      area.setRangeText(joined, area.value.length, area.value.length, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  // Bulk actions: the bar shows while rows are picked (a click, or x on the focused row).
  function updateBulk() {
    const bar = document.querySelector("[data-bulk]");
    if (!bar) return;
    const picked = document.querySelectorAll("[data-pick]:checked").length;
    bar.hidden = picked === 0;
    const count = bar.querySelector("[data-bulk-count]");
    count.textContent = count.dataset.label.replace("%(count)s", picked);
    document.querySelectorAll("[data-pick]").forEach((box) => {
      box.closest("[data-row]").classList.toggle("picked", box.checked);
    });
  }

  function togglePick() {
    if (!document.querySelector("[data-row].selected")) move(1);
    const box = document.querySelector("[data-row].selected [data-pick]");
    if (box) { box.checked = !box.checked; updateBulk(); }
  }

  // What a page brings when it loads (htmx swaps pages in): the bulk bar as the browser
  // restored the checkboxes, and an Undo that goes away when its minute is over.
  function onPage() {
    updateBulk();
    document.querySelectorAll("[data-expires]").forEach((el) => {
      setTimeout(() => el.remove(), Math.max(0, Date.parse(el.dataset.expires) - Date.now()));
    });
  }
  if (window.htmx) htmx.onLoad(onPage); else document.addEventListener("DOMContentLoaded", onPage);

  document.addEventListener("keydown", (event) => {
    const help = document.getElementById("help");
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (event.metaKey || event.ctrlKey || event.altKey || typing(event.target)) return;
    const actions = {
      j: () => move(1),
      k: () => move(-1),
      r: () => openComposer("reply"),
      n: () => openComposer("note"),
      a: () => focus("assign-select"),
      s: () => focus("status-select"),
      z: () => focus("snooze-select"),
      p: () => focus("problem-title"),
      x: togglePick,
      "/": () => focus("search-box"),
      "?": () => help && help.showModal(),
      u: () => { const back = document.querySelector("[data-back]"); if (back) back.click(); },
      Enter: () => {
        const selected = document.querySelector(".selected a.row-link, [data-row].selected a");
        if (selected) selected.click();
      },
    };
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  document.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-tab]");
    if (tab) openComposer(tab.dataset.tab);
    if (event.target.closest("[data-help]")) document.getElementById("help").showModal();
    const insert = event.target.closest("[data-saved-insert]");
    if (insert || event.target.closest("[data-saved-cancel]")) {
      const preview = document.getElementById("saved-reply-preview");
      const text = preview.querySelector("[data-saved-text]");
      const area = document.getElementById("reply-body");
      preview.replaceChildren();
      document.querySelector("[data-saved-reply]").value = "";
      // Inserted as typed text: the coach reads it and Ctrl+Z takes it back.
      if (insert && text && area) insertAtEnd(area, text.textContent.trim());
    }
  });

  document.addEventListener("change", (event) => {
    // A saved reply is previewed, filled in for this conversation, before Insert.
    const saved = event.target.closest("[data-saved-reply]");
    if (saved && saved.value) {
      const url = `${saved.dataset.preview}?reply=${encodeURIComponent(saved.value)}`;
      htmx.ajax("GET", url, { target: "#saved-reply-preview", swap: "innerHTML" });
    }
    if (event.target.closest("[data-pick]")) updateBulk();
    const form = event.target.closest("form[data-autosubmit]");
    if (form) form.requestSubmit();
  });
})();
