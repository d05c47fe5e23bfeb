// The last page of the embed's log-in pop-up: hand the token to the page that opened it
// (addressed to that page's site only), then close.
(function () {
  "use strict";
  var data = document.getElementById("salon-login");
  var target = document.querySelector('meta[name="salon-login-target"]');
  if (!data || !target || !window.opener) return;
  window.opener.postMessage(JSON.parse(data.textContent), target.content);
  window.close();
})();
