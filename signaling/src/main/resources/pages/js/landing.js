// The landing page: room, name, role and (when needed) a join token, then on to the teacher or
// classroom page with them as query parameters (room, name, role, token).
//
// The token field is shown when the URL carries ?token= (or ?auth=required, which the lesson pages
// link to after an "unauthorized" error), when the page is not served from loopback (the server then
// requires tokens), or on request.

import { applyTranslations, mountLanguageSwitch, t } from './i18n.js';

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const NAME_STORAGE_KEY = 'archipelago.name';

const form = document.getElementById('join-form');
const room = document.getElementById('room');
const name = document.getElementById('name');
const token = document.getElementById('token');
const tokenField = document.getElementById('token-field');
const tokenToggle = document.getElementById('token-toggle');

mountLanguageSwitch(document.getElementById('lang-switch'));
applyTranslations();

const query = new URLSearchParams(location.search);
room.value = query.get('room') || '';
name.value = query.get('name') || safeStorageGet(NAME_STORAGE_KEY) || '';
token.value = query.get('token') || '';
const role = query.get('role');
if (['teacher', 'classroom', 'observer'].includes(role)) form.elements.role.value = role;

const loopback = ['localhost', '127.0.0.1', '[::1]', '::1'].includes(location.hostname);
showToken(Boolean(token.value) || query.get('auth') === 'required' || !loopback);
tokenToggle.addEventListener('click', () => {
  showToken(true);
  token.focus();
});

function showToken(visible) {
  tokenField.hidden = !visible;
  tokenToggle.hidden = visible;
  tokenToggle.setAttribute('aria-expanded', String(visible));
}

function validate() {
  const problems = [];
  const roomOk = ROOM.test(room.value.trim());
  const nameOk = name.value.trim().length >= 1 && name.value.trim().length <= 64;
  setProblem(room, roomOk ? '' : 'landing.room.invalid');
  setProblem(name, nameOk ? '' : 'landing.name.invalid');
  if (!roomOk) problems.push(room);
  if (!nameOk) problems.push(name);
  return problems;
}

function setProblem(input, key) {
  const message = document.getElementById(input.id + '-error');
  message.dataset.key = key;
  message.textContent = key ? t(key) : '';
  input.setAttribute('aria-invalid', String(Boolean(key)));
}

document.addEventListener('languagechange', () => {
  for (const message of document.querySelectorAll('.field-error')) {
    message.textContent = message.dataset.key ? t(message.dataset.key) : '';
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const problems = validate();
  if (problems.length) {
    problems[0].focus();
    return;
  }
  const chosenRole = form.elements.role.value || 'classroom';
  const target = new URLSearchParams({ room: room.value.trim(), name: name.value.trim() });
  if (chosenRole !== 'teacher') target.set('role', chosenRole);
  if (token.value.trim()) target.set('token', token.value.trim());
  safeStorageSet(NAME_STORAGE_KEY, name.value.trim());
  location.assign((chosenRole === 'teacher' ? '/teacher.html?' : '/classroom.html?') + target);
});

function safeStorageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function safeStorageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not remembered; harmless
  }
}
