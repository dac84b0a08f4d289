// LTI Dynamic Registration: tell the LMS the registration is over, as the
// specification asks (a postMessage to the window that opened this page).
(function () {
  "use strict";
  function close() {
    var target = window.opener || window.parent;
    if (target && target !== window) {
      target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-lti-close]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", close);
    }
  });
})();
