'use strict';
// Tells the site every few seconds that this change form is still open, and
// shows who else has it open (archive/presence.py); says goodbye when the
// page goes away, so that the others' notice disappears at their next beat.
// On every workflow form, new items' too, a save first makes sure that the
// session still holds.
{
    const notice = document.getElementById('presence-notice');
    const tokenInput = document.querySelector('input[name="csrfmiddlewaretoken"]');
    // The change form (Django names it <model>_form), not the header's sign-out form.
    const form = document.querySelector('#content-main form[id$="_form"]');

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
        if (form && !form.dataset.signedOut) {
            form.dataset.signedOut = '1';
            form.addEventListener('submit', function(event) {
                event.preventDefault();
                showWarning();
            });
        }
    }

    function showWarning() {
        notice.scrollIntoView({block: 'center'});
        notice.focus();
    }

    // Asks the site whether this page's user is still signed in here, with
    // the form's token: the heartbeat on a change form, the desk's session
    // check on a new item's. Signed out (the admin answers with a redirect to
    // its sign-in page) or in again elsewhere (the token refused), it says so
    // and answers null.
    function ask() {
        const url = notice.dataset.url || notice.dataset.checkUrl;
        const request = {method: 'POST', body: body(), credentials: 'same-origin', redirect: 'manual'};
        return fetch(url, request)
            .then(function(response) {
                if (response.type === 'opaqueredirect' || response.status === 403) {
                    signedOut();
                    return null;
                }
                return response;
            });
    }

    function beat() {
        ask()
            .then(function(response) {
                return response && response.ok && notice.dataset.url ? response.json() : null;
            })
            .then(function(answer) {
                if (answer && !form.dataset.signedOut) {
                    // Reached again after a save held while the site could not be.
                    notice.classList.remove('presence-signed-out');
                }
                if (answer && notice.textContent !== answer.notice) {
                    notice.textContent = answer.notice;
                }
            })
            // Presence is a courtesy: when the site cannot be reached, the form still works.
            .catch(function() {});
    }

    if (notice && form && tokenInput && (notice.dataset.url || notice.dataset.checkUrl)) {
        // The session may have ended since the last beat (signed out in
        // another tab a moment ago): a save asks first, and is sent as
        // clicked (the same button) once the answer is that it holds.
        let confirmed = false;
        let asking = false;
        form.addEventListener('submit', function(event) {
            if (confirmed || form.dataset.signedOut) {
                return;
            }
            event.preventDefault();
            if (asking) {
                return;  // a second click while the first one's question is out
            }
            asking = true;
            const submitter = event.submitter;
            function send() {
                confirmed = true;
                form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
            }
            ask()
                .then(function(response) {
                    asking = false;
                    if (response) {
                        send();
                    } else {
                        showWarning();
                    }
                })
                // The site cannot be reached: sent now, the form would be
                // lost to the browser's error page. It stays, and says so.
                .catch(function() {
                    asking = false;
                    notice.textContent = notice.dataset.unreachable;
                    notice.classList.add('presence-signed-out');
                    notice.setAttribute('tabindex', '-1');
                    showWarning();
                });
        });
        // Back to this page from the browser's cache after it was sent: its next save asks again.
        window.addEventListener('pageshow', function(event) {
            if (event.persisted) {
                confirmed = false;
                asking = false;
            }
        });
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
