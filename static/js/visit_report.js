// The act of public observation and the monitoring card on a phone (monitoring/reports/form.html): every change
// is saved at once, one field at a time (an item's Да / Нет with its details, the start or end time, the comment).
//
// Nothing typed is lost (as in the score grid, static/js/grid.js): a change goes first into a queue kept in
// localStorage per user and report, then is sent (POST JSON with the CSRF token: field, value, text). While the
// server cannot be reached the queue is retried with backoff and the state line says «Не сохранено: нет связи —
// N изменений ждут отправки»; on reload the queued values are put back in the form and sent again; going back
// online sends them at once. A signed document answers 409: the queue is dropped and the page says so.
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) {
    return;
  }
  var saveUrl = form.dataset.saveUrl;
  var queueKey = form.dataset.queueKey;
  var stateLine = document.getElementById("report-state");
  var submitForm = document.getElementById("report-submit");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";
  var textNode = document.getElementById("report-text");
  var TEXT = textNode ? JSON.parse(textNode.textContent) : {};

  var TEXT_DEBOUNCE_MS = 600;
  var MAX_BACKOFF_MS = 30000;

  var queue = load();
  var sending = false;
  var attempt = 0;
  var retryTimer = null;
  var debounceTimer = null;
  var lastSavedAt = "";
  var problem = "";
  var submitAfterFlush = false;

  function text(key, params) {
    return String(TEXT[key] || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && name in params ? params[name] : whole;
    });
  }

  // Storage -------------------------------------------------------------------------------------------------

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(queueKey) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function store() {
    try {
      if (Object.keys(queue).length) {
        window.localStorage.setItem(queueKey, JSON.stringify(queue));
      } else {
        window.localStorage.removeItem(queueKey);
      }
    } catch (error) {
      // storage full or disabled: the queue still lives in memory while the page is open
    }
  }

  // The form ------------------------------------------------------------------------------------------------

  function itemBox(code) {
    return form.querySelector('fieldset[data-item="' + code + '"]');
  }

  function fieldInput(name) {
    return form.querySelector('.report-field[data-field="' + name + '"]');
  }

  // What an item holds now: its checked value and its details.
  function itemEntry(box) {
    var checked = box.querySelector("input.report-value:checked");
    return {field: box.dataset.item, value: checked ? checked.value : "", text: box.querySelector(".report-text").value};
  }

  // The details are required where the answer reports a violation: said beside the field at once.
  function markRequired(box) {
    var checked = box.querySelector("input.report-value:checked");
    var required = checked && checked.value === box.dataset.violationIf;
    box.querySelector(".report-required").classList.toggle("d-none", !required);
  }

  function showItemError(code, message) {
    var box = itemBox(code);
    if (box) {
      box.querySelector(".report-error").textContent = message || "";
    }
  }

  function put(entry) {
    var box = itemBox(entry.field);
    if (box) {
      Array.prototype.forEach.call(box.querySelectorAll("input.report-value"), function (radio) {
        radio.checked = radio.value === entry.value;
      });
      box.querySelector(".report-text").value = entry.text || "";
      markRequired(box);
      return;
    }
    var input = fieldInput(entry.field);
    if (input) {
      input.value = entry.value || "";
    }
  }

  // The state line ------------------------------------------------------------------------------------------

  function render() {
    var waiting = Object.keys(queue).length;
    form.dataset.pending = String(waiting);
    stateLine.classList.remove("text-danger", "text-success");
    if (problem) {
      stateLine.textContent = problem;
      stateLine.classList.add("text-danger");
    } else if (waiting && retryTimer) {
      stateLine.textContent = text("offline", {n: waiting});
      stateLine.classList.add("text-danger");
    } else if (waiting) {
      stateLine.textContent = text("pending", {n: waiting});
    } else if (lastSavedAt) {
      stateLine.textContent = text("saved_at", {time: lastSavedAt});
      stateLine.classList.add("text-success");
    }
  }

  // Queue ---------------------------------------------------------------------------------------------------

  function enqueue(entry, delay) {
    queue[entry.field] = entry;
    problem = "";
    store();
    render();
    window.clearTimeout(debounceTimer);
    debounceTimer = window.setTimeout(flush, delay || 0);
  }

  function scheduleRetry() {
    attempt += 1;
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt - 1));
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, delay);
  }

  function same(a, b) {
    return a && b && a.value === b.value && (a.text || "") === (b.text || "");
  }

  async function flush() {
    if (sending) {
      return;
    }
    sending = true;
    try {
      for (;;) {
        var keys = Object.keys(queue);
        if (!keys.length) {
          break;
        }
        var sent = Object.assign({}, queue[keys[0]]);
        var response;
        var data = null;
        try {
          response = await window.fetch(saveUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json"},
            body: JSON.stringify(sent),
          });
          if ((response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
            data = await response.json();
          }
        } catch (error) {
          scheduleRetry();
          break;
        }
        if (response.ok && data) {
          if (same(queue[sent.field], sent)) {
            delete queue[sent.field];
          }
          lastSavedAt = data.saved_at;
          showItemError(sent.field, "");
        } else if (response.status === 409) {
          queue = {};
          problem = (data && data.error) || text("closed");
        } else if (response.status === 400 && data && data.error) {
          if (same(queue[sent.field], sent)) {
            delete queue[sent.field];
          }
          showItemError(sent.field, data.error);
          problem = text("refused", {error: data.error});
        } else {
          scheduleRetry();
          break;
        }
        attempt = 0;
        window.clearTimeout(retryTimer);
        retryTimer = null;
        store();
        render();
      }
    } finally {
      sending = false;
      store();
      render();
      if (submitAfterFlush && !Object.keys(queue).length) {
        submitAfterFlush = false;
        submitForm.submit();
      }
    }
  }

  // Events --------------------------------------------------------------------------------------------------

  form.addEventListener("change", function (event) {
    var target = event.target;
    var box = target.closest("fieldset[data-item]");
    if (box) {
      markRequired(box);
      enqueue(itemEntry(box), 0);
    } else if (target.classList.contains("report-field")) {
      enqueue({field: target.dataset.field, value: target.value}, 0);
    }
  });

  form.addEventListener("input", function (event) {
    var target = event.target;
    var box = target.closest("fieldset[data-item]");
    if (box && target.classList.contains("report-text")) {
      enqueue(itemEntry(box), TEXT_DEBOUNCE_MS);
    } else if (target.dataset.field === "comment") {
      enqueue({field: "comment", value: target.value}, TEXT_DEBOUNCE_MS);
    }
  });

  // Signing waits for every change to reach the server first.
  submitForm.addEventListener("submit", function (event) {
    if (Object.keys(queue).length) {
      event.preventDefault();
      submitAfterFlush = navigator.onLine !== false;
      problem = submitAfterFlush ? "" : text("wait");
      render();
      window.clearTimeout(debounceTimer);
      flush();
    }
  });

  window.addEventListener("online", function () {
    attempt = 0;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    flush();
  });

  // Start: what is still queued from before is put back in the form and sent again.
  Object.keys(queue).forEach(function (key) {
    put(queue[key]);
  });
  Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-item]"), markRequired);
  render();
  form.dataset.ready = "1";
  flush();
})();
