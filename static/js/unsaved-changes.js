// Leaving a news item's or a statement's change page with unsaved edits asks
// first (the browser's own prompt); submitting the form itself does not.
// Loaded in the page's head (the admin's form Media), so it waits for the form.
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    const form = document.querySelector("#content-main form[id$='_form']");
    if (!form) {
        return;
    }
    // A form sent back with errors holds typed text that is not saved yet.
    let dirty = document.querySelector(".errornote") !== null;
    let submitting = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    // The admin's searchable choices (select2) announce what the user chose
    // with jQuery events only, which addEventListener does not hear.
    if (window.django && window.django.jQuery) {
        window.django.jQuery(form).on("select2:select select2:unselect select2:clear", function () {
            dirty = true;
        });
    }
    // Not when the save is held (static/js/presence.js asks first whether the session holds).
    form.addEventListener("submit", function (event) {
        if (!event.defaultPrevented) {
            submitting = true;
        }
    });
    window.addEventListener("beforeunload", function (event) {
        if (dirty && !submitting) {
            event.preventDefault();
            // Older browsers show the prompt only when returnValue is set.
            event.returnValue = "";
        }
    });
    // Back from the browser's cache (bfcache) the page is as it was left.
    window.addEventListener("pageshow", function () { submitting = false; });
});
