// The Waiver Exchange sign-in page. The refresh token is an HttpOnly cookie this script never
// sees; the access token lives in the variable below only (never the DOM or web storage), and is
// refreshed a minute before it expires. Contract: docs/google-sign-in.md, "Browser sessions".
'use strict';

(() => {
  let accessToken = null;
  let refreshTimer = null;

  const MESSAGES = {
    access_denied: ['You cancelled the sign-in',
      'The exchange was not given access to your Google account, so nothing was created.'],
    LoginStateUnknown: ['This sign-in link was already used or has expired',
      'A sign-in link works once, in the browser that started it, for ten minutes.'],
    LoginStateReplayed: ['This sign-in link was already used',
      'A sign-in link works once. Start again to sign in.'],
    LoginStateExpired: ['This sign-in link has expired',
      'A sign-in has ten minutes to finish. Start again to sign in.'],
    EmailNotVerified: ['Your email address is not verified',
      'Verify it with Google first, then sign in again.'],
    GoogleRejected: ['Google refused the sign-in', 'Start again to sign in.'],
    GoogleUnavailable: ['Google could not be reached', 'Wait a moment, then try again.'],
    GoogleResponseInvalid: ['Google sent an answer we could not read', 'Try again later.'],
    RateLimited: ['Too many attempts', 'Wait a minute, then try again.'],
    Unavailable: ['The exchange is unavailable', 'Wait a moment, then try again.'],
  };

  const $ = (selector) => document.querySelector(selector);

  function show(id) {
    for (const view of document.querySelectorAll('.view')) view.hidden = view.id !== id;
  }

  function showError(code) {
    const [title, detail] = MESSAGES[code] ||
      ['Sign-in failed', `The sign-in could not be completed (${code}).`];
    $('[data-testid="error-title"]').textContent = title;
    $('[data-testid="error-detail"]').textContent = detail;
    show('error');
  }

  function postJson(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body),
    });
  }

  async function errorName(response) {
    try {
      const body = await response.json();
      return typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    } catch (e) {
      return `HTTP ${response.status}`;
    }
  }

  // Keeps the session's access token and schedules its refresh: 60 s before expiry, or at half
  // its life when that is shorter.
  function adopt(session) {
    accessToken = session.access_token;
    clearTimeout(refreshTimer);
    const lifeS = Math.max(2, Number(session.expires_in) || 0);
    const leadS = Math.min(60, lifeS / 2);
    refreshTimer = setTimeout(async () => {
      if (await refresh()) await loadAccount();
      else show('signed-out');
    }, (lifeS - leadS) * 1000);
  }

  async function refresh() {
    const response = await postJson('/auth/refresh', {});
    if (!response.ok) {
      accessToken = null;
      return false;
    }
    adopt(await response.json());
    return true;
  }

  function dollars(cents) {
    const sign = cents < 0 ? '-' : '';
    const abs = Math.abs(cents);
    const whole = Math.trunc(abs / 100).toLocaleString('en-US');
    return `${sign}$${whole}.${String(abs % 100).padStart(2, '0')}`;
  }

  function shares(bp) {
    const whole = Math.trunc(bp / 10000);
    const frac = Math.abs(bp % 10000);
    return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(4, '0').replace(/0+$/, '')}`;
  }

  function fillTable(selector, rows) {
    const body = $(`${selector} tbody`);
    body.replaceChildren();
    for (const cells of rows) {
      const tr = document.createElement('tr');
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function render(me) {
    $('[data-testid="account-name"]').textContent = me.display_name;
    $('[data-testid="cash"]').textContent = dollars(me.cash_cents);
    $('[data-testid="available-cash"]').textContent = dollars(me.available_cash_cents);
    const s = me.sleeper;
    $('[data-testid="sleeper-league"]').textContent = s
      ? `League ${s.league_id}, season ${s.season}, roster ${s.roster_id} (Sleeper user ${s.username})`
      : 'No Sleeper league linked yet.';
    fillTable('[data-testid="positions"]', me.positions.map((p) => [
      `Player #${p.symbol_id}`, shares(p.qty_bp), shares(p.available_qty_bp),
      dollars(p.cost_basis_cents), dollars(p.realized_pnl_cents)]));
    fillTable('[data-testid="trades"]', me.recent_trades.map((t) => [
      new Date(t.time * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      t.side, `Player #${t.symbol_id}`, shares(t.qty_bp), dollars(t.price_cents),
      dollars(t.notional_cents)]));
    show('signed-in');
  }

  // Reads the account; one refresh and retry on 401 (the token expired while the tab slept).
  async function loadAccount(retry = true) {
    const response = await fetch('/me', {headers: {Authorization: `Bearer ${accessToken}`}});
    if (response.status === 401 && retry && await refresh()) return loadAccount(false);
    if (response.status === 401) {
      accessToken = null;
      show('signed-out');
      return;
    }
    if (!response.ok) {
      showError(await errorName(response));
      return;
    }
    render(await response.json());
  }

  // The return from the provider: /?code&state, or /?error&state.
  async function completeSignIn(params) {
    // The code and state leave the address bar (and history) before anything else.
    history.replaceState(null, '', '/');
    if (params.has('error')) {
      const error = params.get('error');
      showError(/^[a-z_]{1,64}$/.test(error) ? error : 'provider_error');
      return;
    }
    const response = await postJson('/auth/callback',
      {code: params.get('code') || '', state: params.get('state') || ''});
    if (!response.ok) {
      showError(await errorName(response));
      return;
    }
    adopt(await response.json());
    await loadAccount();
  }

  async function signOut() {
    clearTimeout(refreshTimer);
    accessToken = null;
    try {
      await postJson('/auth/logout', {});
    } finally {
      show('signed-out');
    }
  }

  async function start() {
    $('#signout').addEventListener('click', signOut);
    const params = new URLSearchParams(location.search);
    if (params.has('code') || params.has('error')) return completeSignIn(params);
    if (await refresh()) return loadAccount();
    show('signed-out');
  }

  start().catch(() => showError('Unavailable'));
})();
