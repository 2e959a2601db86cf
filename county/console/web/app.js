// The county office console: hash-routed pages over the console's JSON API (county/console).
// Runs under a strict Content-Security-Policy: no inline code, no eval, no innerHTML. Every piece
// of report text is hostile and reaches the page only through textContent.
'use strict';

// ---- messages and language ---------------------------------------------------------------------

const LANG_KEY = 'minsheng.console.lang';
let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';

function t(key, vars) {
  let s = (MESSAGES[lang] && MESSAGES[lang][key]) || MESSAGES.zh[key] || key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

// ---- DOM helpers -------------------------------------------------------------------------------

/// el('button', {class: 'x', type: 'button', on: {click: f}}, child, 'text', …)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'on') for (const [ev, f] of Object.entries(v)) node.addEventListener(ev, f);
    else if (k === 'value') node.value = v;
    else if (k === 'checked') node.checked = !!v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function field(label, control, hint) {
  return el('label', {class: 'field'}, el('span', {class: 'field-label', text: label}), control,
            hint ? el('span', {class: 'hint', text: hint}) : null);
}

function select(id, options, value) {
  const s = el('select', {id});
  for (const [v, label] of options) s.append(el('option', {value: v, text: label}));
  if (value !== undefined && value !== null) s.value = value;
  return s;
}

function button(text, onClick, attrs) {
  return el('button', Object.assign({type: 'button', text, on: {click: onClick}}, attrs || {}));
}

function message(kind, text, attrs) {
  return el('div', Object.assign({class: 'msg msg-' + kind, role: kind === 'error' ? 'alert' : 'status', text}, attrs || {}));
}

function loadingBox() {
  return el('div', {class: 'msg msg-loading', role: 'status', text: t('loading')});
}

/// "2026-12-01T10:05:00+08:00" → "2026-12-01 10:05": the office's own time as the API gives it,
/// never converted to the browser's zone.
function shortTime(iso) {
  if (!iso) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? m[1] + ' ' + m[2] : iso;
}

function table(columns, rows, attrs) {
  const head = el('tr', {}, columns.map((c) => el('th', {scope: 'col', text: c})));
  const body = el('tbody', {}, rows.map((r) => el('tr', {}, r.map((cell) => el('td', {}, cell)))));
  return el('table', Object.assign({class: 'grid'}, attrs || {}), el('thead', {}, head), body);
}

function badge(kind, text) {
  return el('span', {class: 'badge badge-' + kind, text});
}

function urgencyBadge(urgency) {
  if (urgency === 'red') return badge('red', t('urgencyRed'));
  if (urgency === 'yellow') return badge('yellow', t('urgencyYellow'));
  return null;
}

// ---- the API -----------------------------------------------------------------------------------

const session = {user: null, role: null, roleLabel: null, csrf: null};

/// Calls the API; always resolves to {ok, status, data, message}. A 401 sends the user to login.
async function api(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (session.csrf) headers['X-CSRF-Token'] = session.csrf;
  }
  let response;
  try {
    response = await fetch(path, {method, headers, credentials: 'same-origin',
                                  body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    return {ok: false, status: 0, data: null, message: t('errNetwork')};
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (response.ok) return {ok: true, status: response.status, data, message: ''};
  if (response.status === 401 && path !== '/api/session' && path !== '/api/me') {
    session.user = null;
    location.hash = '#/login';
  }
  let text = data && data.message;
  if (!text) text = response.status === 404 ? t('errUnavailable', {path}) :
                    response.status === 403 ? t('errForbidden') : 'HTTP ' + response.status;
  return {ok: false, status: response.status, data, message: text, code: data && data.error};
}

function isSupervisor() { return session.role === 'supervisor'; }
function canAudit() { return session.role === 'supervisor' || session.role === 'auditor'; }

// ---- layout ------------------------------------------------------------------------------------

const root = () => document.getElementById('app');
let flashShown = null; // {kind, text}: kept across an action's re-render, cleared on navigation

function showFlash() {
  const box = document.getElementById('flash');
  if (box) clear(box).append(...(flashShown ? [message(flashShown.kind, flashShown.text)] : []));
}

/// Shows a message above the page; flash(null) clears it (when an action starts).
function flash(kind, text) {
  flashShown = kind ? {kind, text} : null;
  showFlash();
}

function navLink(route, label) {
  const current = (location.hash || '#/cases').split('?')[0].split('/')[1];
  return el('a', {href: '#/' + route, id: 'nav-' + route, class: current === route ? 'active' : null,
                  'aria-current': current === route ? 'page' : null, text: label});
}

function langButton() {
  return button(t('langSwitch'), () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    route();
  }, {id: 'lang-switch', class: 'link-button', lang: lang === 'zh' ? 'en' : 'zh-CN'});
}

function shell(title) {
  document.title = title + ' · ' + t('appTitle');
  const nav = el('nav', {class: 'nav', 'aria-label': t('appTitle')},
                 navLink('cases', t('navCases')), navLink('stats', t('navStats')),
                 navLink('surveys', t('navSurveys')),
                 canAudit() ? navLink('audit', t('navAudit')) : null,
                 isSupervisor() ? navLink('users', t('navUsers')) : null,
                 navLink('calendar', t('navCalendar')), navLink('kiosks', t('navKiosks')));
  const pull = button(t('pullNow'), async () => {
    flash(null);
    pull.disabled = true;
    pull.textContent = t('pulling');
    const r = await api('POST', '/api/pull', {});
    pull.disabled = false;
    pull.textContent = t('pullNow');
    if (r.ok) flash('ok', (r.data && r.data.message) || t('pulled', {pulled: r.data.pulled, pushed: r.data.pushed}));
    else flash('error', r.message);
  }, {id: 'pull-now'});
  const logout = button(t('logout'), async () => {
    await api('POST', '/api/logout', {});
    Object.assign(session, {user: null, role: null, roleLabel: null, csrf: null});
    location.hash = '#/login';
  }, {id: 'logout'});
  const header = el('header', {class: 'top'},
                    el('div', {class: 'brand', text: t('appTitle')}), nav,
                    el('div', {class: 'who'},
                       el('span', {id: 'current-user', text: t('loggedInAs', {user: session.user, role: session.roleLabel || session.role})}),
                       session.role === 'auditor' ? null : pull, langButton(), logout));
  const main = el('main', {id: 'view', tabindex: '-1'}, el('h1', {text: title}));
  clear(root()).append(header, el('div', {id: 'flash', 'aria-live': 'polite'}), main);
  showFlash();
  return main;
}

// ---- login -------------------------------------------------------------------------------------

function renderLogin() {
  document.title = t('loginTitle') + ' · ' + t('appTitle');
  const user = el('input', {id: 'login-user', name: 'user', autocomplete: 'username', required: true});
  const password = el('input', {id: 'login-password', name: 'password', type: 'password',
                                autocomplete: 'current-password', required: true});
  const status = el('div', {id: 'login-status', 'aria-live': 'polite'});
  const form = el('form', {class: 'login', id: 'login-form'},
                  el('h1', {text: t('loginTitle')}), field(t('loginUser'), user),
                  field(t('loginPassword'), password),
                  el('button', {type: 'submit', id: 'login-submit', class: 'primary', text: t('loginSubmit')}),
                  status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(status).append(loadingBox());
    const r = await api('POST', '/api/session', {user: user.value, password: password.value});
    if (!r.ok) {
      clear(status).append(message('error', r.status === 401 && !r.data ? t('loginFailed') : r.message));
      password.value = '';
      password.focus();
      return;
    }
    Object.assign(session, {user: r.data.user, role: r.data.role, roleLabel: r.data.role_label, csrf: r.data.csrf});
    location.hash = '#/cases';
  });
  clear(root()).append(el('div', {class: 'login-page'},
                          el('div', {class: 'brand', text: t('appTitle')}), langButton(), form));
  user.focus();
}

// ---- case list ---------------------------------------------------------------------------------

const STATUSES = ['received', 'accepted', 'in_progress', 'transferred', 'closed', 'not_accepted'];
/// The API's label when a case has shown one (the office's own wording), else the catalogue's.
const statusLabel = (s) => seen.status.get(s) || t('status_' + s);
const FILTER_KEYS = ['q', 'status', 'category', 'school', 'township', 'kiosk', 'from', 'to', 'urgency', 'mine', 'sort'];
const PAGE_SIZE = 50;
// Labels seen so far, so the filter lists name categories, schools, townships and kiosks.
const seen = {status: new Map(), category: new Map(), school: new Map(), township: new Map(), kiosk: new Map()};

function hashParams() {
  const q = (location.hash.split('?')[1]) || '';
  return new URLSearchParams(q);
}

function goCases(params) {
  for (const [k, v] of [...params.entries()]) if (!v) params.delete(k);
  location.hash = '#/cases?' + params.toString();
}

function filterSelect(key, params) {
  const options = [['', t('filterAny')], ...[...seen[key].entries()].sort((a, b) => a[1].localeCompare(b[1], 'zh'))];
  const v = params.get(key);
  if (v && !seen[key].has(v)) options.push([v, v]);
  return select('filter-' + key, options, v || '');
}

function describeFilters(params) {
  const names = {q: 'filterQ', status: 'filterStatus', category: 'filterCategory', school: 'filterSchool',
                 township: 'filterTownship', kiosk: 'filterKiosk', from: 'filterFrom', to: 'filterTo',
                 urgency: 'filterUrgency', mine: 'filterMine'};
  const parts = [];
  for (const [k, label] of Object.entries(names)) {
    const v = params.get(k);
    if (!v) continue;
    let shown = v;
    if (seen[k] && seen[k].has(v)) shown = seen[k].get(v);
    if (k === 'urgency') shown = t(v === 'red' ? 'urgencyRed' : 'urgencyYellow');
    parts.push(k === 'mine' ? t(label) : t('filterNamed', {name: t(label), value: shown}));
  }
  return parts.join(t('filterJoin'));
}

async function renderCases() {
  const main = shell(t('casesTitle'));
  const params = hashParams();
  const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
  const query = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params.get(k)) query.set(k, params.get(k));
  query.set('offset', offset);
  query.set('limit', PAGE_SIZE);

  const tabs = el('div', {class: 'tabs', role: 'tablist', id: 'status-tabs'});
  const filters = buildFilterForm(params);
  const results = el('section', {id: 'case-results', 'aria-live': 'polite'}, loadingBox());
  const exports = el('div', {class: 'exports'}, el('span', {text: t('exportLabel') + '：'}),
                     ['xlsx', 'csv', 'json', 'open311'].map((f) => el('a', {href: '/api/export?format=' + f, download: '', text: f})));
  main.append(tabs, filters, exports, results);

  const r = await api('GET', '/api/cases?' + query.toString());
  if (!r.ok) {
    clear(results).append(message('error', r.message), button(t('retry'), route));
    return;
  }
  const d = r.data;
  for (const c of d.cases) {
    seen.status.set(c.status, c.status_label);
    seen.category.set(c.category, c.category_label);
    if (c.school) seen.school.set(c.school, c.school_label || c.school);
    if (c.township) seen.township.set(c.township, c.township_label || c.township);
    if (c.kiosk) seen.kiosk.set(c.kiosk, c.kiosk);
  }
  // The tabs: one per status with its count; the current filter stays, only the status changes.
  const counts = d.counts || {};
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const tab = (status, label, n) => {
    const p = new URLSearchParams(params);
    p.delete('offset');
    if (status) p.set('status', status); else p.delete('status');
    const active = (params.get('status') || '') === status;
    return el('a', {href: '#/cases?' + p.toString(), role: 'tab', 'aria-selected': active ? 'true' : 'false',
                    class: active ? 'tab active' : 'tab', 'data-status': status || 'all'},
              label, ' ', el('span', {class: 'count', text: String(n)}));
  };
  tabs.append(tab('', t('allStatuses'), all));
  for (const s of STATUSES) if (counts[s] !== undefined) tabs.append(tab(s, statusLabel(s), counts[s]));
  // Refresh the lists now that labels are known.
  const fresh = buildFilterForm(params);
  filters.replaceWith(fresh);

  clear(results);
  if (d.cases.length === 0) {
    const named = describeFilters(params);
    results.append(message('empty', d.no_match || (named ? t('noMatchFilters', {filters: named}) : t('noMatch')), {id: 'no-match'}));
    return;
  }
  const selected = new Map(); // case id → case number
  const bulk = buildBulkBar(selected);
  const rows = d.cases.map((c) => {
    const box = el('input', {type: 'checkbox', class: 'row-select', 'aria-label': t('colSelect') + ' ' + c.number,
                             on: {change: (ev) => { ev.target.checked ? selected.set(c.case, c.number) : selected.delete(c.case); bulk.update(); }}});
    return el('tr', {class: 'case-row urgency-' + c.urgency, 'data-case': String(c.case)},
              el('td', {}, box),
              el('td', {}, el('a', {href: '#/case/' + c.case, class: 'case-link', text: c.number})),
              el('td', {class: 'nowrap', text: shortTime(c.received)}),
              el('td', {}, badge('status', c.status_label)),
              el('td', {text: c.category_label}),
              el('td', {text: c.school_label || c.school || ''}),
              el('td', {text: c.township_label || c.township || ''}),
              el('td', {class: 'nowrap'}, c.due || '', ' ', urgencyBadge(c.urgency)),
              el('td', {text: c.handler || t('noHandler'), class: c.handler ? null : 'muted'}),
              el('td', {class: 'excerpt', text: c.excerpt || ''}));
  });
  const selectAll = el('input', {type: 'checkbox', id: 'select-all', 'aria-label': t('selectAll'), on: {change: (ev) => {
    for (const b of results.querySelectorAll('.row-select')) {
      b.checked = ev.target.checked;
      b.dispatchEvent(new Event('change'));
    }
  }}});
  const head = el('tr', {}, el('th', {}, selectAll),
                  [t('colNumber'), t('colReceived'), t('colStatus'), t('colCategory'), t('colSchool'),
                   t('colTownship'), t('colDue'), t('colHandler'), t('colExcerpt')].map((c) => el('th', {scope: 'col', text: c})));
  const first = d.offset + 1, last = d.offset + d.cases.length;
  const page = (o) => { const p = new URLSearchParams(params); p.set('offset', o); goCases(p); };
  const pager = el('div', {class: 'pager'},
                   button(t('prevPage'), () => page(Math.max(0, d.offset - d.limit)), {disabled: d.offset === 0}),
                   el('span', {id: 'page-info', text: t('pageInfo', {first, last, total: d.total})}),
                   button(t('nextPage'), () => page(d.offset + d.limit), {disabled: last >= d.total}));
  results.append(bulk.node, el('table', {class: 'grid cases', id: 'case-table'}, el('thead', {}, head), el('tbody', {}, rows)), pager);
}

