// The board page's script: reads the board embedded as JSON, draws the sprint,
// the latest handoff and the columns, and filters in the page (no server, no
// network). Each column draws its first PAGE matching cards and a "show more"
// button, so a 10,000-task board opens and filters at once. When served live,
// server-sent events carry each new board; in write mode a card dragged to
// another column (or moved with its select) asks the server to change the
// task's status, and a refusal is shown on the card.
(function () {
  "use strict";
  var PAGE = 100;
  var data = JSON.parse(document.getElementById("board-data").textContent);
  var board = data.board;
  var shown = {};
  var refusals = {};
  var dragging = false, stale = false;
  var state = { q: "", assignee: "", label: "", priority: "", blocked: false };
  var api = { filterMs: null, updates: 0, render: render };
  window.orchestronBoard = api;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function allCards() {
    var out = [];
    board.columns.forEach(function (c) { out.push.apply(out, c.cards); });
    return out;
  }
  function haystack(c) {
    if (!c._hay) {
      c._hay = [c.id, c.title, c.assignee || "", (c.labels || []).join(" "), c.type, c.priority]
        .join(" ").toLowerCase();
    }
    return c._hay;
  }
  function matches(c) {
    if (state.assignee && (c.assignee || "") !== state.assignee) return false;
    if (state.label && (c.labels || []).indexOf(state.label) < 0) return false;
    if (state.priority && c.priority !== state.priority) return false;
    if (state.blocked && !c.blocked) return false;
    if (state.q) {
      var h = haystack(c);
      var words = state.q.split(/\s+/);
      for (var i = 0; i < words.length; i++) if (words[i] && h.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function fillSelect(id, values) {
    var s = document.getElementById(id);
    var keep = s.value;
    while (s.options.length > 1) s.remove(1);
    values.forEach(function (v) { var o = el("option", null, v); o.value = v; s.appendChild(o); });
    s.value = values.indexOf(keep) >= 0 ? keep : "";
  }
  function filterChoices() {
    var who = {}, labels = {};
    allCards().forEach(function (c) {
      if (c.assignee) who[c.assignee] = 1;
      (c.labels || []).forEach(function (l) { labels[l] = 1; });
    });
    fillSelect("f-assignee", Object.keys(who).sort());
    fillSelect("f-label", Object.keys(labels).sort());
    fillSelect("f-priority", ["CRITICAL", "HIGH", "MEDIUM", "LOW"]);
  }

  function header() {
    var title = board.project + " board";
    document.getElementById("title").textContent = title;
    document.title = title;
    var f = (board.filters || []).map(function (p) { return p[0] + " " + p[1]; }).join(", ");
    document.getElementById("generated").textContent =
      "as of " + board.generated.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC") +
      (f ? " · " + f : "");
  }

  function burndownSvg(p) {
    var series = p.series || [];
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "burndown");
    svg.setAttribute("viewBox", "0 0 300 90");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Burndown: " + series.map(function (d) { return d.date + " " + d.remaining; }).join(", "));
    var max = 1;
    series.forEach(function (d) { if (d.remaining > max) max = d.remaining; });
    var n = Math.max(series.length - 1, 1);
    var x = function (i) { return 20 + (i * 270) / n; };
    var y = function (v) { return 8 + 70 * (1 - v / max); };
    function line(cls, pts) {
      var e = document.createElementNS(ns, "polyline");
      e.setAttribute("class", cls);
      e.setAttribute("points", pts);
      svg.appendChild(e);
    }
    function text(tx, ty, s) {
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", tx); t.setAttribute("y", ty); t.textContent = s;
      svg.appendChild(t);
    }
    line("axis", "20,78 290,78");
    if (series.length) {
      line("ideal", x(0) + "," + y(series[0].remaining) + " " + x(n) + "," + y(0));
      line("actual", series.map(function (d, i) { return x(i) + "," + y(d.remaining); }).join(" "));
      text(0, 12, String(max));
      text(20, 89, series[0].date);
      text(230, 89, series[series.length - 1].date);
    }
    return svg;
  }

  function sprintPanel() {
    var box = document.getElementById("sprint");
    box.textContent = "";
    var s = board.sprint;
    if (!s) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el("h2", null, "Sprint " + s.name + " · " + s.status));
    if (s.goal) box.appendChild(el("p", null, s.goal));
    var p = s.progress;
    var bar = el("div", "bar"); var fill = el("span"); fill.style.width = s.percent + "%"; bar.appendChild(fill);
    box.appendChild(bar);
    var line = s.done + "/" + s.total + " done (" + s.percent + "%) · " + p.points_done + "/" +
      (p.points_done + p.points_remaining) + " points";
    if (p.days_left !== null && p.days_left !== undefined) line += " · " + p.days_left + " day(s) left";
    if (p.scope_added_total) line += " · scope added " + p.scope_added_total;
    box.appendChild(el("p", "muted", line));
    if (p.series && p.series.length) box.appendChild(burndownSvg(p));
  }

  function handoffPanel() {
    var box = document.getElementById("handoff");
    box.textContent = "";
    var h = board.handoff;
    if (!h) { box.hidden = true; return; }
    box.hidden = false;
    box.className = "panel handoff";
    box.appendChild(el("h2", null, "Latest handoff · " + h.by + " · " + h.at.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC")));
    var ctx = h.context || {};
    if (h.task) {
      var p = el("p"); p.appendChild(document.createTextNode("Task "));
      var a = el("a", null, h.task); a.href = "#" + h.task; p.appendChild(a); box.appendChild(p);
    }
    [["Done", ctx.completedWork], ["Remaining", ctx.remainingWork], ["Notes", ctx.notes || h.notes]]
      .forEach(function (r) { if (r[1]) box.appendChild(el("p", null, r[0] + ": " + r[1])); });
    if (h.git && h.git.branch) box.appendChild(el("p", "muted", "branch " + h.git.branch + (h.git.head ? " @ " + h.git.head.slice(0, 8) : "")));
  }

  function cardEl(c) {
    var e = el("article", "card p-" + c.priority);
    e.id = c.id;
    e.dataset.id = c.id;
    e.dataset.status = c.status;
    var head = el("div", "head");
    head.appendChild(el("span", "id", c.id));
    head.appendChild(el("span", "pri", c.priority));
    head.appendChild(el("span", "chip", c.type));
    if (c.status === "BLOCKED") head.appendChild(el("span", "badge-blocked", "BLOCKED"));
    e.appendChild(head);
    e.appendChild(el("div", "title", c.title));
    var meta = el("div", "meta");
    if (c.assignee) meta.appendChild(el("span", "assignee", "@" + c.assignee));
    if (c.estimate !== null && c.estimate !== undefined) meta.appendChild(el("span", null, c.estimate + " pt"));
    (c.labels || []).forEach(function (l) { meta.appendChild(el("span", "chip", l)); });
    if (c.blocks) meta.appendChild(el("span", null, "blocks " + c.blocks));
    if (meta.childNodes.length) e.appendChild(meta);
    if (c.waiting_on && c.waiting_on.length) {
      var d = el("div", "deps"); d.appendChild(document.createTextNode("waits on "));
      c.waiting_on.forEach(function (id, i) {
        if (i) d.appendChild(document.createTextNode(", "));
        var a = el("a", null, id); a.href = "#" + id; d.appendChild(a);
      });
      e.appendChild(d);
    }
    if (c.claim) {
      var parts = ["held by " + c.claim.holder];
      if (c.claim.branch) parts.push("branch " + c.claim.branch);
      if (c.claim.worktree) parts.push("worktree " + c.claim.worktree);
      if (c.claim.stale) parts.push("lease expired");
      e.appendChild(el("div", "claim", parts.join(" · ")));
    }
    if (c.progress > 0 && c.status !== "DONE") {
      var pr = el("div", "progress"); pr.title = c.progress + "%";
      var f = el("span"); f.style.width = c.progress + "%"; pr.appendChild(f); e.appendChild(pr);
    }
    if (data.write) {
      e.draggable = true;
      e.addEventListener("dragstart", function (ev) {
        dragging = true; e.classList.add("dragging"); ev.dataTransfer.setData("text/plain", c.id);
      });
      e.addEventListener("dragend", function () {
        dragging = false; e.classList.remove("dragging");
        if (stale) { stale = false; redraw(); }
      });
      var s = el("select", "move"); s.setAttribute("aria-label", "Move " + c.id);
      board.columns.forEach(function (col) {
        var o = el("option", null, col.status); o.value = col.status; s.appendChild(o);
      });
      s.value = c.status;
      s.addEventListener("change", function () { move(c.id, s.value); });
      e.appendChild(s);
    }
    if (refusals[c.id]) e.appendChild(refusalOf(c.id, refusals[c.id]));
    return e;
  }

  function columnEl(col, list) {
    var sec = el("section", "column");
    sec.dataset.status = col.status;
    var h = el("h2");
    h.appendChild(el("span", null, col.status));
    var carried = col.cards.length;
    var count = list.length === carried ? String(col.total) : list.length + " of " + col.total;
    h.appendChild(el("span", "count", count));
    sec.appendChild(h);
    var cards = el("div", "cards");
    var limit = shown[col.status] || PAGE;
    var frag = document.createDocumentFragment();
    for (var i = 0; i < list.length && i < limit; i++) frag.appendChild(cardEl(list[i]));
    cards.appendChild(frag);
    sec.appendChild(cards);
    if (list.length > limit) {
      var more = el("button", "more", "Show " + Math.min(PAGE, list.length - limit) + " more (" + (list.length - limit) + " hidden)");
      more.type = "button";
      more.addEventListener("click", function () { shown[col.status] = limit + PAGE; render(); });
      sec.appendChild(more);
    }
    if (carried < col.total) sec.appendChild(el("p", "note", "Latest " + carried + " of " + col.total + " carried in this page."));
    if (data.write) {
      sec.addEventListener("dragover", function (ev) { ev.preventDefault(); sec.classList.add("drop"); });
      sec.addEventListener("dragleave", function () { sec.classList.remove("drop"); });
      sec.addEventListener("drop", function (ev) {
        ev.preventDefault(); sec.classList.remove("drop");
        var id = ev.dataTransfer.getData("text/plain");
        if (id) move(id, col.status);
      });
    }
    return sec;
  }

  function render() {
    var t0 = performance.now();
    var main = document.getElementById("board");
    var frag = document.createDocumentFragment();
    var total = 0, hit = 0;
    board.columns.forEach(function (col) {
      var list = col.cards.filter(matches);
      total += col.cards.length; hit += list.length;
      frag.appendChild(columnEl(col, list));
    });
    main.textContent = "";
    main.appendChild(frag);
    document.getElementById("count").textContent = hit === total ? total + " cards" : hit + " of " + total + " cards";
    api.filterMs = performance.now() - t0;
  }

  function readFilters() {
    state.q = document.getElementById("search").value.trim().toLowerCase();
    state.assignee = document.getElementById("f-assignee").value;
    state.label = document.getElementById("f-label").value;
    state.priority = document.getElementById("f-priority").value;
    state.blocked = document.getElementById("f-blocked").checked;
    shown = {};
    render();
  }

  // A redraw replaces every card; one during a drag would detach the card
  // being dragged and lose the drop, so it waits for the drag to end.
  function redraw() {
    if (dragging) { stale = true; return; }
    header(); sprintPanel(); handoffPanel(); filterChoices(); render();
  }

  // A move refused because another agent holds the task can be forced: the
  // claim ends and its holder is told (docs/CLAIMS.md).
  function refusalOf(id, r) {
    var box = el("div", "refusal", r.text);
    if (r.claimed) {
      var b = el("button", "force", "Move anyway");
      b.title = "override the claim: it ends, and its holder is told";
      b.addEventListener("click", function () { move(id, r.status, true); });
      box.appendChild(b);
    }
    return box;
  }

  function move(id, status, force) {
    delete refusals[id];
    fetch("api/tasks/" + encodeURIComponent(id) + "/status", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: status, force: !!force })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) {
        refusals[id] = {
          text: res.body.error || "refused",
          claimed: res.body.class === "claimed",
          status: status
        };
      }
      if (res.body.board) board = res.body.board;
      redraw();
    }).catch(function (e) { refusals[id] = { text: "cannot reach the server: " + e }; redraw(); });
  }

  ["search", "f-assignee", "f-label", "f-priority", "f-blocked"].forEach(function (id) {
    var e = document.getElementById(id);
    e.addEventListener(e.tagName === "INPUT" && e.type === "search" ? "input" : "change", readFilters);
  });
  redraw();

  if (data.live && window.EventSource) {
    var badge = document.getElementById("live");
    badge.hidden = false;
    badge.textContent = data.write ? "live · write" : "live";
    var es = new EventSource("events");
    es.addEventListener("board", function (ev) {
      board = JSON.parse(ev.data);
      api.updates += 1;
      badge.className = "live";
      redraw();
    });
    es.onerror = function () { badge.className = "live off"; badge.textContent = "reconnecting…"; };
    es.onopen = function () { badge.className = "live"; badge.textContent = data.write ? "live · write" : "live"; };
  }
})();
