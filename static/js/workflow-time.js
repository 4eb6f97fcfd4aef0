'use strict';
// A "Go live at" time typed only in part (a date without its time) is sent
// by the browser as empty, which means "now": a publish step is held
// instead, with the field's own message, until it is whole or cleared.
{
    const input = document.getElementById('workflow-at');
    if (input && input.form) {
        // Capture: before the session check (presence.js) sends the form.
        input.form.addEventListener('submit', function(event) {
            const publishing = event.submitter && event.submitter.value === 'publish';
            if (publishing && input.validity.badInput) {
                event.preventDefault();
                event.stopImmediatePropagation();
                input.setCustomValidity(input.dataset.incomplete);
                input.reportValidity();
                input.focus();
            }
        }, true);
        input.addEventListener('input', function() {
            input.setCustomValidity('');
        });
    }
}
