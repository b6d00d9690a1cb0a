// Small DOM helpers shared by the pages: element creation, the connection-state bar, the error
// area, and playing received media (with a "turn on sound" button when autoplay is refused).

import { t } from './i18n.js';

/** document.createElement with attributes ({class, text, i18n, …}) and children. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'i18n') {
      element.dataset.i18n = value;
      element.textContent = t(value);
    } else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children);
  return element;
}

/**
 * The page's query parameters: room, name, role, token. A token is moved out of the address bar
 * (into this tab's sessionStorage, so Rejoin still has it): it should not linger in history or be
 * shown on a projected screen.
 */
export function joinParameters() {
  const query = new URLSearchParams(location.search);
  const room = query.get('room') || '';
  const tokenKey = 'archipelago.token.' + room;
  let token = query.get('token') || '';
  try {
    if (token) {
      sessionStorage.setItem(tokenKey, token);
      query.delete('token');
      history.replaceState(history.state, '', location.pathname + '?' + query + location.hash);
    } else {
      token = sessionStorage.getItem(tokenKey) || '';
    }
  } catch {
    // storage disabled: the token stays in the address bar
  }
  return { room, name: query.get('name') || '', role: query.get('role') || '', token };
}

/**
 * The connection-state bar: one element with data-state (starting, connecting, joining, media,
 * live, reconnecting, disconnected, error) and the matching text; details (an error message) below.
 */
export class ConnectionState {
  constructor(element) {
    this.element = element;
    this.state = 'starting';
    this.detail = null; // {key, params} or {text}
    this.render();
    document.addEventListener('languagechange', () => this.render());
  }

  set(state, detail = null) {
    this.state = state;
    this.detail = detail;
    this.render();
  }

  render() {
    const label = this.element.querySelector('.state-label');
    const detail = this.element.querySelector('.state-detail');
    this.element.dataset.state = this.state;
    label.textContent = t('state.' + this.state);
    if (!this.detail) detail.textContent = '';
    else if (this.detail.key) detail.textContent = t(this.detail.key, this.detail.params);
    else detail.textContent = this.detail.text;
    const actions = this.element.querySelector('.state-actions');
    if (actions) actions.hidden = !(this.state === 'error' || this.state === 'disconnected');
  }
}

/** Shows an error from the server (code + message) in the alert area; keeps the last few. */
export function showServerError(area, code, message) {
  const item = el('p', { class: 'error-item' });
  item.dataset.code = code;
  const render = () => { item.textContent = t('error.format', { code, message }); };
  render();
  document.addEventListener('languagechange', render);
  area.prepend(item);
  while (area.children.length > 3) area.lastElementChild.remove();
  area.hidden = false;
}

const blocked = new Set();
let soundButton = null;

/** Plays a media element; when the browser refuses autoplay with sound, offers a button. */
export function play(media) {
  const attempt = media.play();
  if (!attempt) return;
  attempt.catch((error) => {
    if (error.name !== 'NotAllowedError') return;
    blocked.add(media);
    if (!soundButton) {
      soundButton = el('button', { type: 'button', class: 'sound-button', i18n: 'sound.enable' });
      soundButton.addEventListener('click', () => {
        for (const element of blocked) element.play().catch(() => {});
        blocked.clear();
        soundButton.remove();
        soundButton = null;
      });
      document.body.append(soundButton);
    }
  });
}

/** Puts tracks on a <video>/<audio>, reusing its MediaStream, and plays it. */
export function attachTrack(media, track) {
  let stream = media.srcObject;
  if (!(stream instanceof MediaStream)) {
    stream = new MediaStream();
    media.srcObject = stream;
  }
  for (const old of stream.getTracks()) {
    if (old.kind === track.kind && old !== track) stream.removeTrack(old);
  }
  if (!stream.getTracks().includes(track)) stream.addTrack(track);
  play(media);
}

/**
 * Hides an element's "no video" placeholder while its video shows frames, and shows it again when
 * they stop. A remote track's `muted` flag is not a reliable signal on its own (browsers differ on
 * when they unmute a track whose transceiver was negotiated before media flowed), so frames actually
 * painted in the last few seconds count too.
 */
export function watchVideo(video, container) {
  const STALE_MS = 3000;
  let paintedFrames = 0;
  let lastPaint = 0;
  const update = () => {
    const track = video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0] : null;
    const quality = typeof video.getVideoPlaybackQuality === 'function' ? video.getVideoPlaybackQuality() : null;
    const frames = quality ? quality.totalVideoFrames : 0;
    if (frames > paintedFrames) {
      paintedFrames = frames;
      lastPaint = performance.now();
    }
    const live = Boolean(track && track.readyState === 'live' && video.videoWidth > 0);
    const fresh = performance.now() - lastPaint < STALE_MS;
    container.classList.toggle('has-video', live && (!track.muted || fresh));
  };
  for (const event of ['loadeddata', 'resize', 'playing', 'emptied']) video.addEventListener(event, update);
  setInterval(update, 1000);
  update();
}
