// Starts django-prose-editor on the textareas of rich-text fields
// (archive/richtext.py). It does what the package's "configurable" preset
// does, with two differences the Content-Security-Policy needs: editor.js is
// imported by its path (an import map would be an inline script), and Tiptap
// does not inject its inline <style> (static/css/prose-editor.css has it).
import * as editor from "../django_prose_editor/editor.js";

const ATTRIBUTE = "data-django-prose-editor-archive";

// A Word list item is a paragraph styled "mso-list:l0 level1 lfo1" whose text
// starts with its bullet or number; a numbered one starts "1." or "a)".
const WORD_LIST_ITEM = /mso-list:\s*l\d+/;
const WORD_MARKER = /^[\s\u00a0]*([·•▪■◦o§\-–*]|\(?[0-9a-zA-Z]{1,3}[.)])[\s\u00a0]+/;

// What Word, Google Docs or a web page put on the clipboard, made into what
// the editor holds: the page's title is its only h1, so a pasted h1 becomes
// h2 (and h5, h6 become h4); Word's list paragraphs become lists; a table's
// cells become paragraphs rather than one run of text. The sanitizer on the
// server still decides what is kept (archive/sanitize.py).
function fromClipboard(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const rename = (element, name) => {
    const renamed = doc.createElement(name);
    renamed.append(...element.childNodes);
    element.replaceWith(renamed);
    return renamed;
  };
  doc.querySelectorAll("h1").forEach((heading) => rename(heading, "h2"));
  doc.querySelectorAll("h5, h6").forEach((heading) => rename(heading, "h4"));
  // Word's cells hold paragraphs of their own: those are kept, not wrapped again.
  doc.querySelectorAll("td, th").forEach((cell) => {
    if (cell.querySelector("p, h2, h3, h4, ul, ol")) {
      cell.replaceWith(...cell.childNodes);
    } else {
      rename(cell, "p");
    }
  });
  let list = null;
  for (const paragraph of doc.querySelectorAll("p")) {
    if (!WORD_LIST_ITEM.test(paragraph.getAttribute("style") || "")) {
      list = null;
      continue;
    }
    const marker = paragraph.textContent.match(WORD_MARKER);
    // The marker is text at the paragraph's start, often in a span of its own.
    let left = marker ? marker[0].length : 0;
    const walker = doc.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    while (left > 0 && walker.nextNode()) {
      const text = walker.currentNode;
      const cut = Math.min(left, text.data.length);
      text.data = text.data.slice(cut);
      left -= cut;
    }
    const ordered = Boolean(marker && /[0-9a-zA-Z][.)]/.test(marker[1]));
    const kind = ordered ? "OL" : "UL";
    if (!list || list.tagName !== kind || list.nextElementSibling !== paragraph) {
      list = doc.createElement(kind);
      paragraph.before(list);
    }
    const item = doc.createElement("li");
    item.append(rename(paragraph, "p"));
    list.append(item);
  }
  return doc.body.innerHTML;
}

const editors = [];

// The editor names its toolbar's buttons and block types in English; the
// admin's JavaScript catalog (locale/*/LC_MESSAGES/djangojs.po) has them in
// the admin's language, as it has the editor's dialogs.
const translate = window.gettext || ((text) => text);

function translateToolbar(wrapper) {
  for (const button of wrapper.querySelectorAll(".prose-menubar__button")) {
    for (const name of ["title", "aria-label"]) {
      if (button.getAttribute(name)) {
        button.setAttribute(name, translate(button.getAttribute(name)));
      }
    }
  }
  for (const choice of wrapper.querySelectorAll(".prose-menubar :is(p, h2, h3, h4)")) {
    choice.textContent = translate(choice.textContent);
  }
}

// What the textarea holds for the editor's text: an empty editor still
// holds one empty paragraph, and stores nothing.
function stored(instance) {
  const html = instance.getHTML();
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) {
    return null;
  }
  const config = JSON.parse(textarea.getAttribute(ATTRIBUTE) || "{}");
  const extensions = [];
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = editor[name];
    if (extension) {
      extensions.push(typeof options === "object" ? extension.configure(options) : extension);
    }
  }
  const disabled = textarea.hasAttribute("disabled");
  // The editable area takes the field's label and help text from the textarea.
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const attributes = { "aria-multiline": "true" };
  if (label) {
    attributes["aria-label"] = label.textContent.trim().replace(/:$/, "");
  }
  if (textarea.getAttribute("aria-describedby")) {
    attributes["aria-describedby"] = textarea.getAttribute("aria-describedby");
  }
  const wrapper = editor.crel("div", { className: `prose-editor ${disabled ? "disabled" : ""}` });
  editors.push(textarea);
  textarea.openedWith = textarea.value;
  textarea.before(wrapper);
  wrapper.append(textarea);
  return new editor.Editor({
    element: wrapper,
    editable: !disabled,
    injectCSS: false,
    editorProps: { attributes, transformPastedHTML: fromClipboard },
    extensions,
    content: textarea.value,
    onCreate({ editor: instance }) {
      textarea.proseEditor = instance;
      translateToolbar(wrapper);
    },
    onUpdate({ editor: instance }) {
      textarea.value = stored(instance);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
    onDestroy() {
      wrapper.before(textarea);
      wrapper.remove();
    },
  });
}

editor.initializeEditors(createEditor, `[${ATTRIBUTE}]`);

// Back to a form the browser fills again with what was typed (after a save
// that failed, say): the textarea gets the typed text after the editor has
// read the stored one, so the editor takes it up, rather than show the
// stored text while the textarea would save the typed one.
window.addEventListener("pageshow", () => {
  for (const textarea of editors) {
    const instance = textarea.proseEditor;
    const refilled = textarea.value !== textarea.openedWith;
    if (instance && !instance.isDestroyed && refilled && textarea.value !== stored(instance)) {
      instance.commands.setContent(textarea.value, { emitUpdate: false });
    }
  }
});
