// Keys for the review page: plain JavaScript, no build step.  Every action is an
// ordinary form or link, so the page also works without this file.
(function () {
  "use strict";
  const body = document.body;
  const typing = (el) => el && (el.closest("input, select, textarea, [contenteditable]") !== null);
  const items = () => Array.from(document.querySelectorAll(".item"));
  let current = null;

  function select(el, scroll) {
    if (!el) return;
    if (current) current.classList.remove("current");
    current = el;
    el.classList.add("current");
    if (scroll !== false) el.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = items();
    if (!all.length) return;
    const at = all.indexOf(current);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  function startAt() {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id ? document.getElementById(id) : null;
    if (target) {
      select(target.classList.contains("item") ? target : target.querySelector(".item"));
    } else {
      select(items()[0], false);
    }
  }

  function inItem(selector) {
    if (!current) return null;
    const own = current.querySelector(selector);
    if (own) return own;
    const crit = current.closest(".crit");
    return crit ? crit.querySelector(".critem " + selector) : null;
  }

  function needCurator() {
    if (body.dataset.curator) return false;
    const who = document.getElementById("curator");
    who.focus();
    who.classList.add("wanted");
    who.placeholder = "your name first";
    return true;
  }

  // -- the constraint editor: check as the curator types, before saving
  let timer = null;
  function check(form) {
    const out = form.querySelector("[data-check]");
    // form.action would be the input named "action": read the attribute
    const url = form.getAttribute("action").replace(/\/decide(\?|$)/, "/check$1");
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => { out.innerHTML = html; form.dataset.checked = "1"; })
      .catch(() => { out.textContent = "could not check (is the server running?)"; });
  }
  function openEditor(id) {
    const form = document.getElementById(id);
    if (!form) return;
    document.querySelectorAll("form[data-editor]").forEach((f) => { if (f !== form) f.hidden = true; });
    form.hidden = false;
    const first = form.querySelector(form.querySelector("[name=action]").value === "add"
      ? "select[name=variable]" : "input[name=lower]");
    (first || form.querySelector("select, input:not([type=hidden])")).focus();
    check(form);
  }
  document.addEventListener("input", (ev) => {
    const form = ev.target.closest("form[data-editor]");
    if (!form) return;
    clearTimeout(timer);
    timer = setTimeout(() => check(form), 250);
  });
  document.addEventListener("change", (ev) => {
    const form = ev.target.closest("form[data-editor]");
    if (form) check(form);
  });
  document.addEventListener("click", (ev) => {
    const opener = ev.target.closest("[data-open]");
    if (opener) { ev.preventDefault(); select(opener.closest(".item"), false); openEditor(opener.dataset.open); return; }
    const closer = ev.target.closest("[data-close]");
    if (closer) { closer.closest("form").hidden = true; return; }
    if (ev.target.closest("[data-help]")) { document.getElementById("help").showModal(); return; }
    const item = ev.target.closest(".item");
    if (item && !ev.target.closest("a, button, input, select, label")) {
      if (item.dataset.href) { location.href = item.dataset.href; } else { select(item, false); }
    }
  });
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (form.closest(".who") || form.getAttribute("method") === "get") return;
    if (needCurator()) { ev.preventDefault(); }
  });

  function press(selector) {
    const el = inItem(selector);
    if (!el || el.disabled) return false;
    if (needCurator()) return true;
    el.click();
    return true;
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape") {
      const open = document.activeElement && document.activeElement.closest("form[data-editor]");
      if (open) { open.hidden = true; }
      if (document.activeElement) document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) {
      if (ev.key === "Enter" && ev.target.tagName === "SELECT") {
        ev.preventDefault();
        if (!needCurator()) ev.target.form.requestSubmit();
      }
      return;
    }
    let done = true;
    switch (ev.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": case "o":
        if (current && current.dataset.href) location.href = current.dataset.href; else done = false;
        break;
      case "a": press("button[data-key=a]"); break;
      case "r": press("button[data-key=r]"); break;
      case "u": press("button[data-key=u]"); break;
      case "t": {  // take the suggestion: the current one, else the criterion's first not taken
        if (!current) break;
        const own = current.querySelector("button[data-key=t]");
        const crit = current.closest(".crit");
        const el = own || (crit && crit.querySelector(".suggestion button[data-key=t]:not([disabled])"));
        if (el && !el.disabled && !needCurator()) el.click();
        break;
      }
      case "l": press("button[data-key=l]"); break;
      case "e": { const b = current && current.querySelector("button[data-key=e]"); if (b) b.click(); break; }
      case "m": { const b = inItem("button[data-key=m]"); if (b) b.click(); break; }
      case "n": { const s = inItem("form[data-nac] select"); if (s) s.focus(); break; }
      case "[": case "]": {
        const link = document.querySelector(`a[data-key="${ev.key}"]`);
        if (link) location.href = link.href;
        break;
      }
      case "g": location.href = "/"; break;
      case "s": location.href = "/summary"; break;
      case "?": document.getElementById("help").showModal(); break;
      default: done = false;
    }
    if (done) ev.preventDefault();
  });

  startAt();
  const open = document.querySelector("form[data-editor]:not([hidden])");
  if (open) { open.querySelector("input[name=lower]").focus(); check(open); }
})();
