// The dashboard's only script (served as a file: the pages' Content-Security-Policy forbids inline
// script). It keeps [data-live] regions fresh by polling their fragment URL, and sends the forms
// marked js-post with fetch, so pressing a button never reloads the page.
(function () {
  'use strict';
  var POLL_MS = 2000;

  function refresh(region) {
    var focused = document.activeElement;
    if (focused && focused.tagName === 'INPUT' && region.contains(focused)) {
      return Promise.resolve();  // someone is typing here (the kill switch's reason): keep the form
    }
    return fetch(region.getAttribute('data-live'), {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (r) {
        if (r.status === 401) { window.location.assign('/ui/login'); }
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.text();
      })
      .then(function (html) {
        if (html === region.dataset.lastHtml) { return; }
        var open = Array.prototype.map.call(region.querySelectorAll('details[open]'), function (d) { return d.id; });
        region.innerHTML = html;  // server-rendered and escaped; CSP keeps any script inert anyway
        region.dataset.lastHtml = html;
        open.forEach(function (id) {
          var d = document.getElementById(id);
          if (d) { d.open = true; }
        });
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function refreshAll() {
    document.querySelectorAll('[data-live]').forEach(refresh);
  }

  function flash(text) {
    var f = document.getElementById('flash');
    if (f) { f.textContent = text; }
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains('js-post')) { return; }
    e.preventDefault();
    fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Accept': 'application/json'},
      body: new URLSearchParams(new FormData(form))
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        flash(r.ok ? (body.message || 'Done.') : ('Refused (HTTP ' + r.status + ').'));
      });
    }).catch(function () { flash('The request failed.'); }).then(refreshAll);
  });

  setInterval(function () {
    if (!document.hidden) { refreshAll(); }
  }, POLL_MS);
})();