function buildFilterForm(params) {
  const q = el('input', {id: 'case-search', type: 'search', value: params.get('q') || '', placeholder: t('filterQHint')});
  const status = select('filter-status', [['', t('filterAny')], ...STATUSES.map((s) => [s, statusLabel(s)])], params.get('status') || '');
  const from = el('input', {id: 'filter-from', type: 'date', value: params.get('from') || ''});
  const to = el('input', {id: 'filter-to', type: 'date', value: params.get('to') || ''});
  const urgency = select('filter-urgency', [['', t('filterAny')], ['yellow', t('urgencyYellow')], ['red', t('urgencyRed')]], params.get('urgency') || '');
  const mine = el('input', {id: 'filter-mine', type: 'checkbox', checked: params.get('mine') === '1'});
  const sort = select('sort', [['-received', t('sortReceivedDesc')], ['received', t('sortReceived')],
                               ['due', t('sortDue')], ['-due', t('sortDueDesc')]], params.get('sort') || '-received');
  const lists = {};
  for (const k of ['category', 'school', 'township', 'kiosk']) lists[k] = filterSelect(k, params);
  const form = el('form', {class: 'filters', id: 'case-filters', role: 'search'},
                  field(t('filterQ'), q), field(t('filterStatus'), status), field(t('filterCategory'), lists.category),
                  field(t('filterSchool'), lists.school), field(t('filterTownship'), lists.township),
                  field(t('filterKiosk'), lists.kiosk), field(t('filterFrom'), from), field(t('filterTo'), to),
                  field(t('filterUrgency'), urgency), field(t('sort'), sort),
                  el('label', {class: 'check'}, mine, t('filterMine')),
                  el('div', {class: 'actions'},
                     el('button', {type: 'submit', id: 'search-submit', class: 'primary', text: t('search')}),
                     button(t('clearFilters'), () => goCases(new URLSearchParams()), {id: 'clear-filters'})));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    p.set('q', q.value.trim());
    p.set('status', status.value);
    for (const k of Object.keys(lists)) p.set(k, lists[k].value);
    p.set('from', from.value);
    p.set('to', to.value);
    p.set('urgency', urgency.value);
    if (mine.checked) p.set('mine', '1');
    if (sort.value !== '-received') p.set('sort', sort.value);
    goCases(p);
  });
  return form;
}

