// One participant's session: the RTCPeerConnection with every m-section it will ever use, and the
// /ws conversation of docs/signaling.md.
//
//   1. addTransceiver() for every entry of the page's layout, in order (directions as given);
//   2. createOffer + setLocalDescription, then wait for ICE gathering to complete: the server is
//      ICE-lite and takes no trickled candidates, so the offer carries them all;
//   3. join {room, role, name, token?, sdp, layout: [{mid, purpose}]}, mids read from
//      transceiver.mid after setLocalDescription;
//   4. joined {id, sdp, participants, stage, floor, screen} → setRemoteDescription(answer);
//   5. received tracks are told apart by mid: ontrack → event.transceiver.mid → purpose.
//
// Events (detail in brackets): "track" {purpose, mid, track, transceiver}, "joined", "participants",
// "stage" {participant}, "floor" {participant}, "screen" {on}, "slots" {slots}, "server-error" {code, message}.

import { Signaling } from './signaling.js';

const GATHERING_TIMEOUT_MS = 5000;

export class LessonSession extends EventTarget {
  /**
   * @param options.room, options.name, options.role, options.token  the join fields
   * @param options.layout  [{purpose, kind: 'audio'|'video', direction, track?, stream?}] in offer order
   * @param options.state   a ConnectionState (ui.js)
   */
  constructor({ room, name, role, token, layout, state, signaling = new Signaling() }) {
    super();
    this.join = { room, name, role, token };
    this.layoutSpec = layout;
    this.state = state;
    this.signaling = signaling;
    this.pc = null;
    this.id = null;
    this.joined = false;
    this.participants = new Map(); // id → {id, role, name}
    this.stage = null;
    this.floor = null;
    this.screen = false;
    this.slots = {};
    this.purposeByMid = new Map();
    this.entries = []; // [{purpose, transceiver}]
  }

  /** The transceivers made for a purpose, in offer order. */
  transceivers(purpose) {
    return this.entries.filter((entry) => entry.purpose === purpose).map((entry) => entry.transceiver);
  }

  transceiver(purpose) {
    return this.transceivers(purpose)[0] || null;
  }

  participant(id) {
    return id == null ? null : this.participants.get(id) || null;
  }

  /** Sends a message to the server (stage, floor, screen); false when not connected. */
  send(message) {
    return this.signaling.send(message);
  }

  async start() {
    this.state.set('preparing');
    const offer = this.prepareOffer();
    offer.catch(() => {}); // reported below, once the socket is open
    const connected = this.signaling.connect();
    this.listen();
    try {
      await connected;
    } catch {
      this.state.set('error', { key: 'state.unreachable' });
      this.fail();
      return;
    }
    let sdp;
    try {
      sdp = await offer;
    } catch (error) {
      this.state.set('error', { text: String(error.message || error) });
      this.fail();
      return;
    }
    this.state.set('joining');
    const join = {
      type: 'join',
      room: this.join.room,
      role: this.join.role,
      name: this.join.name,
      sdp,
      layout: this.entries.map((entry) => ({ mid: entry.transceiver.mid, purpose: entry.purpose })),
    };
    if (this.join.token) join.token = this.join.token;
    this.signaling.send(join);
  }

  /** Builds the peer connection and its one offer; resolves with the SDP once ICE gathering is done. */
  async prepareOffer() {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    if (window.archipelago) window.archipelago.pc = pc;
    for (const spec of this.layoutSpec) {
      const init = { direction: spec.direction };
      if (spec.stream) init.streams = [spec.stream];
      const transceiver = pc.addTransceiver(spec.track || spec.kind, init);
      this.entries.push({ purpose: spec.purpose, transceiver });
    }
    pc.addEventListener('track', (event) => {
      const mid = event.transceiver.mid;
      const purpose = this.purposeByMid.get(mid) || this.entries.find((e) => e.transceiver === event.transceiver)?.purpose;
      if (!purpose) return;
      this.emit('track', { purpose, mid, track: event.track, transceiver: event.transceiver });
    });
    pc.addEventListener('connectionstatechange', () => this.mediaStateChanged());
    await pc.setLocalDescription(await pc.createOffer());
    for (const entry of this.entries) this.purposeByMid.set(entry.transceiver.mid, entry.purpose);
    await iceGatheringComplete(pc, GATHERING_TIMEOUT_MS);
    return pc.localDescription.sdp;
  }

  listen() {
    const s = this.signaling;
    s.on('joined', (message) => this.onJoined(message));
    s.on('participant-joined', (message) => {
      this.participants.set(message.id, { id: message.id, role: message.role, name: message.name });
      this.emit('participants');
    });
    s.on('participant-left', (message) => {
      this.participants.delete(message.id);
      if (this.stage === message.id) this.stage = null;
      if (this.floor === message.id) this.floor = null;
      this.emit('participants');
    });
    s.on('slots', (message) => {
      this.slots = message.slots || {};
      this.emit('slots', { slots: this.slots });
    });
    s.on('stage', (message) => {
      this.stage = message.participant ?? null;
      this.emit('stage', { participant: this.stage });
    });
    s.on('floor', (message) => {
      this.floor = message.participant ?? null;
      this.emit('floor', { participant: this.floor });
    });
    s.on('screen', (message) => {
      this.screen = Boolean(message.on);
      this.emit('screen', { on: this.screen });
    });
    s.on('error', (message) => {
      const code = String(message.code || 'error');
      const text = String(message.message || '');
      if (!this.joined) {
        this.state.set('error', { key: 'error.format', params: { code, message: text } });
      }
      this.emit('server-error', { code, message: text });
    });
    s.addEventListener('close', (event) => {
      if (!event.detail.opened) return; // never opened: start() reports it
      if (this.state.state !== 'error') this.state.set('disconnected', { key: 'state.closed' });
      this.fail();
    });
    window.addEventListener('pagehide', () => this.close());
  }

  async onJoined(message) {
    this.id = message.id;
    this.joined = true;
    this.participants.clear();
    for (const p of message.participants || []) this.participants.set(p.id, { id: p.id, role: p.role, name: p.name });
    this.stage = message.stage ?? null;
    this.floor = message.floor ?? null;
    this.screen = Boolean(message.screen);
    this.state.set('media');
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
    } catch (error) {
      this.state.set('error', { text: String(error.message || error) });
      return;
    }
    this.emit('joined', message);
    this.emit('participants');
    this.emit('stage', { participant: this.stage });
    this.emit('floor', { participant: this.floor });
    this.emit('screen', { on: this.screen });
    this.mediaStateChanged();
  }

  mediaStateChanged() {
    if (!this.joined || !this.pc || ['error', 'disconnected'].includes(this.state.state)) return;
    switch (this.pc.connectionState) {
      case 'connected': this.state.set('live'); break;
      case 'disconnected': this.state.set('reconnecting'); break;
      case 'failed': this.state.set('error', { key: 'state.disconnected' }); break;
      default: this.state.set('media');
    }
  }

  fail() {
    if (this.pc && this.pc.signalingState !== 'closed') this.pc.close();
  }

  close() {
    this.signaling.close();
    this.fail();
  }

  emit(type, detail = null) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function iceGatheringComplete(pc, timeoutMs) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs); // send what was gathered rather than hang
    function done() {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() {
      if (pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icegatheringstatechange', check);
  });
}
