// The entry grids: keyboard-first entry like a spreadsheet, every cell saved as it is made. One script for
// every grid; the table's data-kind chooses what a cell holds, how it is checked here and what is sent:
// - "scores" (grading/grid.html, the default): rows are works (data-work), a column per task, totals and mark;
// - "journal" (grading/journal.html): rows are participants (data-participant), one column, the journal mark.
//
// Keys: digits — points; X or Х — not attempted; Tab / arrows — the neighbouring cell; Enter — the cell below;
// Backspace / Delete — clear. A value the cell cannot hold is marked at once with the reason (the maximum is
// checked here, everything else by the server, whose reason is shown).
//
// Nothing typed is lost: a change goes first into a queue kept in localStorage (per user and assessment),
// then is sent (POST JSON with the CSRF token: work, task, value, base_version). While the server cannot be
// reached the queue is retried with backoff and shown as «не сохранено: N» with its cells; on reload the queue
// is sent again. A cell someone else changed meanwhile answers 409: the current value is shown and the typed one
// is kept aside as a conflict, never written over the other person's value without asking.
(function () {
  "use strict";

  var table = document.getElementById("score-grid") || document.getElementById("journal-grid");
  if (!table) {
    return;
  }
  var NOT_ATTEMPTED = ["X", "Х", "x", "х"];

  // What differs between the grids. A queued entry keeps the row's id in `work` and the column in `task`
  // whatever the kind (entries kept in localStorage by an older page stay readable).
  var KINDS = {
    scores: {
      row: "work",
      totals: true,
      // The reason a value cannot be saved, in the server's words; "" when it can.
      problem: function (raw, input) {
        var value = String(raw).trim();
        var max = parseInt(input.dataset.max, 10);
        if (value === "" || NOT_ATTEMPTED.indexOf(value) >= 0) {
          return "";
        }
        if (/^\d+$/.test(value)) {
          var points = parseInt(value, 10);
          return points > max ? text("over_max", {value: points, max: max}) : "";
        }
        if (/^-\d+$/.test(value)) {
          return text("below_zero", {value: value});
        }
        if (/^-?\d+[.,]\d+$/.test(value)) {
          return text("not_integer", {value: value});
        }
        return text("not_a_score", {value: value, max: max});
      },
      body: function (entry) {
        return {work: parseInt(entry.work, 10), task: parseInt(entry.task, 10)};
      },
    },
    journal: {
      row: "participant",
      totals: false,
      problem: function (raw) {
        var value = String(raw).trim();
        return value === "" || /^[2-5]$/.test(value) ? "" : text("not_a_mark", {value: value});
      },
      body: function (entry) {
        return {participant: parseInt(entry.work, 10)};
      },
    },
  };
  var kind = KINDS[table.dataset.kind] || KINDS.scores;
  var saveUrl = table.dataset.saveUrl;
  var queueKey = table.dataset.queueKey;
  var conflictKey = queueKey + ":conflicts";
  var editable = table.dataset.editable === "1";
  var isManager = table.dataset.mode === "manager";
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";
  var scaleNode = document.getElementById("grid-scale");
  var scale = scaleNode ? JSON.parse(scaleNode.textContent) : null;
  var reasonInput = document.getElementById("grid-reason");
  // The page's words (translated on the server): {name} placeholders filled here.
  var textNode = document.getElementById("grid-text");
  var TEXT = textNode ? JSON.parse(textNode.textContent) : {};

  var DEBOUNCE_MS = 300;
  var MAX_BACKOFF_MS = 30000;

  var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (row) {
    return row.dataset[kind.row];
  });
  var queue = load(queueKey);
  var conflicts = load(conflictKey);
  var sending = false;
  var attempt = 0;
  var retryTimer = null;
  var debounceTimer = null;

  function text(key, params) {
    return String(TEXT[key] || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && name in params ? params[name] : whole;
    });
  }

  // Storage -------------------------------------------------------------------------------------------------

  function load(key) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function store() {
    try {
      window.localStorage.setItem(queueKey, JSON.stringify(queue));
      window.localStorage.setItem(conflictKey, JSON.stringify(conflicts));
    } catch (error) {
      // storage full or disabled: the queue still lives in memory while the page is open
    }
  }

  // Cells ---------------------------------------------------------------------------------------------------

  function keyOf(work, task) {
    return work + ":" + task;
  }

  function cellFor(work, task) {
    return table.querySelector('tr[data-' + kind.row + '="' + work + '"] input[data-task="' + task + '"]');
  }

  function rowId(row) {
    return row.dataset[kind.row];
  }

  function rowOf(input) {
    return input.closest("tr");
  }

  function normalise(raw) {
    var value = String(raw === null || raw === undefined ? "" : raw).trim();
    return NOT_ATTEMPTED.indexOf(value) >= 0 ? "X" : value;
  }

  function problemOf(input, raw) {
    return kind.problem(raw === undefined ? input.value : raw, input);
  }

  function setState(input, state, message) {
    input.classList.remove("is-unsaved", "is-invalid", "is-conflict", "is-saved");
    if (state) {
      input.classList.add(state);
    }
    if (message) {
      input.title = message;
      input.setAttribute("aria-invalid", state === "is-invalid" ? "true" : "false");
    } else {
      input.removeAttribute("title");
      input.removeAttribute("aria-invalid");
    }
  }

  function describe(entry) {
    return entry.code + " · " + entry.label;
  }

  // Totals: counted here at once (also offline), then confirmed by the server's answer.
  function recount(row) {
    if (!kind.totals) {
      return;
    }
    var inputs = row.querySelectorAll("input.grid-cell");
    if (!inputs.length) {
      return;
    }
    var total = 0;
    var graded = 0;
    Array.prototype.forEach.call(inputs, function (input) {
      var value = normalise(input.value);
      if (value === "X") {
        graded += 1;
      } else if (value !== "" && !problemOf(input, value)) {
        graded += 1;
        total += parseInt(value, 10);
      }
    });
    showTotals(row, graded ? total : null, graded === inputs.length ? markFor(total) : null);
  }

  function markFor(total) {
    if (!scale) {
      return null;
    }
    var mark = 2;
    [3, 4, 5].forEach(function (value) {
      if (total >= parseInt(scale[String(value)], 10)) {
        mark = value;
      }
    });
    return mark;
  }

  function showTotals(row, total, mark) {
    if (!kind.totals) {
      return;
    }
    row.querySelector("[data-total]").textContent = total === null || total === undefined ? "—" : total;
    row.querySelector("[data-mark]").textContent = mark === null || mark === undefined ? "—" : mark;
  }

  // Status --------------------------------------------------------------------------------------------------

  function render() {
    var keys = Object.keys(queue);
    var unsaved = document.getElementById("grid-unsaved");
    var saved = document.getElementById("grid-saved");
    var list = document.getElementById("grid-unsaved-list");
    unsaved.textContent = text("unsaved", {n: keys.length});
    unsaved.classList.toggle("d-none", keys.length === 0);
    saved.classList.toggle("d-none", keys.length !== 0);
    list.innerHTML = "";
    keys.forEach(function (key) {
      var item = document.createElement("li");
      item.textContent = describe(queue[key]) + ": «" + queue[key].value + "»";
      list.appendChild(item);
    });
    list.classList.toggle("d-none", keys.length === 0);
    if (keys.length === 0) {
      document.getElementById("grid-retry").textContent = "";
    }
    renderConflicts();
    var submit = document.querySelector("#grid-submit button");
    if (submit) {
      submit.disabled = keys.length !== 0 || Object.keys(conflicts).length !== 0;
    }
  }

  function renderConflicts() {
    var box = document.getElementById("grid-conflicts");
    var keys = Object.keys(conflicts);
    box.innerHTML = "";
    box.classList.toggle("d-none", keys.length === 0);
    if (!keys.length) {
      return;
    }
    box.className = "alert alert-warning small";
    var title = document.createElement("p");
    title.className = "mb-1 fw-semibold";
    title.textContent = text("conflicts");
    box.appendChild(title);
    keys.forEach(function (key) {
      var conflict = conflicts[key];
      var line = document.createElement("div");
      line.className = "d-flex flex-wrap gap-2 align-items-center mb-1";
      line.dataset.conflict = key;
      var label = document.createElement("span");
      label.textContent = text("conflict", {
        cell: describe(conflict),
        mine: conflict.value,
        current: conflict.current || text("empty"),
      });
      line.appendChild(label);
      line.appendChild(button(text("keep_mine"), function () {
        delete conflicts[key];
        enqueue(conflict, conflict.value, conflict.current_version);
        var input = cellFor(conflict.work, conflict.task);
        if (input) {
          input.value = conflict.value;
          setState(input, "is-unsaved");
          recount(rowOf(input));
        }
        flush();
      }));
      line.appendChild(button(text("keep_current"), function () {
        delete conflicts[key];
        var input = cellFor(conflict.work, conflict.task);
        if (input) {
          setState(input, null);
        }
        store();
        render();
      }));
      box.appendChild(line);
    });
  }

  function button(label, onClick) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = "btn btn-sm btn-outline-secondary py-0";
    node.textContent = label;
    node.addEventListener("click", onClick);
    return node;
  }

  function showError(input, message) {
    var list = document.getElementById("grid-errors");
    var row = rowOf(input);
    var key = keyOf(rowId(row), input.dataset.task);
    var item = list.querySelector('[data-cell="' + key + '"]');
    if (!message) {
      if (item) {
        item.remove();
      }
    } else {
      if (!item) {
        item = document.createElement("li");
        item.dataset.cell = key;
        list.appendChild(item);
      }
      item.textContent = row.dataset.code + " · " + input.dataset.label + ": " + message;
    }
    list.classList.toggle("d-none", list.children.length === 0);
  }

  // Queue ---------------------------------------------------------------------------------------------------

  function enqueue(entry, value, baseVersion) {
    var key = keyOf(entry.work, entry.task);
    var existing = queue[key];
    queue[key] = {
      work: entry.work,
      task: entry.task,
      code: entry.code,
      label: entry.label,
      value: value,
      // the version the person typed over: kept while the change waits, so a change made elsewhere meanwhile
      // is a conflict, not overwritten
      base_version: existing ? existing.base_version : baseVersion,
      reason: entry.reason || "",
    };
    store();
    render();
  }

  function edited(input) {
    var row = rowOf(input);
    var problem = problemOf(input);
    recount(row);
    if (problem) {
      setState(input, "is-invalid", problem);
      showError(input, problem);
      return;
    }
    if (isManager && row.dataset.locked === "1" && !(reasonInput && reasonInput.value.trim())) {
      var message = text("reason_needed");
      setState(input, "is-invalid", message);
      showError(input, message);
      return;
    }
    showError(input, "");
    var entry = {
      work: rowId(row),
      task: input.dataset.task,
      code: row.dataset.code,
      label: input.dataset.label,
      reason: reasonInput ? reasonInput.value.trim() : "",
    };
    enqueue(entry, input.value.trim(), parseInt(input.dataset.version, 10));
    setState(input, "is-unsaved");
    window.clearTimeout(debounceTimer);
    debounceTimer = window.setTimeout(flush, DEBOUNCE_MS);
  }

  function scheduleRetry(reason) {
    attempt += 1;
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt - 1));
    document.getElementById("grid-retry").textContent =
      reason + " " + text("retry", {seconds: Math.round(delay / 1000)});
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, delay);
  }

  function saved(key, sent, data) {
    var current = queue[key];
    if (current && current.value === sent.value) {
      delete queue[key];
    } else if (current) {
      current.base_version = data.version; // our own write made this version
    }
    var input = cellFor(sent.work, sent.task);
    if (input) {
      input.dataset.version = data.version;
      if (!queue[key] && normalise(input.value) === normalise(sent.value)) {
        input.value = data.value;
        setState(input, "is-saved");
        showError(input, "");
      }
      showTotals(rowOf(input), data.total, data.mark);
    }
  }

  function conflicted(key, sent, data) {
    var current = data.current || {};
    if (normalise(current.value) === normalise(sent.value)) {
      // the same value is there already (our earlier save got through, its answer was lost)
      saved(key, sent, {version: current.version, value: current.value, total: undefined, mark: undefined});
      var input = cellFor(sent.work, sent.task);
      if (input) {
        recount(rowOf(input));
      }
      return;
    }
    var latest = queue[key] || sent;
    delete queue[key];
    conflicts[key] = {
      work: sent.work,
      task: sent.task,
      code: sent.code,
      label: sent.label,
      value: latest.value,
      reason: latest.reason,
      current: current.value,
      current_version: current.version,
    };
    var cell = cellFor(sent.work, sent.task);
    if (cell) {
      cell.value = current.value || "";
      cell.dataset.version = current.version;
      setState(cell, "is-conflict", data.error);
      recount(rowOf(cell));
    }
  }

  function refused(key, sent, data) {
    var current = queue[key];
    if (current && current.value === sent.value) {
      delete queue[key];
    }
    var input = cellFor(sent.work, sent.task);
    if (input) {
      setState(input, "is-invalid", data.error);
      showError(input, data.error);
    }
  }

  // The version a save replaces is always sent (the server refuses a save without one): an entry kept from an
  // older page may lack it, and then it is the version of the cell as this page loaded it.
  function baseVersionOf(entry) {
    if (Number.isInteger(entry.base_version)) {
      return entry.base_version;
    }
    var input = cellFor(entry.work, entry.task);
    var version = input ? parseInt(input.dataset.version, 10) : NaN;
    return Number.isInteger(version) ? version : 0;
  }

  function post(entry) {
    return window.fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json"},
      body: JSON.stringify(
        Object.assign(kind.body(entry), {
          value: entry.value,
          base_version: baseVersionOf(entry),
          reason: entry.reason || "",
        })
      ),
    });
  }

  async function flush() {
    if (sending) {
      return;
    }
    sending = true;
    window.clearTimeout(retryTimer);
    try {
      for (;;) {
        var keys = Object.keys(queue);
        if (!keys.length) {
          break;
        }
        var key = keys[0];
        var sent = Object.assign({}, queue[key]);
        var response;
        var data = null;
        try {
          response = await post(sent);
          if ((response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
            data = await response.json();
          }
        } catch (error) {
          scheduleRetry(text("offline"));
          break;
        }
        if (response.ok && data) {
          saved(key, sent, data);
        } else if (response.status === 409 && data) {
          conflicted(key, sent, data);
        } else if ((response.status === 400 || response.status === 404) && data && data.error) {
          refused(key, sent, data);
        } else {
          scheduleRetry(
            response.status === 403 || !data ? text("not_accepted") : text("server_error")
          );
          break;
        }
        attempt = 0;
        store();
        render();
      }
    } finally {
      sending = false;
      store();
      render();
    }
  }

  // Keyboard ------------------------------------------------------------------------------------------------

  function move(input, rowStep, colStep) {
    var rowIndex = rows.indexOf(rowOf(input));
    var col = parseInt(input.dataset.col, 10);
    var columns = rowOf(input).querySelectorAll("input.grid-cell").length;
    if (colStep) {
      var next = rowOf(input).querySelector('input[data-col="' + (col + colStep) + '"]');
      if (next) {
        next.focus();
      }
      return;
    }
    for (var r = rowIndex + rowStep; r >= 0 && r < rows.length; r += rowStep) {
      var target = rows[r].querySelector('input[data-col="' + col + '"]');
      if (target) {
        target.focus();
        return;
      }
    }
    if (rowStep > 0 && col + 1 < columns) {
      // Enter below the last row goes on at the top of the next column
      for (var first = 0; first < rows.length; first += 1) {
        var top = rows[first].querySelector('input[data-col="' + (col + 1) + '"]');
        if (top) {
          top.focus();
          return;
        }
      }
    }
  }

  table.addEventListener("focusin", function (event) {
    if (event.target.classList.contains("grid-cell")) {
      event.target.select();
    }
  });

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList.contains("grid-cell") || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    switch (event.key) {
      case "Enter":
        event.preventDefault();
        move(input, event.shiftKey ? -1 : 1, 0);
        break;
      case "ArrowDown":
        event.preventDefault();
        move(input, 1, 0);
        break;
      case "ArrowUp":
        event.preventDefault();
        move(input, -1, 0);
        break;
      case "ArrowLeft":
        event.preventDefault();
        move(input, 0, -1);
        break;
      case "ArrowRight":
        event.preventDefault();
        move(input, 0, 1);
        break;
      case "Backspace":
      case "Delete":
        if (!input.readOnly) {
          event.preventDefault();
          if (input.value !== "") {
            input.value = "";
            edited(input);
          }
        }
        break;
      default:
        break;
    }
  });

  if (editable) {
    table.addEventListener("input", function (event) {
      if (event.target.classList.contains("grid-cell") && !event.target.readOnly) {
        edited(event.target);
      }
    });
    table.addEventListener("focusout", function (event) {
      if (event.target.classList.contains("grid-cell") && Object.keys(queue).length) {
        window.clearTimeout(debounceTimer);
        flush();
      }
    });
  }

  window.addEventListener("online", function () {
    attempt = 0;
    flush();
  });

  // Start: what is still in the queue or in conflict from before is shown in its cells, and sent again.
  Object.keys(queue).forEach(function (key) {
    var entry = queue[key];
    var input = cellFor(entry.work, entry.task);
    if (input) {
      input.value = entry.value;
      setState(input, "is-unsaved");
      recount(rowOf(input));
    }
  });
  Object.keys(conflicts).forEach(function (key) {
    var conflict = conflicts[key];
    var input = cellFor(conflict.work, conflict.task);
    if (input) {
      setState(input, "is-conflict", text("mine_not_saved", {mine: conflict.value}));
    }
  });
  // Typed before this script ran (a slow connection): treated as typed now.
  if (editable) {
    Array.prototype.forEach.call(table.querySelectorAll("input.grid-cell"), function (input) {
      var key = keyOf(rowId(rowOf(input)), input.dataset.task);
      if (!input.readOnly && input.value !== input.defaultValue && !queue[key]) {
        edited(input);
      }
    });
  }
  render();
  table.dataset.ready = "1";
  flush();
})();