function buildBulkBar(selected) {
  const count = el('span', {id: 'bulk-count'});
  const action = select('bulk-action', [['status', t('bulkStatus')], ...(isSupervisor() ? [['assign', t('bulkAssign')]] : [])]);
  const status = select('bulk-status', [['accepted', statusLabel('accepted')], ['in_progress', statusLabel('in_progress')]]);
  const handler = el('select', {id: 'bulk-handler', hidden: true});
  // One call per case through the same calls the case page uses, so each case passes the same
  // checks (status machine, roles) and a refusal names its case.
  const apply = button(t('bulkApply'), async () => {
    const [what, body] = action.value === 'status' ? ['status', {status: status.value}] : ['assign', {handler: handler.value}];
    flash(null);
    apply.disabled = true;
    const failed = [];
    for (const [id, number] of selected) {
      const r = await api('POST', '/api/cases/' + id + '/' + what, body);
      if (!r.ok) failed.push(number + ' ' + r.message);
    }
    apply.disabled = false;
    flash(failed.length ? 'error' : 'ok', t('bulkResult', {ok: selected.size - failed.length, failed: failed.length}) +
          failed.map((x) => ' · ' + x).join(''));
    route();
  }, {id: 'bulk-apply'});
  action.addEventListener('change', () => { status.hidden = action.value !== 'status'; handler.hidden = action.value !== 'assign'; });
  if (isSupervisor()) loadUsers().then((users) => { for (const u of users) handler.append(el('option', {value: u.name, text: u.name + ' · ' + u.role_label})); });
  const node = el('div', {class: 'bulk', id: 'bulk-bar', hidden: true}, count, action, status, handler, apply);
  return {node, update() { node.hidden = selected.size === 0; count.textContent = t('bulkSelected', {n: selected.size}); }};
}

