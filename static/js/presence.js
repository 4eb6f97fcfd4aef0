'use strict';
// Tells the site every few seconds that this change form is still open, and
// shows who else has it open (archive/presence.py); says goodbye when the
// page goes away, so that the others' notice disappears at their next beat.
{
    const notice = document.getElementById('presence-notice');
    const tokenInput = document.querySelector('input[name="csrfmiddlewaretoken"]');

    function body(extra) {
        const data = new FormData();
        data.append('csrfmiddlewaretoken', tokenInput.value);
        data.append('page', notice.dataset.page);
        if (extra) {
            data.append(extra, '1');
        }
        return data;
    }

    // Once signed out, a save would go to the sign-in page and lose the
    // text: the form is not sent, and the warning is shown again instead.
    function signedOut() {
        notice.textContent = notice.dataset.signedOut;
        notice.classList.add('presence-signed-out');
        notice.setAttribute('tabindex', '-1');
        // The change form (Django names it <model>_form), not the header's sign-out form.
        const form = document.querySelector('#content-main form[id$="_form"]');
        if (form && !form.dataset.signedOut) {
            form.dataset.signedOut = '1';
            form.addEventListener('submit', function(event) {
                event.preventDefault();
                notice.scrollIntoView({block: 'center'});
                notice.focus();
            });
        }
    }

    function beat() {
        fetch(notice.dataset.url, {method: 'POST', body: body(), credentials: 'same-origin'})
            .then(function(response) {
                // Signed out (the admin answered with its sign-in page) or in
                // again elsewhere (the form's token refused): a save now would
                // be lost, so say so while the text can still be copied.
                if (response.redirected || response.status === 403) {
                    signedOut();
                    return null;
                }
                return response.ok ? response.json() : null;
            })
            .then(function(answer) {
                if (answer && notice.textContent !== answer.notice) {
                    notice.textContent = answer.notice;
                }
            })
            // Presence is a courtesy: when the site cannot be reached, the form still works.
            .catch(function() {});
    }

    if (notice && notice.dataset.url && tokenInput) {
        const seconds = parseInt(notice.dataset.interval, 10) || 20;
        let timer = setInterval(beat, seconds * 1000);
        window.addEventListener('pagehide', function() {
            clearInterval(timer);
            navigator.sendBeacon(notice.dataset.url, body('leave'));
        });
        // Back from the browser's page cache: present again at once.
        window.addEventListener('pageshow', function(event) {
            if (event.persisted) {
                clearInterval(timer);
                timer = setInterval(beat, seconds * 1000);
                beat();
            }
        });
    }
}
