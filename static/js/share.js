/* "Share this premise": the phone's share sheet where there is one (Web Share API), else the
 * link is copied and the page says so. */
(function () {
  "use strict";
  var button = document.querySelector("[data-share]");
  if (!button) { return; }
  var said = document.querySelector("[data-share-said]");
  button.addEventListener("click", function () {
    var url = button.getAttribute("data-url");
    var title = button.getAttribute("data-title");
    if (navigator.share) {
      navigator.share({ title: title, url: url }).catch(function () { /* the reader closed it */ });
      return;
    }
    var done = function () { if (said) { said.textContent = button.getAttribute("data-copied"); } };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(done, function () { window.prompt(title, url); });
    } else {
      window.prompt(title, url);
    }
  });
})();