let usersCache = null;
async function loadUsers() {
  if (usersCache) return usersCache;
  const r = await api('GET', '/api/users');
  if (!r.ok) return [];
  usersCache = r.data.users.filter((u) => !u.disabled);
  return usersCache;
}

// ---- case page ---------------------------------------------------------------------------------

const RESULTS = [['resolved', 'resultResolved'], ['partly_resolved', 'resultPartly'],
                 ['explained', 'resultExplained'], ['unfounded', 'resultUnfounded']];
const FINAL = new Set(['closed', 'transferred', 'not_accepted']);

async function renderCase(id) {
  const main = shell(t('casesTitle'));
  main.prepend(el('a', {href: '#/cases', class: 'back', id: 'back-to-list', text: t('backToList')}));
  const body = el('div', {id: 'case-page'}, loadingBox());
  main.append(body);
  const r = await api('GET', '/api/cases/' + encodeURIComponent(id));
  if (!r.ok) {
    clear(body).append(message('error', r.message), button(t('retry'), route));
    return;
  }
  const c = r.data.case;
  main.querySelector('h1').textContent = t('caseTitle', {number: c.number});
  document.title = t('caseTitle', {number: c.number}) + ' · ' + t('appTitle');
  const reload = (text) => { flash('ok', text || t('saved')); renderCase(id); };

  const facts = el('dl', {class: 'facts', id: 'case-facts'},
                   fact(t('colStatus'), badge('status', c.status_label), 'fact-status'),
                   fact(t('colCategory'), c.category_label), fact(t('colSchool'), c.school_label || c.school),
                   fact(t('colTownship'), c.township_label || c.township), fact(t('kiosk'), c.kiosk),
                   fact(t('received'), shortTime(c.received)),
                   fact(t('due'), el('span', {}, c.due || '', ' ', urgencyBadge(c.urgency))),
                   fact(t('handler'), c.handler || t('noHandler'), 'fact-handler'));
  const report = el('section', {class: 'card', id: 'case-report'}, el('h2', {text: t('sectionReport')}),
                    el('dl', {class: 'answers'}, (c.answers || []).map((a) => [el('dt', {text: a.label}), el('dd', {text: a.value})])));
  const contact = el('section', {class: 'card', id: 'case-contact'}, el('h2', {text: t('sectionContact')}),
                     c.contact ? el('dl', {class: 'answers'}, fact(t('contactName'), c.contact.name), fact(t('contactPhone'), c.contact.phone))
                               : el('p', {class: 'muted', text: t('anonymous')}));
  const left = el('div', {class: 'col'}, report, contact, historySection(c), eventsSection(c));
  const right = el('div', {class: 'col'}, replyAndStatusSection(id, c, reload), notesSection(id, c, reload));
  if (c.can && c.can.assign) right.append(assignSection(id, c, reload));
  if (c.can && c.can.extend) right.append(extendSection(id, c, reload));
  if (c.can && c.can.followup) right.append(followupSection(id, reload));
  if (c.can && c.can.merge) right.append(mergeSection(id, reload));
  clear(body).append(facts, el('div', {class: 'two-col'}, left, right));
}

function fact(label, value, id) {
  return el('div', {class: 'fact', id}, el('dt', {text: label}), el('dd', {}, value === undefined || value === null ? '' : value));
}

function historySection(c) {
  const rows = (c.history || []).map((h) => [shortTime(h.at), h.actor || '', h.status_label || h.status,
    [h.reply, h.result && resultLabel(h.result), h.unit, h.reason].filter(Boolean).join(' · ')]);
  return el('section', {class: 'card', id: 'case-history'}, el('h2', {text: t('sectionHistory')}),
            table([t('historyAt'), t('historyActor'), t('historyStatus'), t('historyDetail')], rows));
}

function resultLabel(id) {
  const found = RESULTS.find(([v]) => v === id);
  return found ? t(found[1]) : id;
}

const EVENT_LABEL = {note: 'evNote', assign: 'evAssign', extend: 'evExtend', merge: 'evMerge', followup: 'evFollowup'};

function eventsSection(c) {
  const rows = (c.events || []).filter((e) => e.kind !== 'note').map((e) => [shortTime(e.at), e.actor || '',
    t(EVENT_LABEL[e.kind] || e.kind), [e.handler, e.due, e.text].filter(Boolean).join(' · ')]);
  return el('section', {class: 'card', id: 'case-events'}, el('h2', {text: t('eventsTitle')}),
            rows.length ? table([t('historyAt'), t('historyActor'), t('auditAction'), t('historyDetail')], rows) : el('p', {class: 'muted', text: '—'}));
}

