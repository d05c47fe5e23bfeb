/* The moderation screen without reloads. Every control is a plain form or link that works on
   its own; this script sends the same requests with "Accept: application/json", puts the rows
   the server sends back in place, keeps the tab counts and the menu's badge true, and adds
   WordPress's keyboard shortcuts. */
(() => {
  "use strict";
  const root = document.querySelector(".desk[data-act]");
  if (!root || !document.getElementById("desk-act")) return;
  const actUrl = root.dataset.act;
  const tab = root.dataset.tab;
  const notices = document.getElementById("desk-notices");
  const csrf = () => document.querySelector("#desk-act input[name=csrfmiddlewaretoken]").value;
  let current = null;
  let lastUndo = "";

  async function send(url, data, method = "POST") {
    let response;
    try {
      response = await fetch(url, {
        method,
        body: method === "POST" ? data : undefined,
        headers: { Accept: "application/json", "X-CSRFToken": csrf() },
        credentials: "same-origin",
      });
    } catch (error) {
      throw new Error("Salon could not be reached; check the connection and try again.");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = { error: `The server answered ${response.status}; reload the page and try again.` };
    }
    if (!response.ok) throw new Error(body.error || `The server answered ${response.status}.`);
    return body;
  }

  function say(message, undo, isError) {
    const box = document.createElement("div");
    box.className = "desk-notice" + (isError ? " desk-notice--error" : "");
    if (isError) box.setAttribute("role", "alert");
    const text = document.createElement("p");
    text.textContent = message;
    box.append(text);
    if (undo) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = "Undo";
      button.dataset.undoToken = undo;
      box.append(button);
    }
    notices.replaceChildren(box);
  }

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function putRows(rows) {
    for (const [id, html] of Object.entries(rows || {})) {
      const old = document.getElementById(`desk-c-${id}`);
      if (!old) continue;
      const fresh = fromHtml(html);
      const wasCurrent = old === current || old.contains(document.activeElement);
      old.replaceWith(fresh);
      if (wasCurrent) select(fresh);
    }
  }

  function putCounts(counts, pending) {
    if (!counts) return;
    for (const link of root.querySelectorAll(".desk-tabs a[data-tab]")) {
      const count = link.querySelector(".desk-count");
      if (count && link.dataset.tab in counts) count.textContent = `(${counts[link.dataset.tab]})`;
    }
    for (const badge of document.querySelectorAll(".desk-badge")) {
      const words = badge.querySelector(".desk-sr");
      if (!pending) {
        badge.remove();
        continue;
      }
      badge.firstChild.textContent = String(pending);
      if (words) badge.append(words);
    }
  }

  async function act(data) {
    data.set("view", tab);
    try {
      const body = await send(actUrl, data);
      putRows(body.rows);
      putCounts(body.counts, body.pending);
      if (body.undo) lastUndo = body.undo;
      say(body.message, body.undo);
      return body;
    } catch (error) {
      say(error.message, "", true);
      return null;
    }
  }

  function undo(token) {
    const data = new FormData();
    data.set("undo", token);
    return act(data).then((body) => {
      if (body && token === lastUndo) lastUndo = "";
    });
  }

  // Rows: select one (j/k, or by focusing anything in it).
  const rows = () => [...root.querySelectorAll(".desk-list > .desk-row")];
  function select(row) {
    if (!row) return;
    if (current && current !== row) current.classList.remove("desk-current");
    current = row;
    row.classList.add("desk-current");
    if (!row.contains(document.activeElement)) row.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  root.addEventListener("focusin", (event) => {
    const row = event.target.closest(".desk-row");
    if (row && row !== current) {
      if (current) current.classList.remove("desk-current");
      current = row;
      row.classList.add("desk-current");
    }
  });

  // Inline reply and Quick Edit.
  function closeInline(row) {
    const slot = row && row.querySelector(".desk-inline");
    if (slot) slot.replaceChildren();
    if (row) row.focus();
  }

  function openReply(row, link) {
    const slot = row.querySelector(".desk-inline");
    if (slot.querySelector(".desk-reply")) {
      slot.querySelector("textarea").focus();
      return;
    }
    const form = document.getElementById("desk-reply-template").content.firstElementChild.cloneNode(true);
    form.action = link.href;
    const name = row.querySelector(".desk-name").firstChild.textContent.trim();
    form.querySelector("label").firstChild.textContent = `Reply to ${name}`;
    if (link.textContent.trim().startsWith("Approve")) {
      form.querySelector("button[type=submit]").textContent = "Approve and reply";
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      data.set("view", tab);
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const body = await send(link.href, data);
        putRows(body.rows);
        putCounts(body.counts, body.pending);
        const parent = document.getElementById(`desk-c-${row.dataset.id}`);
        if (body.reply && parent) {
          const answer = fromHtml(body.reply);
          parent.after(answer);
        }
        say(body.message);
        if (parent) closeInline(parent);
      } catch (error) {
        say(error.message, "", true);
        button.disabled = false;
      }
    });
    form.querySelector(".desk-cancel").addEventListener("click", () => closeInline(row));
    slot.replaceChildren(form);
    form.querySelector("textarea").focus();
  }

  async function openQuickEdit(row, link) {
    const slot = row.querySelector(".desk-inline");
    if (slot.querySelector(".desk-quick")) {
      slot.querySelector("input, textarea").focus();
      return;
    }
    let body;
    try {
      body = await send(link.href, null, "GET");
    } catch (error) {
      say(error.message, "", true);
      return;
    }
    const form = document.createElement("form");
    form.className = "desk-inline-form desk-quick";
    form.method = "post";
    form.action = link.href;
    form.innerHTML = body.form;
    const buttons = document.createElement("p");
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "button default";
    save.textContent = "Update comment";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => closeInline(row));
    buttons.append(save, " ", cancel);
    form.append(buttons);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      data.set("view", tab);
      try {
        const answer = await send(link.href, data);
        putRows(answer.rows);
        say(answer.message);
      } catch (error) {
        say(error.message, "", true);
      }
    });
    slot.replaceChildren(form);
    form.querySelector("textarea, input").focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.desk-do");
    if (button && root.contains(button)) {
      event.preventDefault();
      const row = button.closest(".desk-row");
      if (row) select(row);
      const data = new FormData();
      data.set("do", button.value);
      act(data);
      return;
    }
    const again = event.target.closest("[data-undo-token], [data-undo]");
    if (again && root.contains(again)) {
      event.preventDefault();
      const token = again.dataset.undoToken || again.form.querySelector("[name=undo]").value;
      const row = again.closest(".desk-row");
      if (row) select(row);
      undo(token);
      return;
    }
    const link = event.target.closest("a[data-action]");
    if (link && root.contains(link)) {
      const row = link.closest(".desk-row");
      if (link.dataset.action === "reply") {
        event.preventDefault();
        openReply(row, link);
      } else if (link.dataset.action === "quickedit") {
        event.preventDefault();
        openQuickEdit(row, link);
      }
    }
  });

  const bulk = document.getElementById("desk-bulk");
  if (bulk) {
    bulk.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(bulk);
      if (!data.get("do")) {
        say("Choose a bulk action first.", "", true);
        return;
      }
      if (!data.getAll("ids").length) {
        say("Select at least one comment first.", "", true);
        return;
      }
      act(data).then((body) => {
        if (body) for (const box of document.querySelectorAll("input[form=desk-bulk][name=ids]")) box.checked = false;
      });
    });
    const all = document.getElementById("desk-all");
    all.hidden = false;
    all.labels.forEach((label) => (label.hidden = false));
    all.addEventListener("change", () => {
      for (const box of document.querySelectorAll("input[form=desk-bulk][name=ids]")) box.checked = all.checked;
    });
  }

  // The no-JavaScript notice's Undo form, shown after a reload, works the same way.
  for (const form of root.querySelectorAll(".desk-notices .desk-undo")) {
    form.querySelector("button").dataset.undo = "";
  }

  // Keyboard shortcuts, as on WordPress's Comments screen; they can be turned off.
  const help = document.getElementById("desk-keys");
  const on = document.getElementById("desk-keys-on");
  if (help && on) {
    help.hidden = false;
    on.checked = localStorage.getItem("salon-desk-keys") !== "off";
    on.addEventListener("change", () => localStorage.setItem("salon-desk-keys", on.checked ? "on" : "off"));
  }
  const ROW_ACTIONS = { a: ["approve", "notspam"], u: ["unapprove"], s: ["spam"], d: ["trash"] };

  document.addEventListener("keydown", (event) => {
    if (!on || !on.checked || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") closeInline(target.closest(".desk-row"));
      return;
    }
    const list = rows();
    const key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      if (!list.length) return;
      const at = list.indexOf(current);
      const next = at < 0 ? 0 : Math.min(Math.max(at + (key === "j" ? 1 : -1), 0), list.length - 1);
      select(list[next]);
      return;
    }
    if (key === "z") {
      if (lastUndo) {
        event.preventDefault();
        undo(lastUndo);
      }
      return;
    }
    if (key === "Escape") {
      closeInline(current);
      return;
    }
    if (!current || !document.body.contains(current)) return;
    if (ROW_ACTIONS[key]) {
      for (const name of ROW_ACTIONS[key]) {
        const button = current.querySelector(`button[data-action="${name}"]`);
        if (button) {
          event.preventDefault();
          button.click();
          return;
        }
      }
      return;
    }
    const links = { r: "reply", q: "quickedit", e: "edit" };
    if (links[key]) {
      const link = current.querySelector(`a[data-action="${links[key]}"]`);
      if (link) {
        event.preventDefault();
        link.click();
      }
      return;
    }
    if (key === "x") {
      const box = current.querySelector("input[name=ids]");
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
      }
    }
  });
})();
