// Guidance: each item links to its text on the checklist's guidance page, and each
// principle to its good practices there; the links work without this script. The page
// is fetched once per visit (a 304 when the browser has it; the service worker keeps it
// for use offline) and each text is shown in its place, as a disclosure, so that reading
// it never leaves the form.
const DISCLOSED = [
  { link: "a.guidance-link", text: ".guidance-text", className: "guidance" },
  { link: "a.good-practices-link", text: ".good-practices-list", className: "good-practices small mb-2" },
];

function disclose(link, body, className) {
  const details = document.createElement("details");
  details.className = className;
  const summary = document.createElement("summary");
  summary.textContent = link.textContent;
  details.append(summary, document.adoptNode(body));
  const focused = document.activeElement === link;
  link.replaceWith(details);
  if (focused) {
    summary.focus();
  }
}

export function showGuidance() {
  const first = document.querySelector("a.guidance-link, a.good-practices-link");
  if (!first) {
    return;
  }
  fetch(first.pathname, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.text();
    })
    .then(function (html) {
      const guidance = new DOMParser().parseFromString(html, "text/html");
      DISCLOSED.forEach(function (kind) {
        document.querySelectorAll(kind.link).forEach(function (link) {
          const section = guidance.getElementById(decodeURIComponent(link.hash.slice(1)));
          const body = section && section.querySelector(kind.text);
          if (body) {
            disclose(link, body, kind.className);
          }
        });
      });
    })
    .catch(function () {}); // the links still lead to the guidance page
}