function notesSection(id, c, reload) {
  const notes = (c.events || []).filter((e) => e.kind === 'note');
  const text = el('textarea', {id: 'note-text', rows: '3', placeholder: t('notePlaceholder')});
  const status = el('div', {'aria-live': 'polite'});
  const add = button(t('noteAdd'), async () => {
    if (!text.value.trim()) return;
    add.disabled = true;
    const r = await api('POST', '/api/cases/' + id + '/notes', {text: text.value});
    add.disabled = false;
    if (r.ok) reload(); else clear(status).append(message('error', r.message));
  }, {id: 'note-submit'});
  return el('section', {class: 'card internal', id: 'case-notes'},
            el('h2', {}, t('sectionNotes'), ' ', badge('internal', t('internalMark'))),
            notes.length ? el('ul', {class: 'notes', id: 'note-list'}, notes.map((n) =>
              el('li', {class: 'note'}, el('div', {class: 'meta', text: shortTime(n.at) + ' · ' + (n.actor || '')}), el('div', {class: 'note-text', text: n.text}))))
                         : el('p', {class: 'muted', text: t('noNotes')}),
            // An auditor reads notes but writes none (can.note is false).
            ...(c.can && c.can.note === false ? [] : [field(t('noteAdd'), text), add, status]));
}

function replyAndStatusSection(id, c, reload) {
  const reply = el('textarea', {id: 'reply-text', rows: '6', maxlength: '4000', value: c.reply || ''});
  const warnings = el('div', {id: 'reply-warnings', 'aria-live': 'polite'});
  const preview = el('div', {class: 'kiosk-preview', id: 'reply-preview'});
  const templates = select('template-picker', [['', t('templateNone')]]);
  const updatePreview = () => {
    clear(preview).append(el('div', {class: 'kiosk-status', text: c.status_label}),
                          el('p', {class: reply.value ? 'kiosk-reply' : 'kiosk-reply muted', text: reply.value || t('previewEmpty')}));
  };
  let checkTimer = null, checkSeq = 0;
  const check = () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      const seq = ++checkSeq;
      if (!reply.value.trim()) { clear(warnings); return; }
      const r = await api('POST', '/api/reply-check', {text: reply.value});
      if (seq !== checkSeq) return;
      clear(warnings);
      if (!r.ok) { warnings.append(message('error', r.message)); return; }
      const list = r.data.warnings || [];
      if (!list.length) { warnings.append(message('ok', t('noWarnings'))); return; }
      warnings.append(el('div', {class: 'msg msg-warn', role: 'alert'}, el('strong', {text: t('warningsTitle')}),
        el('ul', {}, list.map((w) => el('li', {class: 'warning-' + w.kind}, el('mark', {text: w.match}), ' — ', w.message)))));
    }, 300);
  };
  reply.addEventListener('input', () => { updatePreview(); check(); });
  api('GET', '/api/templates').then((r) => {
    if (!r.ok) { templates.disabled = true; return; }
    const list = r.data.templates || [];
    const mine = list.filter((x) => !x.category || x.category === c.category);
    for (const x of mine.length ? mine : list) templates.append(el('option', {value: x.id, text: x.title}));
    templates.addEventListener('change', () => {
      const x = list.find((y) => y.id === templates.value);
      if (x) { reply.value = x.body; reply.dispatchEvent(new Event('input')); }
    });
  });
  updatePreview();
  if (reply.value) check();

  // Status change: the fields each target needs appear when it is chosen.
  const transitions = c.transitions || [];
  const target = select('status-select', transitions.map((s) => [s, statusLabel(s)]));
  const result = select('result-select', [['', '—'], ...RESULTS.map(([v, k]) => [v, t(k)])]);
  const unit = el('input', {id: 'unit-input'});
  const reason = el('input', {id: 'reason-input'});
  const resultField = field(t('result'), result), unitField = field(t('unit'), unit), reasonField = field(t('reason'), reason);
  const need = el('p', {class: 'hint', id: 'status-needs'});
  const status = el('div', {'aria-live': 'polite', id: 'status-message'});
  const reopening = () => FINAL.has(c.status) && !FINAL.has(target.value);
  const showFields = () => {
    resultField.hidden = target.value !== 'closed';
    unitField.hidden = target.value !== 'transferred';
    reasonField.hidden = !reopening();
    need.textContent = target.value === 'closed' ? t('needReplyResult') : target.value === 'transferred' ? t('needUnit') :
                       target.value === 'not_accepted' ? t('needReply') : reopening() ? t('needReason') : '';
  };
  target.addEventListener('change', showFields);
  showFields();
  const apply = button(t('applyStatus'), async () => {
    const body = {status: target.value};
    if (reply.value.trim()) body.reply = reply.value;
    if (target.value === 'closed') body.result = result.value;
    if (target.value === 'transferred') body.unit = unit.value;
    if (reopening()) body.reason = reason.value;
    apply.disabled = true;
    const r = await api('POST', '/api/cases/' + id + '/status', body);
    apply.disabled = false;
    if (r.ok) reload(); else clear(status).append(message('error', r.message));
  }, {id: 'status-submit', class: 'primary'});
  const statusBox = transitions.length ? [field(t('newStatus'), target), resultField, unitField, reasonField, need, apply, status]
                                       : [el('p', {class: 'muted', text: t('noTransitions')})];
  return el('section', {class: 'card', id: 'case-reply'}, el('h2', {text: t('sectionReply')}),
            el('p', {class: 'hint', text: t('replyPublic')}), field(t('template'), templates), reply, warnings,
            el('h3', {text: t('replyPreview')}), preview,
            el('h3', {text: t('sectionStatus')}), ...statusBox);
}

function actionSection(id, title, fields, label, buttonId, post) {
  const status = el('div', {'aria-live': 'polite'});
  const go = button(label, async () => {
    go.disabled = true;
    const r = await post();
    go.disabled = false;
    if (!r.ok) clear(status).append(message('error', r.message));
  }, {id: buttonId});
  return el('section', {class: 'card', id}, el('h2', {text: title}), ...fields, go, status);
}

function assignSection(id, c, reload) {
  const who = el('select', {id: 'assign-select'});
  loadUsers().then((users) => {
    for (const u of users) who.append(el('option', {value: u.name, text: u.name + ' · ' + u.role_label}));
    if (c.handler) who.value = c.handler;
  });
  return actionSection('case-assign', t('sectionAssign'), [field(t('assignTo'), who)], t('assign'), 'assign-submit', async () => {
    const r = await api('POST', '/api/cases/' + id + '/assign', {handler: who.value});
    if (r.ok) reload();
    return r;
  });
}

