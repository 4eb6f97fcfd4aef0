'use strict';
// The admin's autocomplete fields (select2, vendored by Django) leave their
// combobox without an accessible name and their search box without a label,
// so a screen reader announces "combobox" and nothing else. Name each one
// after the field's own <label>, whenever select2 draws or redraws a widget.
{
    function nameWidgets() {
        document.querySelectorAll('select.admin-autocomplete').forEach(function(select) {
            const label = document.querySelector('label[for="' + select.id + '"]');
            const container = select.nextElementSibling;
            if (!label || !container || !container.classList.contains('select2')) {
                return;
            }
            label.id = label.id || select.id + '_label';
            const name = label.textContent.replace(/:\s*$/, '').trim();
            container.querySelectorAll('[role="combobox"]').forEach(function(box) {
                const shown = box.querySelector('.select2-selection__rendered');
                const names = label.id + (shown && shown.id ? ' ' + shown.id : '');
                if (box.getAttribute('aria-labelledby') !== names) {
                    box.setAttribute('aria-labelledby', names);
                }
                const owns = box.getAttribute('aria-owns');
                if (owns && box.getAttribute('aria-controls') !== owns) {
                    box.setAttribute('aria-controls', owns);
                }
                const open = String(container.classList.contains('select2-container--open'));
                if (box.getAttribute('aria-expanded') !== open) {
                    box.setAttribute('aria-expanded', open);
                }
                // The choice shown is read as part of the combobox's name,
                // not as a nameless text box of its own.
                if (shown && shown.getAttribute('role') === 'textbox') {
                    shown.removeAttribute('role');
                    shown.removeAttribute('aria-readonly');
                }
            });
            container.querySelectorAll('.select2-search__field').forEach(function(field) {
                if (field.getAttribute('aria-label') !== name) {
                    field.setAttribute('aria-label', name);
                }
            });
        });
        // A single choice searches in a dropdown drawn at the end of the page,
        // away from its field: its box is named after the field it controls.
        document.querySelectorAll('.select2-dropdown .select2-search__field[aria-controls]').forEach(function(field) {
            const id = field.getAttribute('aria-controls').replace(/^select2-/, '').replace(/-results$/, '');
            const label = document.querySelector('label[for="' + id + '"]');
            const name = label ? label.textContent.replace(/:\s*$/, '').trim() : '';
            if (name && field.getAttribute('aria-label') !== name) {
                field.setAttribute('aria-label', name);
            }
        });
        // A date-and-time field is two inputs under one label that points to
        // neither: each is named after the field and its part.
        document.querySelectorAll('p.datetime').forEach(function(row) {
            const label = row.closest('.form-row, .flex-container, div')?.querySelector('label');
            const name = label ? label.textContent.replace(/:\s*$/, '').trim() : '';
            row.querySelectorAll('input.vDateField, input.vTimeField').forEach(function(input) {
                // In the admin's language (its JavaScript catalog, locale/ru/LC_MESSAGES/djangojs.po).
                const say = typeof gettext === 'function' ? gettext : function(text) { return text; };
                const part = input.classList.contains('vDateField') ? say('date') : say('time');
                if (name && !document.querySelector('label[for="' + input.id + '"]')) {
                    input.setAttribute('aria-label', name + ' (' + part + ')');
                }
            });
        });
        // A multiple choice draws its "remove all" button as a <span> inside
        // the list of choices, where a screen reader expects only list items:
        // it moves just before the list (select2 still finds it there).
        // select2 redraws the list on every change and then forgets the old
        // button, so the one outside is replaced or, with no choice left, removed.
        document.querySelectorAll('ul.select2-selection__rendered').forEach(function(list) {
            const inside = list.querySelector(':scope > .select2-selection__clear');
            if (!inside && list.querySelector('.select2-selection__choice')) {
                return;
            }
            list.parentElement.querySelectorAll(':scope > .select2-selection__clear').forEach(function(old) {
                old.remove();
            });
            if (inside) {
                list.before(inside);
            }
        });
        // A list of choices still empty is a listbox being filled.
        document.querySelectorAll('.select2-results__options').forEach(function(list) {
            const busy = String(!list.querySelector('[role="option"]'));
            if (list.getAttribute('aria-busy') !== busy) {
                list.setAttribute('aria-busy', busy);
            }
        });
    }
    let pending = false;
    function soon() {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(function() {
                pending = false;
                nameWidgets();
            });
        }
    }
    document.addEventListener('DOMContentLoaded', function() {
        nameWidgets();
        new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
    });
}
