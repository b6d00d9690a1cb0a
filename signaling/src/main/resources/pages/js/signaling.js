// The /ws WebSocket of docs/signaling.md: text frames, one JSON object each, every one with a type.
//
// Events (an EventTarget; each event's detail is the message object):
//   "message:<type>" for every server message (joined, participant-joined, participant-left, slots,
//   stage, floor, screen, error), "open", and "close" ({code, reason, opened}).

export class Signaling extends EventTarget {
  /** @param url ws:// or wss:// URL; by default /ws on the page's own host */
  constructor(url = Signaling.defaultUrl()) {
    super();
    this.url = url;
    this.socket = null;
    this.opened = false;
  }

  static defaultUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  /** Opens the socket; resolves once it is open, rejects if it never opens. */
  connect() {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocket(this.url);
      } catch (error) {
        reject(error);
        return;
      }
      this.socket = socket;
      socket.addEventListener('open', () => {
        this.opened = true;
        this.dispatchEvent(new CustomEvent('open'));
        resolve();
      });
      socket.addEventListener('message', (event) => this.receive(event.data));
      socket.addEventListener('close', (event) => {
        const wasOpen = this.opened;
        this.opened = false;
        this.dispatchEvent(new CustomEvent('close', { detail: { code: event.code, reason: event.reason, opened: wasOpen } }));
        if (!wasOpen) reject(new Error('WebSocket closed before opening (' + event.code + ')'));
      });
    });
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('archipelago: ignoring a frame that is not JSON', data);
      return;
    }
    if (!message || typeof message.type !== 'string') {
      console.warn('archipelago: ignoring a message without a type', message);
      return;
    }
    this.dispatchEvent(new CustomEvent('message:' + message.type, { detail: message }));
  }

  /** Sends one message; false when the socket is not open. */
  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  on(type, listener) {
    this.addEventListener('message:' + type, (event) => listener(event.detail));
  }

  /** Says goodbye (leave) and closes. */
  close() {
    this.send({ type: 'leave' });
    if (this.socket) this.socket.close(1000);
  }
}
