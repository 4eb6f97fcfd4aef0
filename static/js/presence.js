'use strict';
// Tells the site every few seconds that this change form is still open, and
// shows who else has it open (archive/presence.py); says goodbye when the
// page goes away, so that the others' notice disappears at their next beat.
// On every workflow form, new items' too, a save first makes sure that the
// session still holds, for this page's user.
{
    const notice = document.getElementById('presence-notice');
    const tokenInput = document.querySelector('input[name="csrfmiddlewaretoken"]');
    // The change form (Django names it <model>_form), not the header's sign-out form.
    const form = document.querySelector('#content-main form[id$="_form"]');
    // Django's CSRF cookie (CSRF_COOKIE_NAME), readable by scripts as Django sets it.
    const COOKIE = 'csrftoken=';

    function body(extra, token) {
        const data = new FormData();
        data.append('csrfmiddlewaretoken', token || tokenInput.value);
        data.append('page', notice.dataset.page);
        if (extra) {
            data.append(extra, '1');
        }
        return data;
    }

    function cookieToken() {
        const found = document.cookie.split('; ').find(function(cookie) {
            return cookie.startsWith(COOKIE);
        });
        return found ? found.slice(COOKIE.length) : null;
    }

    // A save now would go to the sign-in page, or be made by someone else:
    // the notice says so, and the form is not sent (see the submit below).
    function warn(text) {
        notice.textContent = text;
        notice.classList.add('presence-signed-out');
        notice.setAttribute('tabindex', '-1');
    }

    function showWarning() {
        notice.scrollIntoView({block: 'center'});
        notice.focus();
    }

    function post(token) {
        const url = notice.dataset.url || notice.dataset.checkUrl;
        const request = {
            method: 'POST', body: body(null, token), credentials: 'same-origin', redirect: 'manual',
        };
        return fetch(url, request);
    }

    // Asks the site who is signed in here: the heartbeat on a change form,
    // the desk's session check on a new item's. Signed in again in another
    // tab, the session has a new CSRF token (its cookie holds it): asked
    // again with it, and the page's forms take it, when it is still this
    // page's user. Answers the site's answer, or null after saying why a
    // save would not be stored (signed out: the admin's redirect to its
    // sign-in page; someone else signed in). Fails when the site cannot be
    // reached or cannot answer.
    function ask() {
        return post()
            .then(function(response) {
                const token = cookieToken();
                if (response.status === 403 && token && token !== tokenInput.value) {
                    return post(token).then(function(again) {
                        return {response: again, token: again.ok ? token : null};
                    });
                }
                return {response: response, token: null};
            })
            .then(function(found) {
                const response = found.response;
                if (response.type === 'opaqueredirect' || response.status === 403) {
                    warn(notice.dataset.signedOut);
                    return null;
                }
                if (!response.ok) {
                    throw new Error(response.status);
                }
                return response.json().then(function(answer) {
                    if (String(answer.user) !== notice.dataset.user) {
                        warn(notice.dataset.otherUser);
                        return null;
                    }
                    if (found.token) {
                        document.querySelectorAll('input[name="csrfmiddlewaretoken"]')
                            .forEach(function(input) { input.value = found.token; });
                    }
                    if (notice.classList.contains('presence-signed-out')) {
                        notice.classList.remove('presence-signed-out');
                        notice.removeAttribute('tabindex');
                        notice.textContent = answer.notice || '';
                    }
                    return answer;
                });
            });
    }

    function beat() {
        ask()
            .then(function(answer) {
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
            if (confirmed) {
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
                .then(function(answer) {
                    asking = false;
                    if (answer) {
                        send();
                    } else {
                        showWarning();
                    }
                })
                // The site cannot be reached: sent now, the form would be
                // lost to the browser's error page. It stays, and says so.
                .catch(function() {
                    asking = false;
                    warn(notice.dataset.unreachable);
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
