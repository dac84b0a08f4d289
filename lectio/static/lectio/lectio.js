// Progressive enhancement only: every action here also works as a plain form post.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Reader marks (done / like) without a page reload.
  function setupMarks(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.name) return;
      event.preventDefault();
      var body = new FormData();
      body.append(button.name, button.value);
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          var item = document.getElementById("c" + data.citation);
          if (!item) return;
          var done = item.querySelector("button[name=done]");
          var like = item.querySelector("button[name=like]");
          if (done) done.setAttribute("aria-pressed", data.done ? "true" : "false");
          if (like) like.setAttribute("aria-pressed", data.liked ? "true" : "false");
          item.classList.toggle("done", data.done);
        })
        .catch(function () { form.submit(); })
        .finally(function () { button.disabled = false; });
    });
  }

  // Drag and drop of citations within and between sections. Keyboard users have the
  // move buttons and the "move to section" form on each citation.
  function setupEditor(editor) {
    var template = editor.getAttribute("data-move-url-template");
    var token = (editor.ownerDocument.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
    var dragged = null;

    editor.addEventListener("dragstart", function (event) {
      var item = event.target.closest && event.target.closest("[data-citation]");
      if (!item) return;
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-citation"));
    });
    editor.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      editor.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
      dragged = null;
    });
    editor.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var list = event.target.closest && event.target.closest("[data-citations]");
      if (!list) return;
      event.preventDefault();
      editor.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
      var over = event.target.closest("[data-citation]");
      if (over && over !== dragged) over.classList.add("drop-target");
    });
    editor.addEventListener("drop", function (event) {
      if (!dragged) return;
      var list = event.target.closest && event.target.closest("[data-citations]");
      if (!list) return;
      event.preventDefault();
      var over = event.target.closest("[data-citation]");
      if (over === dragged) return;
      if (over) list.insertBefore(dragged, over); else list.appendChild(dragged);
      var empty = list.querySelector("[data-empty]");
      if (empty) empty.remove();
      var items = Array.prototype.slice.call(list.querySelectorAll("[data-citation]"));
      var position = items.indexOf(dragged);
      var id = dragged.getAttribute("data-citation");
      var body = new FormData();
      body.append("section", list.getAttribute("data-citations"));
      body.append("position", String(position));
      fetch(template.replace(/0\/move\/$/, id + "/move/"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token },
      }).then(function (response) {
        // Reload so the move buttons and positions match the saved order; a refused
        // move comes back as a message on the reloaded page (or the order as saved).
        window.location.hash = "c" + id;
        window.location.reload();
        return response;
      }).catch(function () { window.location.reload(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-marks]").forEach(setupMarks);
    document.querySelectorAll("[data-editor]").forEach(setupEditor);
  });
})();
