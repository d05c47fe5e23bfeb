/*
 * Salon's comment widget: the conversation under a page of another site.
 *
 *   <div id="salon-comments"></div>
 *   <script src="https://comments.example/embed.js" async></script>
 *
 * Options on the <div>: data-salon-url (the page's address; else its canonical link, else
 * its own address), data-salon-title, data-salon-lang, data-salon-theme (light | dark;
 * otherwise it follows prefers-color-scheme). Links with data-salon-count get the number
 * of comments of the page they point to (or of the address the attribute names).
 *
 * Plain JavaScript, no framework, no request to anyone but the Salon site it came from.
 * No cookies: a reader is known by a token kept in this page's localStorage and sent in the
 * X-Salon-Token header (a guest's token comes with their first comment or like; an
 * account's from the log-in pop-up). Every word shown comes from the site, in the reader's
 * language. Themes: override the --salon-* custom properties on .salon-embed.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  if (!script || window.__salonEmbed) return;
  window.__salonEmbed = true;
  const BASE = script.src.replace(/\/embed\/salon-embed\.[0-9a-f]+\.js(\?.*)?$/, "");
  const SALON_ORIGIN = new URL(BASE).origin;
  const KEY = "salon:" + BASE + ":";
  const memory = {};
  let uid = 0;

  // ---- what this browser remembers (localStorage of this page's site; memory if refused) ----
  const store = {
    get(name) {
      try {
        return JSON.parse(localStorage.getItem(KEY + name));
      } catch {
        return memory[name] ?? null;
      }
    },
    set(name, value) {
      memory[name] = value;
      try {
        if (value == null) localStorage.removeItem(KEY + name);
        else localStorage.setItem(KEY + name, JSON.stringify(value));
      } catch {
        /* storage refused: this visit only */
      }
    },
  };
  const account = () => store.get("account");
  const token = () => account()?.token || store.get("guest") || "";

  // ---- talking to Salon ----
  class Refused extends Error {
    constructor(status, data, retry) {
      super(data?.error || "");
      Object.assign(this, { status, field: data?.field || null, retry });
    }
  }

  async function call(method, path, { params = {}, body, lang } = {}, again = true) {
    const url = new URL(BASE + path);
    for (const [name, value] of Object.entries({ ...params, lang }))
      for (const v of [].concat(value ?? [])) url.searchParams.append(name, v);
    const headers = {};
    const sent = token();
    if (sent) headers["X-Salon-Token"] = sent;
    if (body) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      body: body && JSON.stringify(body),
      mode: "cors",
      credentials: "omit",
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401 && sent && again) {
      // The token expired or its account changed: forget it and ask as a new reader.
      if (account()?.token === sent) store.set("account", null);
      else store.set("guest", null);
      return call(method, path, { params, body, lang }, false);
    }
    if (!response.ok) throw new Refused(response.status, data, response.headers.get("Retry-After"));
    if (data?.token) store.set("guest", data.token);
    return data;
  }

  // ---- building the page ----
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "html") el.innerHTML = value; // sanitised by Salon (nh3)
      else el.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat(9))
      if (child != null && child !== false) el.append(child.nodeType ? child : String(child));
    return el;
  }
  const fill = (text, value) => text.replace("%s", value);

  const STYLE = `
.salon-embed{--salon-text:#1d1d22;--salon-bg:#fff;--salon-muted:#54545e;--salon-surface:#f3f3f6;
--salon-border:#cfcfd8;--salon-accent:#1a5fb4;--salon-on-accent:#fff;--salon-error:#b3261e;
--salon-radius:6px;--salon-font:inherit;
color:var(--salon-text);background:var(--salon-bg);font:var(--salon-font);line-height:1.5;
padding:1em;border-radius:var(--salon-radius);overflow-wrap:anywhere;max-width:100%;box-sizing:border-box}
.salon-embed[data-theme=dark]{--salon-text:#ececf1;--salon-bg:#1c1c21;--salon-muted:#b0b0bc;
--salon-surface:#26262d;--salon-border:#4a4a55;--salon-accent:#8ab4f8;--salon-on-accent:#111116;--salon-error:#ffb4ab}
@media (prefers-color-scheme:dark){.salon-embed:not([data-theme=light]){--salon-text:#ececf1;
--salon-bg:#1c1c21;--salon-muted:#b0b0bc;--salon-surface:#26262d;--salon-border:#4a4a55;
--salon-accent:#8ab4f8;--salon-on-accent:#111116;--salon-error:#ffb4ab}}
.salon-embed *{box-sizing:border-box}
.salon-embed h2,.salon-embed h3{line-height:1.3;margin:0 0 .75em;color:inherit}
.salon-embed h2{font-size:1.35em}.salon-embed h3{font-size:1.15em}
.salon-embed a{color:var(--salon-accent)}
.salon-embed ol{list-style:none;margin:0;padding:0}
.salon-embed .salon-children{margin-left:1.25em;padding-left:.75em;border-left:2px solid var(--salon-border)}
.salon-embed li{margin:0 0 1em}
.salon-embed article{padding:.75em 0;border-top:1px solid var(--salon-border)}
.salon-meta{display:flex;flex-wrap:wrap;align-items:center;gap:.25em .5em;color:var(--salon-muted);font-size:.9em}
.salon-meta b{color:var(--salon-text)}
.salon-avatar{width:2.5em;height:2.5em;border-radius:50%;flex:none}
.salon-awaiting-note{flex-basis:100%;font-style:italic}
.salon-content p{margin:.5em 0}
.salon-content blockquote{margin:.5em 0;padding-left:1em;border-left:3px solid var(--salon-border)}
.salon-content pre{overflow-x:auto;background:var(--salon-surface);padding:.5em}
.salon-actions{display:flex;flex-wrap:wrap;align-items:center;gap:.5em;font-size:.9em}
.salon-embed button{font:inherit;cursor:pointer;color:var(--salon-accent);background:none;
border:1px solid var(--salon-border);border-radius:var(--salon-radius);padding:.3em .8em;min-height:2.25em}
.salon-embed button[aria-pressed=true]{background:var(--salon-accent);color:var(--salon-on-accent);border-color:var(--salon-accent)}
.salon-embed .salon-submit{background:var(--salon-accent);color:var(--salon-on-accent);border-color:var(--salon-accent);font-weight:600}
.salon-embed button:disabled{opacity:.6;cursor:default}
.salon-embed :focus-visible{outline:3px solid var(--salon-accent);outline-offset:2px}
.salon-likes{color:var(--salon-muted)}.salon-likes:empty{display:none}
.salon-respond{margin-top:1.5em;padding:1em;background:var(--salon-surface);border-radius:var(--salon-radius)}
.salon-form p{margin:0 0 .75em}
.salon-form label{display:block;font-weight:600;margin-bottom:.2em}
.salon-form .salon-check label{display:inline;font-weight:400}
.salon-embed input[type=text],.salon-embed input[type=email],.salon-embed input[type=url],.salon-embed textarea{
width:100%;font:inherit;color:var(--salon-text);background:var(--salon-bg);
border:1px solid var(--salon-border);border-radius:var(--salon-radius);padding:.45em .6em}
.salon-embed textarea{min-height:7em;resize:vertical}
.salon-embed [aria-invalid=true]{border-color:var(--salon-error)}
.salon-error{color:var(--salon-error);display:block;font-size:.9em}
.salon-notes,.salon-identity{color:var(--salon-muted);font-size:.9em}
.salon-identity{display:flex;align-items:center;gap:.5em;flex-wrap:wrap}
.salon-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.salon-status:empty{display:none}
.salon-status{margin:.5em 0;font-weight:600}
.salon-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.salon-embed{padding:.75em}.salon-embed .salon-children{margin-left:.5em;padding-left:.5em}}
`;

  // ---- one conversation ----
  class Conversation {
    constructor(root) {
      this.root = root;
      this.n = ++uid;
      const data = root.dataset;
      const canonical = document.querySelector('link[rel="canonical"]')?.href;
      this.url = data.salonUrl || canonical || location.origin + location.pathname;
      this.title =
        data.salonTitle ||
        document.querySelector('meta[property="og:title"]')?.content ||
        document.title;
      this.lang = data.salonLang || document.documentElement.lang || navigator.language || "";
      this.comments = [];
      this.offset = 0;
    }

    async start() {
      try {
        [this.config, this.thread] = await Promise.all([
          call("GET", "/api/v1/config", { lang: this.lang }),
          this.fetchThread(0),
        ]);
      } catch (error) {
        // A site that may not embed this conversation gets nothing at all.
        if (error.status === 403) this.root.replaceChildren();
        console.warn("Salon:", error.message || error);
        return;
      }
      this.S = this.config.strings;
      this.comments = this.thread.comments;
      this.render();
      const target = location.hash.match(/^#comment-(\d+)$/);
      if (target) document.getElementById(target[0].slice(1))?.scrollIntoView();
    }

    fetchThread(offset) {
      return call("GET", "/api/v1/thread", {
        params: { url: this.url, offset },
        lang: this.lang,
      });
    }

    async reload(focusId) {
      this.thread = await this.fetchThread(0);
      this.comments = this.thread.comments;
      this.render();
      if (focusId) {
        const el = document.getElementById("comment-" + focusId);
        el?.scrollIntoView({ block: "center" });
        el?.querySelector(".salon-permalink")?.focus({ preventScroll: true });
      }
    }

    async more(button) {
      button.disabled = true;
      try {
        const page = await this.fetchThread(this.thread.next_offset);
        this.comments = this.comments.concat(page.comments);
        this.thread.next_offset = page.next_offset;
        this.render();
      } catch (error) {
        this.say(this.refusal(error));
        button.disabled = false;
      }
    }

    say(text) {
      this.status.textContent = text;
    }

    render() {
      const S = this.S;
      const t = this.thread;
      const theme = this.root.dataset.salonTheme;
      const headingId = `salon-heading-${this.n}`;
      this.status = h("p", { class: "salon-status", role: "status" });
      this.parent = null;
      this.respond = h("div", { class: "salon-respond" });
      const section = h(
        "section",
        {
          class: "salon-embed",
          "data-theme": theme === "light" || theme === "dark" ? theme : null,
          "aria-labelledby": headingId,
          lang: this.config.language,
        },
        h("h2", { id: headingId, class: "salon-heading" }, t.heading || S.region),
        this.comments.length
          ? h("ol", { class: "salon-comments" }, this.comments.map((c) => this.comment(c)))
          : h("p", { class: "salon-notes" }, t.open ? S.first : ""),
        t.next_offset != null &&
          h("button", { type: "button", class: "salon-more", onclick: (e) => this.more(e.currentTarget) }, S.more),
        this.status,
        this.respond,
        h(
          "p",
          { class: "salon-notes" },
          this.config.spam_notice + " ",
          h("a", { href: this.config.privacy_url, target: "_blank", rel: "noopener" }, S.privacy),
        ),
      );
      this.renderForm();
      this.root.replaceChildren(section);
    }

    comment(c) {
      const S = this.S;
      const author = /^https?:\/\//i.test(c.author.website)
        ? h("a", { href: c.author.website, rel: "external nofollow ugc" }, c.author.name)
        : c.author.name;
      const mine = c.editable_until && new Date(c.editable_until) > new Date();
      const likes = h("span", { class: "salon-likes", "aria-live": "polite" }, c.likes_label);
      const actions = h(
        "div",
        { class: "salon-actions" },
        !c.awaiting &&
          this.thread.open && [
            h(
              "button",
              {
                type: "button",
                class: "salon-reply",
                "aria-label": `${S.reply_to} ${c.author.name}`,
                onclick: () => this.replyTo(c),
              },
              S.reply,
            ),
          ],
        !c.awaiting && [
          h(
            "button",
            {
              type: "button",
              class: "salon-like",
              "aria-pressed": String(c.liked),
              onclick: (e) => this.like(c, e.currentTarget, likes),
            },
            c.liked ? S.liked : S.like,
          ),
          likes,
        ],
        mine && [
          h("button", { type: "button", class: "salon-edit", onclick: () => this.edit(c) }, S.edit),
          h("button", { type: "button", class: "salon-delete", onclick: () => this.remove(c) }, S.delete),
        ],
      );
      return h(
        "li",
        { id: `comment-${c.id}`, class: "salon-comment" + (c.awaiting ? " salon-awaiting" : "") },
        h(
          "article",
          {},
          h(
            "footer",
            { class: "salon-meta" },
            c.number && h("span", { class: "salon-number" }, `${c.number}.`),
            h("img", { class: "salon-avatar", src: c.author.avatar, alt: "", width: 40, height: 40, loading: "lazy" }),
            h("b", { class: "salon-author" }, author),
            c.author.handle && h("span", { class: "salon-handle" }, c.author.handle),
            ["pingback", "trackback", "webmention"].includes(c.kind) && h("span", {}, S.mentioned),
            /^https?:\/\//i.test(c.original_url) &&
              h("a", { href: c.original_url, rel: "external nofollow ugc" }, S.fediverse),
            h(
              "a",
              { class: "salon-permalink", href: `#comment-${c.id}` },
              h("time", { datetime: c.created }, c.date),
            ),
            c.awaiting && h("em", { class: "salon-awaiting-note" }, S.awaiting),
          ),
          h("div", { class: "salon-content", html: c.html }),
          actions,
        ),
        c.replies.length > 0 && h("ol", { class: "salon-children" }, c.replies.map((r) => this.comment(r))),
      );
    }

    async like(c, button, label) {
      button.disabled = true;
      try {
        const result = await call("POST", `/api/v1/comments/${c.id}/like`, { lang: this.lang });
        c.liked = result.liked;
        c.likes = result.likes;
        c.likes_label = result.likes_label;
        button.setAttribute("aria-pressed", String(result.liked));
        button.textContent = result.liked ? this.S.liked : this.S.like;
        label.textContent = result.likes_label;
      } catch (error) {
        this.say(this.refusal(error));
      }
      button.disabled = false;
    }

    edit(c) {
      const S = this.S;
      const li = document.getElementById(`comment-${c.id}`);
      const content = li.querySelector(":scope > article > .salon-content");
      const id = `salon-edit-${this.n}-${c.id}`;
      const area = h("textarea", { id, required: true, maxlength: this.config.limits.text });
      area.value = c.text ?? content.innerText.trim();
      const error = h("span", { class: "salon-error", role: "alert" });
      const form = h(
        "form",
        {
          class: "salon-form",
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              await call("PATCH", `/api/v1/comments/${c.id}`, { body: { text: area.value }, lang: this.lang });
              await this.reload(c.id);
            } catch (failure) {
              error.textContent = this.refusal(failure);
            }
          },
        },
        h("p", {}, h("label", { for: id }, S.comment), area, error),
        h(
          "p",
          { class: "salon-actions" },
          h("button", { type: "submit", class: "salon-submit" }, S.save),
          h("button", { type: "button", onclick: () => this.render() }, S.cancel),
        ),
      );
      content.replaceWith(form);
      area.focus();
    }

    async remove(c) {
      if (!confirm(this.S.confirm_delete)) return;
      try {
        await call("DELETE", `/api/v1/comments/${c.id}`, { lang: this.lang });
        await this.reload();
        this.say(this.S.deleted);
      } catch (error) {
        this.say(this.refusal(error));
      }
    }

    replyTo(c) {
      this.parent = c;
      const li = document.getElementById(`comment-${c.id}`);
      li.querySelector(":scope > article").after(this.respond);
      this.renderForm();
      this.respond.querySelector("textarea").focus();
    }

    cancelReply() {
      this.parent = null;
      this.root.querySelector(".salon-status").after(this.respond);
      this.renderForm();
    }

    refusal(error) {
      if (!(error instanceof Refused) || !error.message) return this.S.unreachable;
      if (error.status === 429 && error.retry) return `${error.message} ${fill(this.S.retry_in, error.retry)}`;
      return error.message;
    }

    field(name, label, attrs, required) {
      const id = `salon-${name}-${this.n}`;
      const input = h(attrs.tag || "input", { id, name, required, "aria-describedby": attrs.describedby, ...attrs.input });
      return h(
        "p",
        { class: `salon-field-${name}` },
        h("label", { for: id }, label, required && h("span", { "aria-hidden": "true" }, " *")),
        input,
        h("span", { class: "salon-error", id: `${id}-error`, role: "alert" }),
      );
    }

    renderForm() {
      const S = this.S;
      const cfg = this.config;
      const who = account();
      const saved = store.get("identity") || {};
      const n = this.n;
      const limits = cfg.limits;
      if (!this.thread.open) {
        this.respond.replaceChildren(h("p", { class: "salon-notes" }, S.closed));
        return;
      }
      const title = this.parent ? fill(S.leave_reply_to, this.parent.author.name) : S.leave_reply;
      const required = cfg.require_name_email;
      const check = (name, label, checked) =>
        h(
          "p",
          { class: "salon-check" },
          h("input", { type: "checkbox", id: `salon-${name}-${n}`, name, checked }),
          " ",
          h("label", { for: `salon-${name}-${n}` }, label),
        );
      const identity = who
        ? h(
            "p",
            { class: "salon-identity" },
            who.avatar && h("img", { class: "salon-avatar", src: who.avatar, alt: "", width: 40, height: 40 }),
            fill(S.commenting_as, who.name),
            h("button", { type: "button", class: "salon-logout", onclick: () => this.logOut() }, S.log_out),
          )
        : h(
            "p",
            { class: "salon-identity" },
            S.log_in_note,
            h("button", { type: "button", class: "salon-login", onclick: () => this.logIn() }, S.log_in),
          );
      const form = h(
        "form",
        { class: "salon-form", novalidate: true, onsubmit: (e) => this.submit(e) },
        identity,
        !who && h("p", { class: "salon-notes", id: `salon-email-note-${n}` }, S.email_note, " ", required && S.required),
        this.field("text", S.comment, { tag: "textarea", input: { maxlength: limits.text, rows: 5 } }, true),
        !who && [
          this.field("name", S.name, { input: { type: "text", maxlength: limits.name, autocomplete: "name", value: saved.name } }, required),
          this.field(
            "email",
            S.email,
            {
              input: { type: "email", maxlength: limits.email, autocomplete: "email", value: saved.email },
              describedby: `salon-email-note-${n}`,
            },
            required,
          ),
          this.field("website", S.website, { input: { type: "url", maxlength: limits.website, autocomplete: "url", value: saved.website } }),
          check("save_identity", S.save_identity, !!saved.name),
        ],
        cfg.mail && [check("notify_replies", S.notify_replies), check("notify_posts", S.notify_posts)],
        h(
          "p",
          { class: "salon-hp", "aria-hidden": "true" },
          h("label", { for: `salon-nickname-${n}` }, S.honeypot),
          h("input", { type: "text", id: `salon-nickname-${n}`, name: "nickname", tabindex: "-1", autocomplete: "off" }),
        ),
        h("p", {}, h("button", { type: "submit", class: "salon-submit" }, S.submit)),
      );
      this.respond.replaceChildren(
        h(
          "h3",
          { class: "salon-reply-title" },
          title,
          " ",
          this.parent &&
            h("button", { type: "button", class: "salon-cancel", onclick: () => this.cancelReply() }, S.cancel_reply),
        ),
        form,
      );
    }

    async submit(event) {
      event.preventDefault();
      const form = event.currentTarget;
      const S = this.S;
      const value = (name) => form.elements[name]?.value.trim() ?? "";
      const checked = (name) => !!form.elements[name]?.checked;
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      for (const el of form.querySelectorAll(".salon-error")) el.textContent = "";
      const body = {
        url: this.url,
        title: this.title,
        text: form.elements.text.value,
        parent: this.parent?.id ?? null,
        shown: this.thread.shown,
        nickname: form.elements.nickname.value,
      };
      if (!account()) Object.assign(body, { name: value("name"), email: value("email"), website: value("website") });
      if (this.config.mail) Object.assign(body, { notify_replies: checked("notify_replies"), notify_posts: checked("notify_posts") });
      if (form.elements.save_identity)
        store.set("identity", checked("save_identity") ? { name: body.name, email: body.email, website: body.website } : null);
      const button = form.querySelector(".salon-submit");
      button.disabled = true;
      button.textContent = S.sending;
      try {
        const posted = await call("POST", "/api/v1/comments", { body, lang: this.lang });
        await this.reload(posted.comment?.id);
        if (!posted.comment) this.say(S.awaiting);
      } catch (error) {
        button.disabled = false;
        button.textContent = S.submit;
        const input = error.field && form.elements[error.field];
        if (input) {
          input.setAttribute("aria-invalid", "true");
          form.querySelector(`#${input.id}-error`).textContent = error.message;
          input.focus();
        } else {
          this.say(this.refusal(error));
        }
      }
    }

    logIn() {
      const url = `${this.config.login_url}?origin=${encodeURIComponent(location.origin)}`;
      const popup = window.open(url, "salon-login", "popup,width=520,height=680");
      if (!popup) return this.say(this.S.popup_blocked);
      const listen = async (event) => {
        if (event.origin !== SALON_ORIGIN || event.data?.salon !== "login") return;
        window.removeEventListener("message", listen);
        const { token: accountToken, name, avatar, provider } = event.data;
        store.set("account", { token: accountToken, name, avatar, provider });
        await this.reload();
      };
      window.addEventListener("message", listen);
    }

    async logOut() {
      store.set("account", null);
      await this.reload();
    }
  }

  // ---- comment counts on links ----
  async function counts() {
    const links = [...document.querySelectorAll("[data-salon-count]")];
    const byUrl = new Map();
    for (const link of links) {
      const url = link.dataset.salonCount || link.href;
      if (!url) continue;
      if (!byUrl.has(url)) byUrl.set(url, []);
      byUrl.get(url).push(link);
    }
    const urls = [...byUrl.keys()];
    for (let i = 0; i < urls.length; i += 100) {
      try {
        const { counts: found } = await call("GET", "/api/v1/counts", {
          params: { url: urls.slice(i, i + 100) },
          lang: document.documentElement.lang,
        });
        for (const [url, { label }] of Object.entries(found))
          for (const link of byUrl.get(url) || []) link.textContent = label;
      } catch (error) {
        console.warn("Salon:", error.message || error);
        return;
      }
    }
  }

  function start() {
    const roots = document.querySelectorAll("#salon-comments, [data-salon-thread]");
    if (roots.length && !document.getElementById("salon-embed-style"))
      document.head.append(h("style", { id: "salon-embed-style" }, STYLE));
    for (const root of roots) new Conversation(root).start();
    counts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
