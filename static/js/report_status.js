// Follows a background report until it is ready, then offers the download. Without this
// file the page has a "Check again" button.
(function () {
  "use strict";
  const box = document.getElementById("report-status");
  if (!box || box.dataset.done) {
    return;
  }
  const label = document.getElementById("report-status-label");
  const download = document.getElementById("report-download");
  const refresh = document.getElementById("report-refresh");

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        label.textContent = data.label;
        if (data.status === "done") {
          download.hidden = false;
          if (refresh) {
            refresh.hidden = true;
          }
          download.focus();
        } else if (data.status === "failed") {
          window.location.reload();
        } else {
          setTimeout(poll, 3000);
        }
      })
      .catch(function () {
        setTimeout(poll, 10000);
      });
  }
  setTimeout(poll, 2000);
})();
