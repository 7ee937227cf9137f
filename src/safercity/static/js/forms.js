/* Forms: send once, and take the reader to the problems when a form comes back with errors.
   Everything here is an enhancement: the forms work the same without it. */
(function () {
  "use strict";

  function sending(form, on) {
    form.dataset.sending = on ? "true" : "";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      if (on) {
        button.dataset.idleText = button.dataset.idleText || button.textContent;
        button.textContent = button.dataset.sendingText || "Sending…";
      } else if (button.dataset.idleText) {
        button.textContent = button.dataset.idleText;
      }
      button.disabled = on;
      button.setAttribute("aria-disabled", on ? "true" : "false");
    });
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // A second click (or Enter) while the first is on its way would be a second request.
      if (form.dataset.sending === "true") {
        event.preventDefault();
        return;
      }
      // Disable after this event, so the browser still builds the request from the form.
      window.setTimeout(function () { sending(form, true); }, 0);
      form.dataset.sending = "true";
    });
  });

  // Coming back with the Back button shows the page as it was left: let it be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-once]").forEach(function (form) { sending(form, false); });
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    });
  }
}());
