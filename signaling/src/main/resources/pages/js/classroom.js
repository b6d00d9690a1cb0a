// The classroom page, also the observer's (role=observer: sends nothing).
//
// Offered m-sections, in order:
//   classroom: microphone (sendrecv: the teacher's voice, or the voice with the floor, comes back on
//              it), camera (sendonly), teacher-camera, teacher-screen, stage-video (recvonly video),
//              stage-audio (recvonly audio);
//   observer:  microphone (recvonly, for that same voice), then teacher-camera, teacher-screen,
//              stage-video, stage-audio; no camera.
// The teacher's screen is shown large while the "screen" state is on; otherwise the teacher's camera.

import { applyTranslations, mountLanguageSwitch, t } from './i18n.js';
import { LessonSession } from './session.js';
import { ConnectionState, attachTrack, el, joinParameters, play, showServerError, watchVideo } from './ui.js';

const params = joinParameters();
const role = params.role === 'observer' ? 'observer' : 'classroom';
const errors = document.getElementById('errors');
const notice = document.getElementById('notice');
const layoutRoot = document.getElementById('stage-layout');
const preview = document.getElementById('preview');
const mediaFor = {
  'teacher-camera': document.getElementById('teacher-camera'),
  'teacher-screen': document.getElementById('teacher-screen'),
  'stage-video': document.getElementById('stage-video'),
  'stage-audio': document.getElementById('stage-video'), // one element plays the stage's picture and voice
  microphone: document.getElementById('teacher-audio'),
};
let session = null;

window.archipelago = { pc: null, session: null, role };
mountLanguageSwitch(document.getElementById('lang-switch'));
applyTranslations();
const state = new ConnectionState(document.getElementById('connection'));
document.body.classList.toggle('observer', role === 'observer');
document.getElementById('preview-panel').hidden = role === 'observer';
layoutRoot.dataset.self = role === 'observer' ? 'off' : 'on';
for (const video of document.querySelectorAll('.video-frame video')) watchVideo(video, video.parentElement);
setUpHeader();
main();

function setUpHeader() {
  const render = () => {
    document.getElementById('role-badge').textContent = t('role.' + role);
    document.getElementById('room-label').textContent = params.room ? t('room.label', { room: params.room }) : '';
    document.getElementById('you-label').textContent = params.name ? '· ' + params.name : '';
    document.title = t(role === 'observer' ? 'observer.title' : 'classroom.title') + (params.room ? ' · ' + params.room : '') + ' · Archipelago';
    renderLesson();
  };
  render();
  document.addEventListener('languagechange', render);
  document.getElementById('rejoin').addEventListener('click', () => location.reload());
  backLink(false);
}

function backLink(authRequired) {
  const query = new URLSearchParams({ room: params.room, name: params.name, role });
  if (authRequired) query.set('auth', 'required');
  document.getElementById('back-link').href = '/?' + query;
}

async function main() {
  if (!params.room || !params.name) {
    state.set('error', { key: 'error.params' });
    return;
  }
  let local = null;
  if (role === 'classroom') {
    state.set('camera');
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
  }
  const layout = role === 'classroom'
    ? [
      { purpose: 'microphone', kind: 'audio', direction: 'sendrecv', track: local?.getAudioTracks()[0], stream: local },
      { purpose: 'camera', kind: 'video', direction: 'sendonly', track: local?.getVideoTracks()[0], stream: local },
    ]
    : [{ purpose: 'microphone', kind: 'audio', direction: 'recvonly' }];
  layout.push(
    { purpose: 'teacher-camera', kind: 'video', direction: 'recvonly' },
    { purpose: 'teacher-screen', kind: 'video', direction: 'recvonly' },
    { purpose: 'stage-video', kind: 'video', direction: 'recvonly' },
    { purpose: 'stage-audio', kind: 'audio', direction: 'recvonly' });

  session = new LessonSession({ room: params.room, name: params.name, role, token: params.token, layout, state });
  window.archipelago.session = session;
  window.archipelago.signaling = session.signaling;
  session.addEventListener('track', (event) => {
    const media = mediaFor[event.detail.purpose];
    if (media) attachTrack(media, event.detail.track);
  });
  for (const type of ['participants', 'stage', 'floor', 'screen', 'joined']) session.addEventListener(type, renderLesson);
  session.addEventListener('server-error', (event) => {
    showServerError(errors, event.detail.code, event.detail.message);
    if (event.detail.code === 'unauthorized') backLink(true);
  });
  await session.start();
  window.archipelago.pc = session.pc;
}

function showLocalError(key, values) {
  const item = el('p', { class: 'error-item' });
  const render = () => { item.textContent = t(key, values); };
  render();
  document.addEventListener('languagechange', render);
  errors.prepend(item);
  errors.hidden = false;
}

function renderLesson() {
  if (!session) return;
  const participants = [...session.participants.values()];
  const teacher = participants.find((p) => p.role === 'teacher');
  const onStage = session.participant(session.stage);
  const youOnStage = session.id != null && session.stage === session.id;
  const youHaveFloor = session.id != null && session.floor === session.id;

  layoutRoot.dataset.screen = session.screen ? 'on' : 'off';
  layoutRoot.dataset.stage = session.stage != null && !youOnStage ? 'on' : 'off';
  document.getElementById('teacher-name').textContent = teacher ? '· ' + teacher.name : '';
  document.getElementById('teacher-placeholder').textContent = t(teacher ? 'tile.waiting' : 'classroom.noTeacher');
  document.getElementById('stage-name').textContent = onStage ? '· ' + onStage.name : '';
  document.getElementById('stage-placeholder').textContent = t(onStage ? 'tile.waiting' : 'classroom.stage.none');
  document.getElementById('teacher-camera').parentElement.classList.toggle('idle', !teacher);
  document.getElementById('stage-video').parentElement.classList.toggle('idle', !onStage);

  const messages = [];
  if (youOnStage) messages.push(t('classroom.stage.you'));
  if (youHaveFloor) messages.push(t('classroom.floor.you'));
  else if (session.floor != null && session.participant(session.floor)) {
    messages.push(t('classroom.floor.other', { name: session.participant(session.floor).name }));
  }
  notice.textContent = messages.join(' ');
  notice.hidden = messages.length === 0;
}
