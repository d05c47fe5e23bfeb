// The post editor: GitHub's Markdown toolbar on the plain textarea, a live preview rendered
// by the server (the same function that renders the saved post), images dropped, pasted or
// chosen (alternative text asked for, an upload with its progress, inserted at the cursor),
// and autosaving. Without this script the textarea is an ordinary one.
import "@github/markdown-toolbar-element";

const PREVIEW_DELAY = 400;
const AUTOSAVE_EVERY = 5000;

function csrf(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function setUp(root) {
  const form = root.closest("form");
  const text = root.querySelector("textarea");
  const bar = root.querySelector(".salon-editor-bar");
  const toolbar = root.querySelector("markdown-toolbar");
  const frame = root.querySelector(".salon-editor-preview");
  const toggle = root.querySelector(".salon-editor-toggle input");
  const status = root.querySelector(".salon-editor-status");
  const dialog = root.querySelector(".salon-editor-alt");
  const fileInput = root.querySelector(".salon-editor-file input");
  const title = form.querySelector("[name=title]");
  const excerpt = form.querySelector("[name=excerpt]");
  const formats = [...form.querySelectorAll("[name=body_format]")];
  const format = () => (formats.find((f) => f.checked) || { value: "markdown" }).value;
  let postId = root.dataset.post;
  let dirty = false;
  let submitting = false;

  bar.hidden = false;
  root.classList.add("salon-editor-on");

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("salon-editor-error", Boolean(isError));
  }

  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": csrf(form) },
      credentials: "same-origin",
    });
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = { error: `The server answered ${response.status}.` };
    }
    if (!response.ok) throw new Error(body.error || `The server answered ${response.status}.`);
    return body;
  }

  // The preview: the site's own stylesheet and markup around the rendered body.
  let previewTimer = 0;
  let previewed = null;
  async function preview() {
    if (!toggle.checked) return;
    const key = `${format()}\n${title ? title.value : ""}\n${text.value}`;
    if (key === previewed) return;
    previewed = key;
    const data = new FormData();
    data.set("text", text.value);
    data.set("format", format());
    let html;
    try {
      html = (await post(root.dataset.preview, data)).html;
    } catch (error) {
      say(`The preview could not be made: ${error.message}`, true);
      return;
    }
    const heading = escapeHtml(title ? title.value : "");
    frame.srcdoc =
      `<!doctype html><html lang="${document.documentElement.lang || "en"}"><head><meta charset="utf-8">` +
      `<link rel="stylesheet" href="${root.dataset.stylesheet}"><base target="_blank">` +
      `<style>body{margin:0;padding:0 1rem}</style></head><body><main class="site-main">` +
      `<article class="post"><header class="entry-header"><h1 class="entry-title">${heading}</h1></header>` +
      `<div class="entry-content">${html}</div></article></main></body></html>`;
  }
  frame.addEventListener("load", () => {
    try {
      frame.style.height = `${Math.max(frame.contentDocument.documentElement.scrollHeight, 200)}px`;
    } catch (error) {
      /* the frame's size stays as it is */
    }
  });
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, PREVIEW_DELAY);
  }
  function showPreview() {
    frame.hidden = !toggle.checked;
    root.classList.toggle("salon-editor-split", toggle.checked);
    if (toggle.checked) {
      previewed = null;
      preview();
    }
  }
  toggle.addEventListener("change", showPreview);
  showPreview();

  function formatChanged() {
    toolbar.hidden = format() !== "markdown";
    previewed = null;
    schedulePreview();
  }
  formats.forEach((f) => f.addEventListener("change", formatChanged));
  formatChanged();

  // Autosave: every few seconds while something changed, and when the tab is left.
  function changed() {
    dirty = true;
    schedulePreview();
  }
  for (const field of [text, title, excerpt]) if (field) field.addEventListener("input", changed);
  formats.forEach((f) => f.addEventListener("change", changed));

  function autosaveData() {
    const data = new FormData();
    data.set("post", postId || "");
    data.set("title", title ? title.value : "");
    data.set("text", text.value);
    data.set("format", format());
    data.set("excerpt", excerpt ? excerpt.value : "");
    return data;
  }
  async function autosave() {
    if (!dirty || submitting) return;
    dirty = false;
    try {
      const body = await post(root.dataset.autosave, autosaveData());
      say(body.message);
    } catch (error) {
      dirty = true;
      say(`Not autosaved: ${error.message} Your words are still here; save the post to keep them.`, true);
    }
  }
  setInterval(autosave, AUTOSAVE_EVERY);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty && !submitting) {
      fetch(root.dataset.autosave, {
        method: "POST",
        body: autosaveData(),
        headers: { "X-CSRFToken": csrf(form) },
        credentials: "same-origin",
        keepalive: true,
      });
      dirty = false;
    }
  });
  form.addEventListener("submit", () => {
    submitting = true;
  });

  // An autosave newer than the saved post is offered back.
  if (root.dataset.restore) {
    const saved = JSON.parse(root.dataset.restore);
    const notice = document.createElement("div");
    notice.className = "salon-editor-restore";
    notice.setAttribute("role", "region");
    notice.setAttribute("aria-label", "Autosaved draft");
    const words = document.createElement("p");
    words.textContent = `An autosaved version from ${saved.saved} is newer than the saved post.`;
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Restore it";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Keep the saved post";
    notice.append(words, restore, " ", discard);
    root.prepend(notice);
    restore.addEventListener("click", () => {
      if (title) title.value = saved.title;
      if (excerpt) excerpt.value = saved.excerpt;
      text.value = saved.text;
      const chosen = formats.find((f) => f.value === saved.format);
      if (chosen) chosen.checked = true;
      formatChanged();
      notice.remove();
      say("The autosaved version is back in the editor; save the post to keep it.");
      text.focus();
    });
    discard.addEventListener("click", () => {
      notice.remove();
      text.focus();
    });
  }

  // Images: dropped, pasted or chosen; described; uploaded; inserted where the cursor was.
  const queue = [];
  let busy = false;

  function askAlt(file) {
    return new Promise((resolve) => {
      const altInput = dialog.querySelector("input[type=text]");
      const decorative = dialog.querySelector(".salon-editor-decorative");
      const error = dialog.querySelector(".salon-editor-alt-error");
      const thumb = dialog.querySelector(".salon-editor-thumb");
      const address = URL.createObjectURL(file);
      thumb.src = address;
      altInput.value = "";
      decorative.checked = false;
      error.textContent = "";
      // The dialog sits inside the post's form, so it has buttons, not a form of its own.
      function choose(choice) {
        if (choice === "insert" && !altInput.value.trim() && !decorative.checked) {
          error.textContent = "Describe the image, or say it is decorative.";
          altInput.focus();
          return;
        }
        dialog.close(choice);
      }
      const onClick = (event) => {
        const button = event.target.closest("button[value]");
        if (button) choose(button.value);
      };
      const onKey = (event) => {
        if (event.key === "Enter" && event.target === altInput) {
          event.preventDefault();
          choose("insert");
        }
      };
      dialog.addEventListener("click", onClick);
      dialog.addEventListener("keydown", onKey);
      dialog.addEventListener(
        "close",
        () => {
          dialog.removeEventListener("click", onClick);
          dialog.removeEventListener("keydown", onKey);
          URL.revokeObjectURL(address);
          resolve(
            dialog.returnValue === "insert"
              ? { alt: altInput.value.trim(), decorative: decorative.checked }
              : null,
          );
          text.focus();
        },
        { once: true },
      );
      dialog.returnValue = "";
      dialog.showModal();
      altInput.focus();
    });
  }

  function upload(file, described, placeholder) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.set("file", file);
      data.set("alt", described.alt);
      data.set("decorative", described.decorative ? "1" : "0");
      const request = new XMLHttpRequest();
      request.open("POST", root.dataset.upload);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRFToken", csrf(form));
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.className = "salon-editor-progress";
      bar.setAttribute("aria-label", `Uploading ${file.name}`);
      status.after(bar);
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          const percent = Math.round((100 * event.loaded) / event.total);
          bar.value = percent;
          say(`Uploading ${file.name}: ${percent} %`);
        }
      });
      request.addEventListener("load", () => {
        bar.remove();
        let body = {};
        try {
          body = JSON.parse(request.responseText);
        } catch (error) {
          body = { error: `The server answered ${request.status}.` };
        }
        if (request.status === 201) resolve(body);
        else reject(new Error(body.error || `The server answered ${request.status}.`));
      });
      request.addEventListener("error", () => {
        bar.remove();
        reject(new Error("Salon could not be reached; check the connection and try again."));
      });
      say(`Uploading ${file.name}…`);
      request.send(data);
    });
  }

  function replaceText(from, to) {
    const at = text.value.indexOf(from);
    if (at < 0) return;
    text.setSelectionRange(at, at + from.length);
    text.setRangeText(to, at, at + from.length, "end");
    text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function next() {
    if (busy || !queue.length) return;
    busy = true;
    const { file, start, end } = queue.shift();
    const described = await askAlt(file);
    if (described) {
      const placeholder = `![Uploading ${file.name}…]()`;
      const before = text.value.slice(0, start);
      const spacer = before && !before.endsWith("\n") ? "\n\n" : "";
      text.setRangeText(`${spacer}${placeholder}\n\n`, start, end, "end");
      text.dispatchEvent(new Event("input", { bubbles: true }));
      try {
        const body = await upload(file, described, placeholder);
        replaceText(placeholder, format() === "markdown" ? body.markdown : body.html);
        say(`${file.name} is uploaded and in the text.`);
      } catch (error) {
        replaceText(`${placeholder}\n\n`, "");
        say(`${file.name} was not uploaded: ${error.message}`, true);
      }
    }
    busy = false;
    next();
  }

  function take(files) {
    const images = [...files].filter((f) => f.type.startsWith("image/"));
    if (!images.length) return false;
    for (const file of images) queue.push({ file, start: text.selectionStart, end: text.selectionEnd });
    next();
    return true;
  }

  text.addEventListener("dragover", (event) => {
    if ([...event.dataTransfer.types].includes("Files")) {
      event.preventDefault();
      root.classList.add("salon-editor-dropping");
    }
  });
  text.addEventListener("dragleave", () => root.classList.remove("salon-editor-dropping"));
  text.addEventListener("drop", (event) => {
    root.classList.remove("salon-editor-dropping");
    if (event.dataTransfer.files.length) {
      event.preventDefault();
      text.focus();
      take(event.dataTransfer.files);
    }
  });
  text.addEventListener("paste", (event) => {
    if (event.clipboardData && event.clipboardData.files.length && take(event.clipboardData.files)) {
      event.preventDefault();
    }
  });
  fileInput.addEventListener("change", () => {
    take(fileInput.files);
    fileInput.value = "";
  });
}

function start() {
  document.querySelectorAll(".salon-editor").forEach(setUp);
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