function extendSection(id, c, reload) {
  const due = el('input', {id: 'extend-due', type: 'date', value: c.due || ''});
  const reason = el('input', {id: 'extend-reason'});
  return actionSection('case-extend', t('sectionExtend'), [field(t('newDue'), due), field(t('reason'), reason)], t('extend'), 'extend-submit', async () => {
    const r = await api('POST', '/api/cases/' + id + '/extend', {due: due.value, reason: reason.value});
    if (r.ok) reload();
    return r;
  });
}

function mergeSection(id, reload) {
  const into = el('input', {id: 'merge-into', type: 'number', min: '1'});
  return actionSection('case-merge', t('sectionMerge'), [field(t('mergeInto'), into)], t('merge'), 'merge-submit', async () => {
    const r = await api('POST', '/api/cases/' + id + '/merge', {into: parseInt(into.value, 10)});
    if (r.ok) reload();
    return r;
  });
}

function followupSection(id, reload) {
  const reached = el('input', {id: 'followup-reached', type: 'checkbox', checked: true});
  const sat = select('followup-satisfaction', [['satisfied', t('satSatisfied')], ['basically', t('satBasically')], ['not_satisfied', t('satNot')]]);
  const note = el('textarea', {id: 'followup-note', rows: '2'});
  return actionSection('case-followup', t('sectionFollowup'),
                       [el('label', {class: 'check'}, reached, t('reached')), field(t('satisfaction'), sat), field(t('followupNote'), note)],
                       t('followup'), 'followup-submit', async () => {
    const r = await api('POST', '/api/cases/' + id + '/followup', {reached: reached.checked, satisfaction: sat.value, note: note.value});
    if (r.ok) reload();
    return r;
  });
}

// ---- periods (statistics and surveys) ---------------------------------------------------------

function isoDate(d) {
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}

function thisWeek() {
  const now = new Date();
  const monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - ((now.getDay() + 6) % 7));
  const sunday = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 6);
  return {from: isoDate(monday), to: isoDate(sunday)};
}

function thisMonth() {
  const now = new Date();
  return {from: isoDate(new Date(now.getFullYear(), now.getMonth(), 1)), to: isoDate(new Date(now.getFullYear(), now.getMonth() + 1, 0))};
}

/// The period picker: this week by default, this month, or custom dates kept in the hash.
function periodPicker(page, params) {
  const kind = params.get('period') || (params.get('from') ? 'custom' : 'week');
  const range = kind === 'custom' ? {from: params.get('from') || thisWeek().from, to: params.get('to') || thisWeek().to}
                                   : kind === 'month' ? thisMonth() : thisWeek();
  const choice = select('period-select', [['week', t('periodWeek')], ['month', t('periodMonth')], ['custom', t('periodCustom')]], kind);
  const from = el('input', {id: 'period-from', type: 'date', value: range.from});
  const to = el('input', {id: 'period-to', type: 'date', value: range.to});
  const fromField = field(t('from'), from), toField = field(t('to'), to);
  const sync = () => { fromField.hidden = toField.hidden = choice.value !== 'custom'; };
  choice.addEventListener('change', () => {
    sync();
    if (choice.value !== 'custom') location.hash = '#/' + page + '?period=' + choice.value;
  });
  sync();
  const form = el('form', {class: 'filters', id: 'period-form'}, field(t('period'), choice), fromField, toField,
                  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', id: 'period-submit', text: t('show')})));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams({period: choice.value});
    if (choice.value === 'custom') { p.set('from', from.value); p.set('to', to.value); }
    location.hash = '#/' + page + '?' + p.toString();
  });
  return {form, range};
}

// ---- statistics --------------------------------------------------------------------------------

const FIGURES = [['received', 'stReceived'], ['accepted', 'stAccepted'], ['transferred', 'stTransferred'],
                 ['closed', 'stClosed'], ['closed_on_time', 'stClosedOnTime'], ['open_at_end', 'stOpenAtEnd'],
                 ['overdue_at_end', 'stOverdueAtEnd'], ['average_handling_working_days', 'stAverage'],
                 ['longest_handling_working_days', 'stLongest']];

function figure(v) {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v);
}

async function renderStats() {
  const main = shell(t('statsTitle'));
  const {form, range} = periodPicker('stats', hashParams());
  const month = range.from.slice(0, 7);
  const prints = el('div', {class: 'exports'},
                    el('a', {id: 'print-weekly', target: '_blank', href: '/print/weekly?' + new URLSearchParams(range).toString(), text: t('printWeekly')}),
                    el('a', {id: 'print-monthly', target: '_blank', href: '/print/monthly?month=' + month, text: t('printMonthly')}));
  const out = el('section', {id: 'stats-result'}, loadingBox());
  main.append(form, prints, out);
  const r = await api('GET', '/api/stats?' + new URLSearchParams(range).toString());
  clear(out);
  if (!r.ok) { out.append(message('error', r.message), button(t('retry'), route)); return; }
  const d = r.data;
  if (!d.complete) out.append(message('info', t('incomplete')));
  out.append(el('h2', {text: t('stTotal') + '（' + d.from + ' — ' + d.to + '）'}),
             el('dl', {class: 'figures', id: 'stats-total'}, FIGURES.map(([k, label]) => fact(t(label), figure(d.total[k])))));
  for (const [key, label] of [['by_category', 'byCategory'], ['by_township', 'byTownship'], ['by_school', 'bySchool'], ['by_kiosk', 'byKiosk']]) {
    const rows = (d[key] || []).map((g) => [g.label || g.id, ...FIGURES.map(([k]) => figure(g[k]))]);
    out.append(el('h2', {text: t(label)}), rows.length ? table([t('name'), ...FIGURES.map(([, l]) => t(l))], rows, {class: 'grid figures-table', id: 'stats-' + key})
                                                       : el('p', {class: 'muted', text: t('noRows')}));
  }
}

