// Progressive enhancement: everything works without this file (Reply links go to
// ?replytocom=N, Like buttons post a form). With it, Reply moves the form under the comment
// and Like answers without reloading the page.
(function () {
  "use strict";

  function setupReplies() {
    var respond = document.getElementById("respond");
    var form = document.getElementById("commentform");
    if (!respond || !form) return;
    var home = document.createElement("div");
    home.id = "respond-home";
    respond.parentNode.insertBefore(home, respond);
    var title = respond.querySelector(".reply-title-text");
    var cancel = document.getElementById("cancel-comment-reply-link");
    var parentInput = form.querySelector("input[name=parent]");

    function reset(event) {
      if (event) event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parentInput.value = "";
      title.textContent = title.getAttribute("data-default");
      cancel.hidden = true;
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest(".comment-reply-link");
      if (!link) return;
      event.preventDefault();
      var body = link.closest(".comment-body");
      body.parentNode.insertBefore(respond, body.nextSibling);
      parentInput.value = link.getAttribute("data-comment");
      title.textContent = title.getAttribute("data-reply-to").replace("%s", link.getAttribute("data-author"));
      cancel.hidden = false;
      var textarea = form.querySelector("textarea");
      if (textarea) textarea.focus();
    });
    cancel.addEventListener("click", reset);
  }

  function setupLikes() {
    // Like buttons submit a like form (the post's own, or the thread's shared one through
    // the button's form attribute); the button's name and value say which comment.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("like-form")) return;
      var button = event.submitter || form.querySelector(".like-button");
      if (!button) return;
      event.preventDefault();
      // A second press while the first is on its way is ignored. The button is not disabled
      // for that: a disabled button loses the keyboard focus, and the reader their place.
      if (button.getAttribute("aria-busy") === "true") return;
      var data = new FormData(form);
      if (button.name) data.append(button.name, button.value);
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error("like failed: " + response.status);
          return response.json();
        })
        .then(function (result) {
          button.setAttribute("aria-pressed", result.liked ? "true" : "false");
          button.textContent = result.liked ? "Liked" : "Like";
          var box = button.closest(".likes, .comment-actions");
          var label = box && box.querySelector(".likes-label");
          if (label) label.textContent = result.label;
        })
        .catch(function () {
          appendButton(form, button).submit();
        })
        .finally(function () {
          button.removeAttribute("aria-busy");
        });
    });
  }

  // For the no-fetch fallback: carry the pressed button's value into a plain submit.
  function appendButton(form, button) {
    if (button.name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = button.name;
      input.value = button.value;
      form.appendChild(input);
    }
    return form;
  }

  // Logging in (or changing identity) leaves the page; the comment being typed must not be
  // lost. It is kept in this tab's sessionStorage, per page, while it is typed and when a
  // log-in, log-out or change control is used, put back into the empty form on return, and
  // forgotten once the comment is sent.
  function setupDraft() {
    var form = document.getElementById("commentform");
    var textarea = form && form.querySelector("textarea[name=comment]");
    if (!textarea) return;
    var storage;
    try {
      storage = window.sessionStorage;
      storage.getItem("salon-probe");
    } catch (error) {
      return; // storage disabled: the form still works, the draft just isn't kept
    }
    var key = "salon-draft:" + location.pathname;

    function keep() {
      try {
        if (textarea.value.trim()) storage.setItem(key, textarea.value);
        else storage.removeItem(key);
      } catch (error) {
        // quota exceeded: nothing more to do
      }
    }

    var saved = storage.getItem(key);
    if (saved && !textarea.value) textarea.value = saved;
    textarea.addEventListener("input", keep);
    document.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("[data-keeps-draft]")) keep();
    });
    form.addEventListener("submit", function () {
      storage.removeItem(key);
    });
  }

  // The reader's own recent comments are listed under the form with Edit and Delete (that
  // works without this file); with it, the links also appear on the comments themselves.
  function setupOwnCommentLinks() {
    var items = document.querySelectorAll(".your-recent-comments li");
    Array.prototype.forEach.call(items, function (item) {
      var anchor = item.querySelector("a[href^='#comment-']");
      var target = anchor && document.getElementById(anchor.getAttribute("href").slice(1));
      var meta = target && target.querySelector(":scope > article .comment-meta");
      if (!meta) return;
      var box = document.createElement("span");
      box.className = "own-comment-links";
      ["comment-edit-link", "comment-delete-link"].forEach(function (name) {
        var link = item.querySelector("." + name);
        if (link) box.appendChild(link.cloneNode(true));
      });
      meta.appendChild(box);
    });
  }

  setupReplies();
  setupLikes();
  setupDraft();
  setupOwnCommentLinks();
})();
