// Starts django-prose-editor on the textareas of rich-text fields
// (archive/richtext.py). It does what the package's "configurable" preset
// does, with two differences the Content-Security-Policy needs: editor.js is
// imported by its path (an import map would be an inline script), and Tiptap
// does not inject its inline <style> (static/css/prose-editor.css has it).
import * as editor from "../django_prose_editor/editor.js";

const ATTRIBUTE = "data-django-prose-editor-archive";

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
  textarea.before(wrapper);
  wrapper.append(textarea);
  return new editor.Editor({
    element: wrapper,
    editable: !disabled,
    injectCSS: false,
    editorProps: { attributes },
    extensions,
    content: textarea.value,
    onUpdate({ editor: instance }) {
      const html = instance.getHTML();
      // An empty editor still holds one empty paragraph: store nothing.
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
    onDestroy() {
      wrapper.before(textarea);
      wrapper.remove();
    },
  });
}

editor.initializeEditors(createEditor, `[${ATTRIBUTE}]`);