// ---- surveys -----------------------------------------------------------------------------------

const DIMENSIONS = {overall: 'dimOverall', school: 'dimSchool', grade: 'dimGrade'};

async function renderSurveys() {
  const main = shell(t('surveysTitle'));
  // Survey figures are released for whole months that have ended only (docs/staff.md "Released
  // periods"): a month picker, last month by default.
  const now = new Date();
  const lastMonth = isoDate(new Date(now.getFullYear(), now.getMonth() - 1, 1)).slice(0, 7);
  const month = el('input', {id: 'survey-month', type: 'month', value: hashParams().get('month') || lastMonth});
  const form = el('form', {class: 'filters', id: 'period-form'}, field(t('period'), month),
                  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', id: 'period-submit', text: t('show')})));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/surveys?' + new URLSearchParams({month: month.value}).toString();
  });
  const out = el('section', {id: 'survey-result'}, loadingBox());
  main.append(form, out);
  const r = await api('GET', '/api/surveys?' + new URLSearchParams({month: month.value}).toString());
  clear(out);
  if (!r.ok) { out.append(message('error', r.message), button(t('retry'), route)); return; }
  out.append(el('p', {class: 'hint', text: t('minRespondents', {n: r.data.min_respondents})}));
  if (isSupervisor()) out.append(settingsForm(r.data.min_respondents));
  if (!(r.data.questions || []).length) out.append(message('empty', t('noRows')));
  for (const q of r.data.questions || []) {
    const rows = q.groups.map((g) => [t(DIMENSIONS[g.dimension] || g.dimension), g.label || g.id || '',
      g.hidden ? el('span', {class: 'muted', text: t('hiddenGroup')}) : figure(g.n),
      g.hidden ? '' : g.satisfaction_rate === null || g.satisfaction_rate === undefined ? '—' : Math.round(g.satisfaction_rate * 100) + '%',
      g.hidden ? '' : figure(g.average)]);
    out.append(el('h2', {text: q.label}), table([t('dimension'), t('name'), t('respondents'), t('satisfactionRate'), t('average')], rows));
  }
}

function settingsForm(current) {
  const n = el('input', {id: 'min-respondents', type: 'number', min: '1', value: String(current)});
  const status = el('div', {'aria-live': 'polite'});
  const form = el('form', {class: 'filters', id: 'settings-form'}, field(t('settingsMin'), n),
                  el('div', {class: 'actions'}, el('button', {type: 'submit', id: 'settings-submit', text: t('saveSettings')})), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('POST', '/api/settings', {min_respondents: parseInt(n.value, 10)});
    if (r.ok) { flash('ok', t('saved')); route(); } else clear(status).append(message('error', r.message));
  });
  return form;
}

// ---- audit, users, calendar -------------------------------------------------------------------

async function renderAudit() {
  const main = shell(t('auditTitle'));
  if (!canAudit()) { main.append(message('error', t('errForbidden'))); return; }
  const limit = hashParams().get('limit') || '200';
  const picker = select('audit-limit', [['50', '50'], ['200', '200'], ['1000', '1000']], limit);
  picker.addEventListener('change', () => { location.hash = '#/audit?limit=' + picker.value; });
  const out = el('section', {id: 'audit-result'}, loadingBox());
  main.append(el('div', {class: 'filters'}, field(t('auditLimit'), picker)), out);
  const r = await api('GET', '/api/audit?limit=' + encodeURIComponent(limit));
  clear(out);
  if (!r.ok) { out.append(message('error', r.message)); return; }
  const rows = r.data.entries.map((e) => [shortTime(e.at), e.actor || '', e.action,
    e.case || '', e.detail || '']);
  out.append(rows.length ? table([t('historyAt'), t('historyActor'), t('auditAction'), t('auditCase'), t('auditDetail')], rows, {class: 'grid', id: 'audit-table'})
                         : message('empty', t('noEntries')));
}

async function renderUsers() {
  const main = shell(t('usersTitle'));
  const out = el('section', {id: 'users-result'}, loadingBox());
  main.append(el('p', {class: 'hint', text: t('usersHint')}), out);
  const r = await api('GET', '/api/users');
  clear(out);
  if (!r.ok) { out.append(message('error', r.message)); return; }
  out.append(table([t('userName'), t('userRole'), t('userState')],
                   r.data.users.map((u) => [u.name, u.role_label || u.role, u.disabled ? t('userDisabled') : t('userEnabled')]), {class: 'grid', id: 'users-table'}));
}

async function renderCalendar() {
  const main = shell(t('calendarTitle'));
  const year = parseInt(hashParams().get('year') || String(new Date().getFullYear()), 10);
  const input = el('input', {id: 'calendar-year', type: 'number', min: '2000', max: '2100', value: String(year)});
  const form = el('form', {class: 'filters'}, field(t('year'), input),
                  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', text: t('show')})));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = '#/calendar?year=' + input.value; });
  const out = el('section', {id: 'calendar-result'}, loadingBox());
  main.append(form, out);
  const r = await api('GET', '/api/calendar?year=' + year);
  clear(out);
  if (!r.ok) { out.append(message('error', r.message)); return; }
  const holidays = new Set(r.data.holidays || []), workdays = new Set(r.data.workdays || []);
  if (r.data.provisional) out.append(message('info', t('provisional')));
  out.append(el('div', {class: 'legend'}, badge('holiday', t('legendHoliday')), badge('workday', t('legendWorkday')), badge('weekend', t('legendWeekend'))));
  const days = t('weekdays').split(',');
  const months = el('div', {class: 'months'});
  for (let m = 0; m < 12; ++m) {
    const cells = [];
    const first = new Date(year, m, 1);
    for (let i = 0; i < (first.getDay() + 6) % 7; ++i) cells.push(el('td'));
    for (let d = 1; d <= new Date(year, m + 1, 0).getDate(); ++d) {
      const date = new Date(year, m, d), iso = isoDate(date);
      const weekend = date.getDay() === 0 || date.getDay() === 6;
      const kind = holidays.has(iso) ? 'holiday' : workdays.has(iso) ? 'workday' : weekend ? 'weekend' : 'day';
      cells.push(el('td', {class: 'day-' + kind, title: iso, text: String(d)}));
    }
    const rows = [];
    for (let i = 0; i < cells.length; i += 7) rows.push(el('tr', {}, cells.slice(i, i + 7)));
    months.append(el('table', {class: 'month'}, el('caption', {text: t('monthName', {m: m + 1})}),
                     el('thead', {}, el('tr', {}, days.map((x) => el('th', {scope: 'col', text: x})))), el('tbody', {}, rows)));
  }
  out.append(months);
}

// ---- kiosk fleet -------------------------------------------------------------------------------

/// How long ago, from seconds the API computed with the office's clock (a kiosk whose clock runs
/// ahead gives a negative age: "just now").
function ago(seconds) {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 60) return t('agoJustNow');
  if (seconds < 3600) return t('agoMinutes', {n: Math.floor(seconds / 60)});
  if (seconds < 48 * 3600) return t('agoHours', {n: Math.floor(seconds / 3600)});
  return t('agoDays', {n: Math.floor(seconds / 86400)});
}

