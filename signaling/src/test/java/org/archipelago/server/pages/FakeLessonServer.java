package org.archipelago.server.pages;

/**
 * A stand-in for the lesson server, injected into every page before its scripts run: it replaces
 * {@code window.WebSocket} with an in-page socket whose far end answers like {@code /ws} of
 * docs/signaling.md, with a real {@code RTCPeerConnection} as the SFU, so the pages' media is
 * negotiated and flows over loopback.
 *
 * <p>On {@code join} it answers the offer (sending the fake camera on every m-section the page
 * receives, and receiving what it sends), then says {@code joined} with the scenario's
 * participants and state, then {@code slots} filling the teacher's classroom slots in order. It
 * echoes {@code stage}, {@code floor} and {@code screen} as a server would. Tests read what the page
 * sent from {@code window.fakeServer.sent} and push server messages with
 * {@code window.fakeServer.deliver(message)}.
 *
 * <p>{@code navigator.mediaDevices.getDisplayMedia} is replaced by a canvas capture, since headless
 * Chromium has no screen to pick.
 */
final class FakeLessonServer {
    private FakeLessonServer() {
    }

    /**
     * @param scenarioJson {@code {id, participants: [{id, role, name}], stage, floor, screen}}
     */
    static String script(String scenarioJson) {
        return SCRIPT.replace("/*SCENARIO*/null", scenarioJson);
    }

    private static final String SCRIPT = """
            (() => {
              const scenario = /*SCENARIO*/null;
              const fake = { sent: [], socket: null, pc: null, layout: null, slots: {}, joined: false };
              window.fakeServer = fake;

              fake.deliver = (message) => {
                fake.socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
              };

              fake.answerJoin = async (join) => {
                const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
                const pc = new RTCPeerConnection();
                fake.pc = pc;
                fake.layout = join.layout;
                await pc.setRemoteDescription({ type: 'offer', sdp: join.sdp });
                for (const transceiver of pc.getTransceivers()) {
                  const offered = transceiver.receiver.track.kind;
                  const track = offered === 'audio' ? media.getAudioTracks()[0] : media.getVideoTracks()[0];
                  const purpose = join.layout.find((entry) => entry.mid === transceiver.mid)?.purpose;
                  const pageSends = ['microphone', 'camera', 'screen'].includes(purpose) && join.role !== 'observer';
                  const pageReceives = !['camera', 'screen'].includes(purpose);
                  transceiver.direction = pageSends && pageReceives ? 'sendrecv' : pageSends ? 'recvonly' : 'sendonly';
                  if (pageReceives) await transceiver.sender.replaceTrack(track);
                }
                await pc.setLocalDescription(await pc.createAnswer());
                if (pc.iceGatheringState !== 'complete') {
                  await new Promise((resolve) => pc.addEventListener('icegatheringstatechange',
                    () => pc.iceGatheringState === 'complete' && resolve()));
                }
                fake.joined = true;
                fake.deliver({ type: 'joined', id: scenario.id, sdp: pc.localDescription.sdp,
                  participants: scenario.participants, stage: scenario.stage ?? null,
                  floor: scenario.floor ?? null, screen: Boolean(scenario.screen) });
                if (join.role === 'teacher') {
                  const classrooms = scenario.participants.filter((p) => p.role === 'classroom');
                  const videos = join.layout.filter((e) => e.purpose === 'classroom-video');
                  const audios = join.layout.filter((e) => e.purpose === 'classroom-audio');
                  videos.forEach((entry, i) => { fake.slots[entry.mid] = classrooms[i]?.id ?? null; });
                  audios.forEach((entry, i) => { fake.slots[entry.mid] = classrooms[i]?.id ?? null; });
                  fake.deliver({ type: 'slots', slots: fake.slots });
                }
              };

              class FakeWebSocket extends EventTarget {
                static CONNECTING = 0;
                static OPEN = 1;
                static CLOSING = 2;
                static CLOSED = 3;
                constructor(url) {
                  super();
                  this.url = url;
                  this.readyState = 0;
                  fake.socket = this;
                  setTimeout(() => { this.readyState = 1; this.dispatchEvent(new Event('open')); }, 0);
                }
                send(data) {
                  const message = JSON.parse(data);
                  fake.sent.push(message);
                  if (message.type === 'join') {
                    fake.answerJoin(message).catch((error) => {
                      fake.failure = String(error);
                      this.dispatchEvent(new MessageEvent('message',
                        { data: JSON.stringify({ type: 'error', code: 'offer-rejected', message: String(error) }) }));
                    });
                  } else if (['stage', 'floor', 'screen'].includes(message.type)) {
                    setTimeout(() => fake.deliver(message), 0);
                  }
                }
                close(code = 1000) {
                  if (this.readyState === 3) return;
                  this.readyState = 3;
                  this.dispatchEvent(new CloseEvent('close', { code, reason: '' }));
                }
              }
              window.WebSocket = FakeWebSocket;

              if (navigator.mediaDevices) {
                navigator.mediaDevices.getDisplayMedia = async () => {
                  const canvas = document.createElement('canvas');
                  canvas.width = 640;
                  canvas.height = 360;
                  const context = canvas.getContext('2d');
                  let frame = 0;
                  const draw = () => {
                    context.fillStyle = '#234';
                    context.fillRect(0, 0, 640, 360);
                    context.fillStyle = '#fc0';
                    context.fillRect((frame++ * 7) % 600, 150, 40, 40);
                  };
                  draw();
                  setInterval(draw, 66);
                  return canvas.captureStream(15);
                };
              }
            })();
            """;
}
