// The checklist page's items: reading and writing what each holds, and where it stands.
// The rules of "ready to submit" are the server's (checklists/workflow/filling.py): the page
// reads their parameters from the markup rather than keeping a copy of its own.

export const form = document.getElementById("checklist-form");
export const text = form ? JSON.parse(document.getElementById("checklist-text").textContent) : {};
export const user = document.body.dataset.user || "";

// What a gap is, and how long a critical item's "not applicable" reason must be.
const GAP_RESPONSES = form ? (form.dataset.gapResponses || "partial no").split(" ") : [];
const NA_MIN_WORDS = form ? Number(form.dataset.naMinWords || 0) : 0;
const FIELDS = ["comment", "not_applicable_reason", "action_description", "action_owner", "action_due"];

export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, function (_match, key) {
    return String(values[key]);
  });
}

export function items() {
  return Array.from(form.querySelectorAll(".answer[data-answer]"));
}

export function itemFor(answer) {
  return form.querySelector(".answer[data-answer='" + answer + "']");
}

export function field(item, name) {
  return item.querySelector("[name='a" + item.dataset.answer + "-" + name + "']");
}

export function codeOf(item) {
  return item.querySelector("legend code").textContent;
}

export function currentResponse(item) {
  const checked = item.querySelector("input[type=radio]:checked");
  return checked ? checked.value : "";
}

export function csrfToken() {
  const cookie = document.cookie.split("; ").find(function (part) {
    return part.indexOf("csrftoken=") === 0;
  });
  return cookie ? cookie.split("=")[1] : document.querySelector("input[name=csrfmiddlewaretoken]").value;
}

// Each item's answer id is in its inputs' names (a<id>-version): kept on the item.
export function markItems() {
  form.querySelectorAll(".answer").forEach(function (item) {
    const version = item.querySelector("input[name$='-version']");
    if (version) {
      item.dataset.answer = version.name.slice(1, -"-version".length);
    }
  });
}

// --- The fields an answer needs --------------------------------------------------------

function ensureBlock(item, selector, templateId, wanted) {
  let block = item.querySelector(selector);
  if (!block && wanted) {
    const template = document.getElementById(templateId);
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, item.dataset.answer);
    block = holder.firstElementChild;
    field(item, "version").before(block);
  }
  if (block) {
    block.hidden = !wanted;
  }
  return block;
}

export function toggleSections(item) {
  const response = currentResponse(item);
  ensureBlock(item, ".na-reason", "na-reason-template", response === "na");
  ensureBlock(item, ".action-point", "action-point-template", GAP_RESPONSES.indexOf(response) !== -1);
}

function valueOf(item, name) {
  const input = field(item, name);
  return input ? input.value.trim() : "";
}

// The values an item holds, as the server receives them.
export function valuesOf(item) {
  const values = { response: currentResponse(item) };
  FIELDS.forEach(function (name) {
    const input = field(item, name);
    if (input) {
      values[name] = input.value;
    }
  });
  return values;
}

export function showValues(item, values) {
  item.querySelectorAll("input[type=radio]").forEach(function (radio) {
    radio.checked = radio.value === values.response;
  });
  toggleSections(item);
  FIELDS.forEach(function (name) {
    const input = field(item, name);
    if (input && name in values) {
      input.value = values[name] === null ? "" : values[name];
    }
  });
  const comment = item.querySelector("details.comment");
  if (comment && values.comment) {
    comment.open = true;
  }
}

// "unanswered", "blocking" (the server would refuse to submit it) or "ready".
export function stateOf(item) {
  const response = currentResponse(item);
  if (!response) {
    return "unanswered";
  }
  if (response === "na") {
    const reason = valueOf(item, "not_applicable_reason");
    const words = reason ? reason.split(/\s+/).length : 0;
    const needed = "critical" in item.dataset ? NA_MIN_WORDS : 1;
    return words >= Math.max(needed, 1) ? "ready" : "blocking";
  }
  if (
    GAP_RESPONSES.indexOf(response) !== -1 &&
    !(valueOf(item, "action_description") && valueOf(item, "action_owner") && valueOf(item, "action_due"))
  ) {
    return "blocking";
  }
  return "ready";
}
