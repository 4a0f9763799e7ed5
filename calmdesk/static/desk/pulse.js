// The conversation page's one poll (its pulse, hx-get on #pulse): it asks with the ETag of
// its last answer, so a conversation where nothing changed costs the server a 304 and
// nothing is swapped; a hidden tab does not ask (its "viewing" fades for teammates). The
// coach's request says whether the agent is typing (a check on input, not on load).
(function () {
  "use strict";
  var etags = {};
  function isPulse(elt) {
    return elt && elt.hasAttribute && elt.hasAttribute("data-pulse");
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (isPulse(elt)) {
      if (document.hidden) {
        event.preventDefault();
        return;
      }
      var known = etags[event.detail.path];
      if (known) event.detail.headers["If-None-Match"] = known;
      return;
    }
    if (elt && elt.classList && elt.classList.contains("coach-slot")) {
      var trigger = event.detail.triggeringEvent;
      if (trigger && trigger.type === "input") event.detail.parameters.typing = "1";
    }
  });
  // A changed answer replaces #pulse itself (out of band), so this event may reach the
  // document from an ancestor: the request's own config says which element asked.
  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    if (!config || !isPulse(config.elt)) return;
    var xhr = event.detail.xhr;
    var etag = xhr && xhr.status === 200 ? xhr.getResponseHeader("ETag") : null;
    if (etag) etags[config.path] = etag;
  });
})();