async function renderKiosks() {
  const main = shell(t('kiosksTitle'));
  const asked = hashParams().get('silent_hours') || '';
  const hours = el('input', {id: 'fleet-silent-hours', type: 'number', min: '1', step: '1', value: asked});
  const form = el('form', {class: 'filters', id: 'fleet-form'}, field(t('silentHours'), hours),
                  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', id: 'fleet-submit', text: t('show')})));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/kiosks' + (hours.value ? '?' + new URLSearchParams({silent_hours: hours.value}).toString() : '');
  });
  const out = el('section', {id: 'fleet-result'}, loadingBox());
  main.append(form, out);
  const r = await api('GET', '/api/kiosks' + (asked ? '?' + new URLSearchParams({silent_hours: asked}).toString() : ''));
  clear(out);
  if (!r.ok) { out.append(message('error', r.message), button(t('retry'), route)); return; }
  const d = r.data;
  hours.value = String(d.silent_hours);
  hours.max = String(d.max_silent_hours);
  form.append(el('span', {class: 'hint', text: t('silentHoursHint', {n: d.default_silent_hours})}));
  if (!d.server_ok) out.append(message('error', d.server_message, {id: 'fleet-server-note'}));
  if (!d.kiosks.length) { out.append(message('empty', t('fleetNone'))); return; }
  const rows = d.kiosks.map((k) => {
    const hb = k.heartbeat;
    const heartbeat = !k.known ? el('span', {class: 'muted', text: t(d.server_ok ? 'fleetNotListed' : 'fleetUnknown')})
      : !hb ? badge('yellow', t('fleetNeverHeard'))
      : el('span', {}, el('span', {class: 'nowrap', text: shortTime(hb.at)}), ' ', el('span', {class: 'muted', text: ago(hb.age_seconds)}));
    const config = !hb ? '' : el('span', {}, hb.config_version ? t('fleetConfigVersion', {v: hb.config_version}) : t('fleetConfigProvisioned'),
      hb.config_failure ? el('div', {class: 'fleet-config-failure'}, badge('red', t('fleetConfigRefused', {reason: hb.config_failure}))) : null);
    const alarms = [];
    if (k.revoked) alarms.push(badge('red', t('fleetRevoked')));
    if (k.silent === true) alarms.push(el('span', {class: 'badge badge-red fleet-silent', text: t('fleetSilent', {n: d.silent_hours})}));
    if (k.silent === false && !k.revoked) alarms.push(badge('status', t('fleetOk')));
    if (k.known) alarms.push(el('div', {class: 'hint', text: k.last_seen ? t('fleetLastContact', {time: shortTime(k.last_seen), ago: ago(k.last_seen_age_seconds)}) : t('fleetNeverContact')}));
    return el('tr', {class: 'fleet-row' + (k.silent ? ' fleet-row-silent' : ''), 'data-kiosk': k.id},
              el('td', {}, el('div', {class: 'fleet-id', text: k.id}), el('div', {class: 'muted', text: k.name})),
              el('td', {class: 'fleet-heartbeat'}, heartbeat),
              el('td', {class: 'fleet-config'}, config),
              el('td', {class: 'fleet-backlog', text: hb && hb.backlog !== null ? String(hb.backlog) : ''}),
              el('td', {class: 'fleet-software', text: hb ? hb.software_version : ''}),
              el('td', {class: 'fleet-alarm'}, alarms));
  });
  const head = el('tr', {}, [t('fleetColKiosk'), t('fleetColHeartbeat'), t('fleetColConfig'), t('fleetColBacklog'),
                             t('fleetColSoftware'), t('fleetColAlarm')].map((c) => el('th', {scope: 'col', text: c})));
  out.append(el('table', {class: 'grid', id: 'fleet-table'}, el('thead', {}, head), el('tbody', {}, rows)));
}

// ---- routing -----------------------------------------------------------------------------------

async function route() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  const path = (location.hash || '#/cases').slice(1).split('?')[0];
  if (!session.user) {
    const me = await api('GET', '/api/me');
    if (me.ok) Object.assign(session, {user: me.data.user, role: me.data.role, roleLabel: me.data.role_label, csrf: me.data.csrf});
  }
  // replaceState: changing the hash this way does not fire another hashchange.
  if (!session.user) { if (path !== '/login') history.replaceState(null, '', '#/login'); renderLogin(); return; }
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
  case 'login': history.replaceState(null, '', '#/cases'); return renderCases();
  case 'case': return renderCase(parts[1]);
  case 'stats': return renderStats();
  case 'surveys': return renderSurveys();
  case 'audit': return renderAudit();
  case 'users': return renderUsers();
  case 'calendar': return renderCalendar();
  case 'kiosks': return renderKiosks();
  default: return renderCases();
  }
}

window.addEventListener('hashchange', () => { flashShown = null; route(); });
document.addEventListener('DOMContentLoaded', route);
