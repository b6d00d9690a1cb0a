// The teacher's page: own camera, screen sharing, and a grid of the classrooms with stage and floor
// controls and connection quality.
//
// Offered m-sections, in order: microphone (sendrecv), camera (sendonly), screen (sendonly, no track
// until shared), then CLASSROOM_SLOTS pairs of classroom-video / classroom-audio (recvonly). The
// server's "slots" message says which classroom each receiving mid carries; a classroom with no slot
// still gets a tile (and its controls), without video.

import { applyTranslations, mountLanguageSwitch, t } from './i18n.js';
import { LessonSession } from './session.js';
import { QualityMeter } from './quality.js';
import { ConnectionState, attachTrack, el, joinParameters, play, showServerError, watchVideo } from './ui.js';

const CLASSROOM_SLOTS = 4;
const QUALITY_INTERVAL_MS = 2000;

const params = joinParameters();
const errors = document.getElementById('errors');
const preview = document.getElementById('preview');
const screenButton = document.getElementById('screen-button');
const screenState = document.getElementById('screen-state');
const grid = document.getElementById('classroom-grid');
const tiles = new Map(); // participant id → tile
let session = null;
let screenTrack = null;

window.archipelago = { pc: null, session: null, role: 'teacher' };
mountLanguageSwitch(document.getElementById('lang-switch'));
applyTranslations();
const state = new ConnectionState(document.getElementById('connection'));
setUpHeader();
screenButton.disabled = true;
watchVideo(preview, preview.parentElement);
main();

function setUpHeader() {
  const render = () => {
    document.getElementById('room-label').textContent = params.room ? t('room.label', { room: params.room }) : '';
    document.getElementById('you-label').textContent = params.name ? t('you.label', { name: params.name }) : '';
    document.title = t('teacher.title') + (params.room ? ' · ' + params.room : '') + ' · Archipelago';
    renderGrid();
    renderScreenState();
  };
  render();
  document.addEventListener('languagechange', render);
  document.getElementById('rejoin').addEventListener('click', () => location.reload());
  backLink(false);
}

function backLink(authRequired) {
  const query = new URLSearchParams({ room: params.room, name: params.name, role: 'teacher' });
  if (authRequired) query.set('auth', 'required');
  document.getElementById('back-link').href = '/?' + query;
}

async function main() {
  if (!params.room || !params.name) {
    state.set('error', { key: 'error.params' });
    return;
  }
  state.set('camera');
  let local = null;
  try {
    local = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
    });
    preview.srcObject = local;
    play(preview);
  } catch (error) {
    showLocalError('error.camera', { message: error.message || error.name });
  }
  const layout = [
    { purpose: 'microphone', kind: 'audio', direction: 'sendrecv', track: local?.getAudioTracks()[0], stream: local },
    { purpose: 'camera', kind: 'video', direction: 'sendonly', track: local?.getVideoTracks()[0], stream: local },
    { purpose: 'screen', kind: 'video', direction: 'sendonly' },
  ];
  for (let i = 0; i < CLASSROOM_SLOTS; i++) {
    layout.push({ purpose: 'classroom-video', kind: 'video', direction: 'recvonly' });
    layout.push({ purpose: 'classroom-audio', kind: 'audio', direction: 'recvonly' });
  }
  session = new LessonSession({ room: params.room, name: params.name, role: 'teacher', token: params.token, layout, state });
  window.archipelago.session = session;
  window.archipelago.signaling = session.signaling;
  session.addEventListener('track', (event) => {
    // Classroom slots are read from the transceivers when "slots" arrives; the microphone
    // m-section brings back the voice the server sends the teacher.
    if (event.detail.purpose === 'microphone') attachTrack(document.getElementById('return-audio'), event.detail.track);
  });
  session.addEventListener('joined', () => {
    screenButton.disabled = false;
  });
  session.addEventListener('participants', renderGrid);
  session.addEventListener('slots', renderGrid);
  session.addEventListener('stage', renderGrid);
  session.addEventListener('floor', renderGrid);
  session.addEventListener('server-error', (event) => {
    showServerError(errors, event.detail.code, event.detail.message);
    if (event.detail.code === 'unauthorized') backLink(true);
  });
  screenButton.addEventListener('click', () => (screenTrack ? stopScreen() : startScreen()));
  await session.start();
  window.archipelago.pc = session.pc;
  setInterval(measureQuality, QUALITY_INTERVAL_MS);
}

function showLocalError(key, params) {
  const item = el('p', { class: 'error-item' });
  const render = () => { item.textContent = t(key, params); };
  render();
  document.addEventListener('languagechange', render);
  errors.prepend(item);
  errors.hidden = false;
}

// --- screen sharing: replaceTrack on the pre-offered "screen" m-section, no renegotiation ---

async function startScreen() {
  const sender = session.transceiver('screen').sender;
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
  } catch (error) {
    if (error.name !== 'NotAllowedError') showLocalError('teacher.screen.failed', { message: error.message || error.name });
    return;
  }
  const track = stream.getVideoTracks()[0];
  if ('contentHint' in track) track.contentHint = 'detail';
  try {
    await sender.replaceTrack(track);
  } catch (error) {
    track.stop();
    showLocalError('teacher.screen.failed', { message: error.message || error.name });
    return;
  }
  screenTrack = track;
  track.addEventListener('ended', stopScreen); // the browser's own "stop sharing"
  session.send({ type: 'screen', on: true });
  renderScreenState();
}

async function stopScreen() {
  if (!screenTrack) return;
  const track = screenTrack;
  screenTrack = null;
  track.removeEventListener('ended', stopScreen);
  track.stop();
  try {
    await session.transceiver('screen').sender.replaceTrack(null);
  } catch {
    // the connection is closing; nothing to stop
  }
  session.send({ type: 'screen', on: false });
  renderScreenState();
}

