/*
 * Site-wide behaviour. The CSP (script-src 'self') forbids inline script and
 * inline event handlers, so every page's small interactions live here and are
 * attached by data attributes:
 *
 *   <form data-confirm="Delete?">          ask before submitting the form
 *   <button data-confirm="Delete?">        ask before this button submits/acts
 *   <a data-confirm="Leave?">              ask before following the link
 *   <select data-autosubmit>               submit the enclosing form on change
 *   <button class="js-print">              open the print dialog
 *
 * htmx requests carry the CSRF token from <meta name="csrf-token">, because
 * the csrftoken cookie is HttpOnly and cannot be read from JavaScript.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx: send the CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  function confirmed(element) {
    var message = element && element.getAttribute("data-confirm");
    return !message || window.confirm(message);
  }

  function refuse(event) {
    event.preventDefault();
    // Also keep htmx and other listeners from acting on a refused action.
    event.stopImmediatePropagation();
  }

  // Forms: the submitting button's message wins over the form's own, so that
  // a single prompt is shown whichever of the two carries data-confirm.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var source =
        submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
      if (!confirmed(source)) {
        refuse(event);
      }
    },
    true
  );

  // Links and non-submit buttons (e.g. hx-delete) with data-confirm. Submit
  // buttons inside a form are handled by the submit listener above.
  document.addEventListener(
    "click",
    function (event) {
      var element = event.target.closest("a[data-confirm], button[data-confirm]");
      if (!element) {
        return;
      }
      if (element.tagName === "BUTTON" && element.type === "submit" && element.form) {
        return;
      }
      if (!confirmed(element)) {
        refuse(event);
      }
    },
    true
  );

  // <select data-autosubmit>: submit its form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit")) {
      return;
    }
    var form = select.form;
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires "submit", so htmx and data-confirm still apply
    } else {
      form.submit();
    }
  });

  // .js-print buttons open the browser's print dialog.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".js-print");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
