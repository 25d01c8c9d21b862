// The dashboard's only script (served as a file: the pages' Content-Security-Policy forbids inline
// script). It keeps [data-live] regions fresh by polling their fragment URL, and sends the forms
// marked js-post with fetch, so pressing a button never reloads the page. A "copy id" button puts
// its id on the clipboard.
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

  function copyByCommand(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'copy-buffer';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyByCommand(text); });
    }
    return copyByCommand(text);  // plain HTTP off localhost: the older way
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest ? e.target.closest('button.copy-id') : null;
    if (!button) { return; }
    e.preventDefault();
    var id = button.getAttribute('data-copy');
    copy(id).then(function () { flash('Copied ' + id); },
      function () { flash('Copy failed; the id is ' + id); });
  });

  // the overview's search: keep the address in step, so a reload or a shared link shows the same
  document.addEventListener('change', function (e) {
    if (e.target && e.target.id === 'status' && e.target.form) { e.target.form.submit(); }
  });

  setInterval(function () {
    if (!document.hidden) { refreshAll(); }
  }, POLL_MS);
})();
