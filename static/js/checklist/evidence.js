// Evidence files: "Add evidence" opens an upload right in the item; the link itself leads
// to the answer's page of files (versions, removal), which works without this script.
import { csrfToken, form, format, text } from "./items.js";

let uploads = 0;

function openUpload(item, link) {
  let block = item.querySelector(".evidence-upload");
  if (!block) {
    block = document.getElementById("evidence-upload-template").content.firstElementChild.cloneNode(true);
    uploads += 1;
    const input = block.querySelector("input[type=file]");
    input.id = "evidence-upload-" + uploads;
    block.querySelector("label").htmlFor = input.id;
    const personal = block.querySelector("select");
    personal.id = "evidence-personal-" + uploads;
    block.querySelector(".evidence-personal-label").htmlFor = personal.id;
    block.querySelector("a").href = link.getAttribute("href");
    link.after(block);
    block.querySelector("button").addEventListener("click", function () {
      upload(block, link);
    });
  }
  block.querySelector("input[type=file]").focus();
}

function upload(block, link) {
  const input = block.querySelector("input[type=file]");
  const status = block.querySelector("[role=status]");
  if (!input.files.length) {
    status.textContent = text.chooseFile;
    return;
  }
  if (!navigator.onLine) {
    status.textContent = text.uploadNeedsConnection;
    return;
  }
  const data = new FormData();
  data.append("file", input.files[0]);
  data.append("contains_personal_data", block.querySelector("select").value);
  status.textContent = text.uploading;
  fetch(link.getAttribute("href"), {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  })
    .then(function (response) {
      return response.json().then(function (json) {
        return { ok: response.ok, json: json };
      });
    })
    .then(function (result) {
      if (!result.ok) {
        status.textContent = format(text.failed, { reason: result.json.error || result.json.detail });
        return;
      }
      status.textContent = result.json.message;
      link.textContent = result.json.link;
      input.value = "";
    })
    .catch(function () {
      status.textContent = format(text.failed, { reason: text.offline });
    });
}

export function enableUploads() {
  form.addEventListener("click", function (event) {
    const link = event.target.closest(".evidence-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    openUpload(link.closest(".answer"), link);
  });
}
