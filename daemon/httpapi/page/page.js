// The page at / (docs/page.md), live: every data-poll milliseconds (2 s
// by default) while the tab is visible, ask /ui/data for the page's <main>
// and put it in place; keep the relative times ("3 min ago") current. The
// page reads fully without this script; it loads nothing from elsewhere.
(function () {
  'use strict';
  var main = document.getElementById('main');
  var live = document.getElementById('live');
  if (!main) { return; }
  var poll = parseInt(document.body.getAttribute('data-poll'), 10) || 2000;
  var last = null, busy = false;

  function ago(iso, now) {
    var t = Date.parse(iso);
    if (isNaN(t)) { return null; }
    var d = Math.round((now - t) / 1000), future = d < 0, w;
    d = Math.abs(d);
    if (d < 10) { return 'just now'; }
    if (d < 60) { w = d + ' s'; }
    else if (d < 3600) { w = Math.floor(d / 60) + ' min'; }
    else if (d < 48 * 3600) { w = Math.floor(d / 3600) + ' h'; }
    else { w = Math.floor(d / 86400) + ' days'; }
    return future ? 'in ' + w : w + ' ago';
  }

  function times() {
    var now = Date.now(), els = main.querySelectorAll('time[datetime]');
    for (var i = 0; i < els.length; i++) {
      var w = ago(els[i].getAttribute('datetime'), now);
      if (w !== null && els[i].textContent !== w) { els[i].textContent = w; }
    }
  }

  function say(text) { if (live) { live.textContent = text; } }

  function tick() {
    if (document.hidden || busy) { return; }
    busy = true;
    fetch('/ui/data', { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status === 401 ? 'the daemon asks for its token again: run lastfmd open' : 'the daemon answered ' + r.status); }
        return r.json();
      })
      .then(function (d) {
        if (typeof d.main === 'string' && d.main !== last) {
          var focused = document.activeElement && main.contains(document.activeElement) ? document.activeElement.id : '';
          main.innerHTML = d.main;
          last = d.main;
          if (focused) { var el = document.getElementById(focused); if (el) { el.focus(); } }
        }
        times();
        say('Live: updated ' + new Date().toLocaleTimeString());
      })
      .catch(function (e) { say('Not updating: ' + (e && e.message ? e.message : 'the daemon does not answer')); })
      .then(function () { busy = false; });
  }

  times();
  say('Live: updates every ' + (poll / 1000) + ' s');
  setInterval(tick, poll);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) { tick(); } });
}());