function renderScreenState() {
  const sharing = Boolean(screenTrack);
  screenButton.textContent = t(sharing ? 'teacher.screen.stop' : 'teacher.screen.start');
  screenButton.dataset.i18n = sharing ? 'teacher.screen.stop' : 'teacher.screen.start';
  screenButton.setAttribute('aria-pressed', String(sharing));
  screenState.textContent = sharing ? t('teacher.screen.on') : '';
}

// --- the classroom grid ---

/** The receiving transceivers (video, audio) the server has given to participant id, if any. */
function slotOf(id) {
  const slots = session.slots || {};
  const find = (purpose) => session.transceivers(purpose).find((tr) => tr.mid != null && slots[tr.mid] === id) || null;
  return { video: find('classroom-video'), audio: find('classroom-audio') };
}

function renderGrid() {
  if (!session) return;
  const classrooms = [...session.participants.values()].filter((p) => p.role === 'classroom');
  const observers = [...session.participants.values()].filter((p) => p.role === 'observer').length;
  for (const [id, tile] of tiles) {
    if (!classrooms.some((p) => p.id === id)) {
      tile.element.remove();
      tiles.delete(id);
    }
  }
  for (const classroom of classrooms) {
    let tile = tiles.get(classroom.id);
    if (!tile) {
      tile = makeTile(classroom);
      tiles.set(classroom.id, tile);
      grid.append(tile.element);
    }
    updateTile(tile, classroom);
  }
  document.getElementById('no-classrooms').hidden = classrooms.length > 0;
  const counts = [t('teacher.classrooms.count', { n: classrooms.length })];
  if (observers) counts.push(t('teacher.observers.count', { n: observers }));
  document.getElementById('classroom-count').textContent = counts.join(' · ');
}

function makeTile(classroom) {
  const video = el('video', { autoplay: true, playsinline: true });
  const placeholder = el('p', { class: 'placeholder' });
  const frame = el('div', { class: 'video-frame' }, video, placeholder);
  const name = el('h3', { class: 'tile-name' });
  const badges = el('span', { class: 'tile-badges' });
  const quality = el('p', { class: 'quality', 'data-level': 'unknown' });
  const stage = el('button', { type: 'button', class: 'small stage-button' });
  const floor = el('button', { type: 'button', class: 'small floor-button' });
  stage.addEventListener('click', () => {
    session.send({ type: 'stage', participant: session.stage === classroom.id ? null : classroom.id });
  });
  floor.addEventListener('click', () => {
    session.send({ type: 'floor', participant: session.floor === classroom.id ? null : classroom.id });
  });
  const element = el('li', { class: 'tile card', 'data-participant': classroom.id },
    frame, el('div', { class: 'tile-head' }, name, badges), quality, el('div', { class: 'controls' }, stage, floor));
  watchVideo(video, frame);
  return { element, video, frame, placeholder, name, badges, quality, stage, floor, meter: null, receiver: null, result: null };
}

function updateTile(tile, classroom) {
  const onStage = session.stage === classroom.id;
  const hasFloor = session.floor === classroom.id;
  tile.name.textContent = classroom.name;
  tile.element.classList.toggle('on-stage', onStage);
  tile.element.classList.toggle('has-floor', hasFloor);
  tile.badges.replaceChildren(
    ...(onStage ? [el('span', { class: 'badge stage-badge', text: t('tile.onstage') })] : []),
    ...(hasFloor ? [el('span', { class: 'badge floor-badge', text: t('tile.hasfloor') })] : []));
  tile.stage.textContent = t(onStage ? 'tile.stage.off' : 'tile.stage.on');
  tile.stage.setAttribute('aria-pressed', String(onStage));
  tile.floor.textContent = t(hasFloor ? 'tile.floor.off' : 'tile.floor.on');
  tile.floor.setAttribute('aria-pressed', String(hasFloor));
  for (const button of [tile.stage, tile.floor]) button.setAttribute('aria-description', classroom.name);

  const slot = slotOf(classroom.id);
  tile.placeholder.textContent = t(slot.video ? 'tile.waiting' : 'tile.noslot');
  const receiver = slot.video ? slot.video.receiver : null;
  if (receiver !== tile.receiver) {
    tile.receiver = receiver;
    tile.meter = receiver ? new QualityMeter(receiver) : null;
    tile.result = null;
    tile.video.srcObject = null;
    if (receiver) attachTrack(tile.video, receiver.track);
  }
  if (slot.audio) attachTrack(tile.video, slot.audio.receiver.track);
  renderQuality(tile);
}

async function measureQuality() {
  for (const tile of tiles.values()) {
    if (!tile.meter) continue;
    try {
      tile.result = await tile.meter.measure();
    } catch {
      tile.result = null;
    }
    renderQuality(tile);
  }
}

function renderQuality(tile) {
  const r = tile.result;
  tile.quality.dataset.level = r ? r.level : 'unknown';
  if (!tile.meter) {
    tile.quality.textContent = '';
    return;
  }
  if (!r || r.level === 'unknown') {
    tile.quality.textContent = t('quality.unknown');
    return;
  }
  const parts = [t('quality.' + r.level)];
  if (r.lossPercent !== null) parts.push(`${t('quality.lost')} ${r.lossPercent.toFixed(1)}%`);
  if (r.rttMs !== null) parts.push(`${t('quality.rtt')} ${r.rttMs} ms`);
  if (r.fps !== null) parts.push(`${r.fps} ${t('quality.fps')}`);
  tile.quality.textContent = parts.join(' · ');
}
