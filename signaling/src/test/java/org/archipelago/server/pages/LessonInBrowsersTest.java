package org.archipelago.server.pages;

import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real lesson in real browsers: headless Chromium pages served by the server, signaling over its
 * /ws, media through its forwarding. At most three browsers at a time.
 */
class LessonInBrowsersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Headless Chromium has no screen to share: stand in a canvas capture stream for getDisplayMedia. */
    private static final String FAKE_SCREEN = """
            navigator.mediaDevices.getDisplayMedia = async () => {
              const canvas = document.createElement('canvas');
              canvas.width = 640; canvas.height = 360;
              const context = canvas.getContext('2d');
              let tick = 0;
              setInterval(() => {
                tick++;
                context.fillStyle = `hsl(${tick * 7 % 360}, 60%, 50%)`;
                context.fillRect(0, 0, 640, 360);
                context.fillStyle = '#fff';
                context.font = '48px sans-serif';
                context.fillText('slide ' + tick, 40, 200);
              }, 66);
              return canvas.captureStream(15);
            };
            """;

    /** framesDecoded of the video received on the m-section(s) of a purpose, summed. */
    private static final String FRAMES_FOR_PURPOSE = """
            const purpose = args[0];
            const session = window.archipelago && window.archipelago.session;
            if (!session || !window.archipelago.pc) return 0;
            const mids = new Set(session.transceivers(purpose).map(t => t.mid));
            let frames = 0;
            (await window.archipelago.pc.getStats()).forEach(s => {
              if (s.type === 'inbound-rtp' && s.kind === 'video' && mids.has(s.mid)) frames += s.framesDecoded || 0;
            });
            return frames;
            """;

    /** The receiving side's video stats of a purpose, for a failure message. */
    private static final String INBOUND_FOR_PURPOSE = """
            const purpose = args[0];
            const session = window.archipelago && window.archipelago.session;
            if (!session || !window.archipelago.pc) return 'no session';
            const mids = new Set(session.transceivers(purpose).map(t => t.mid));
            const keys = ['mid', 'ssrc', 'packetsReceived', 'packetsLost', 'framesReceived', 'framesDecoded', 'framesDropped',
              'keyFramesDecoded', 'freezeCount', 'pliCount', 'firCount', 'nackCount', 'frameWidth', 'decoderImplementation'];
            const found = [];
            (await window.archipelago.pc.getStats()).forEach(s => {
              if (s.type === 'inbound-rtp' && s.kind === 'video' && mids.has(s.mid)) found.push(keys.map(k => k + '=' + s[k]).join(' '));
            });
            return found.join('; ');
            """;

    /** The sending side's video stats, for a failure message. */
    private static final String OUTBOUND_VIDEO = """
            if (!window.archipelago || !window.archipelago.pc) return 'no pc';
            const keys = ['mid', 'ssrc', 'packetsSent', 'framesEncoded', 'framesSent', 'keyFramesEncoded', 'pliCount',
              'nackCount', 'retransmittedPacketsSent', 'targetBitrate', 'qualityLimitationReason', 'frameWidth', 'active'];
            const found = [];
            (await window.archipelago.pc.getStats()).forEach(s => {
              if (s.type === 'outbound-rtp' && s.kind === 'video') found.push(keys.map(k => k + '=' + s[k]).join(' '));
              if (s.type === 'remote-inbound-rtp') found.push('remote-inbound ssrc=' + s.ssrc + ' packetsLost=' + s.packetsLost
                + ' fractionLost=' + s.fractionLost + ' roundTripTime=' + s.roundTripTime);
              if (s.type === 'candidate-pair' && s.nominated) found.push('pair availableOutgoingBitrate=' + s.availableOutgoingBitrate);
            });
            return found.join('; ');
            """;

    /** How many of a purpose's m-sections decode video. */
    private static final String DECODING_SLOTS = """
            const purpose = args[0];
            const session = window.archipelago && window.archipelago.session;
            if (!session || !window.archipelago.pc) return 0;
            const mids = new Set(session.transceivers(purpose).map(t => t.mid));
            let slots = 0;
            (await window.archipelago.pc.getStats()).forEach(s => {
              if (s.type === 'inbound-rtp' && s.kind === 'video' && mids.has(s.mid) && (s.framesDecoded || 0) > 5) slots++;
            });
            return slots;
            """;

    @TempDir
    Path dir;

    private ArchipelagoServer server;
    private String base;
    /** The browser whose video the awaited frames come from, for failure messages; null when not known. */
    private ChromiumBrowser sender;

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "http:\n  port: 0\nmedia:\n  port: 0\n");
        server = ArchipelagoServer.start(ServerConfig.load(file));
        base = "http://127.0.0.1:" + server.httpAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static long frames(ChromiumBrowser browser, String purpose) {
        return ((Number) browser.await(FRAMES_FOR_PURPOSE, purpose)).longValue();
    }

    private void awaitFrames(ChromiumBrowser browser, String purpose, long moreThan) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long last;
        while ((last = frames(browser, purpose)) <= moreThan) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(purpose + " decoded " + last + " frames, expected more than " + moreThan
                        + "\n  receiver: " + browser.await(INBOUND_FOR_PURPOSE, purpose)
                        + (sender == null ? "" : "\n  sender: " + sender.await(OUTBOUND_VIDEO)));
            }
            browser.waitFor("true", Duration.ofMillis(200));
        }
    }

    private static void awaitDecodingSlots(ChromiumBrowser browser, String purpose, long count) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (((Number) browser.await(DECODING_SLOTS, purpose)).longValue() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " " + purpose + " slots decode");
            }
            browser.waitFor("true", Duration.ofMillis(200));
        }
    }

    private void join(ChromiumBrowser browser, String page, String name) {
        browser.open(base + "/" + page + "?room=geography&name=" + name);
        browser.waitFor("window.archipelago && window.archipelago.session && window.archipelago.session.joined", TIMEOUT);
    }

    /** A page that publishes its camera and microphone with WHIP, as any browser WHIP tool does. */
    private static final String WHIP_PUBLISH = """
            const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
            const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
            for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
            return await window.negotiate(pc, '/whip/' + args[0]);
            """;

    /** A page that plays a room with WHEP. */
    private static final String WHEP_PLAY = """
            const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
            pc.addTransceiver('audio', { direction: 'recvonly' });
            pc.addTransceiver('video', { direction: 'recvonly' });
            return await window.negotiate(pc, '/whep/' + args[0]);
            """;

    /** Offer, full ICE gathering (the server is ICE-lite), POST, answer; the pc lands in window.archipelago. */
    private static final String NEGOTIATE = """
            window.negotiate = async (pc, path) => {
              window.archipelago = { pc };
              await pc.setLocalDescription(await pc.createOffer());
              await new Promise(resolve => {
                if (pc.iceGatheringState === 'complete') return resolve();
                pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
              });
              const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
              if (response.status !== 201) return response.status + ' ' + await response.text();
              await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
              return response.headers.get('Location');
            };
            """;

    /** WHIP publish from one page and WHEP playback in another (the way OBS-style and browser tools use the server). */
    @Test
    void aWhipPageAndAWhepPageDecodeThroughTheServer() {
        try (ChromiumBrowser publisher = new ChromiumBrowser(); ChromiumBrowser player = new ChromiumBrowser()) {
            for (ChromiumBrowser browser : new ChromiumBrowser[] {publisher, player}) {
                browser.beforeEachPage(NEGOTIATE);
                browser.open(base + "/");
            }
            String published = (String) publisher.await(WHIP_PUBLISH, "tools");
            assertTrue(published.startsWith("/whip/tools/"), published);
            String playing = (String) player.await(WHEP_PLAY, "tools");
            assertTrue(playing.startsWith("/whep/tools/"), playing);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (player.framesDecoded() <= 20) {
                assertTrue(System.nanoTime() < deadline, "the WHEP page decodes the WHIP page's video");
                player.waitFor("true", Duration.ofMillis(200));
            }
        }
    }

    @Test
    void aTeacherAndTwoClassroomsHoldALesson() {
        try (ChromiumBrowser teacher = new ChromiumBrowser();
             ChromiumBrowser lanyu = new ChromiumBrowser();
             ChromiumBrowser kinmen = new ChromiumBrowser()) {
            sender = teacher;
            teacher.beforeEachPage(FAKE_SCREEN);
            join(teacher, "teacher.html", "Ms%20Lin");
            join(lanyu, "classroom.html", "Lanyu");
            join(kinmen, "classroom.html", "Kinmen");

            // Both classrooms decode the teacher's camera; the teacher decodes both classrooms.
            awaitFrames(lanyu, "teacher-camera", 10);
            awaitFrames(kinmen, "teacher-camera", 10);
            awaitDecodingSlots(teacher, "classroom-video", 2);
            assertEquals(2L, teacher.script("return document.querySelectorAll('#classroom-grid li.tile').length;"));

            // A screen share reaches the classrooms; stopped and started again, it reaches them again.
            teacher.click("#screen-button");
            awaitFrames(lanyu, "teacher-screen", 10);
            awaitFrames(kinmen, "teacher-screen", 10);
            teacher.click("#screen-button");
            lanyu.waitFor("window.archipelago.session.screen === false", TIMEOUT);
            long beforeRestart = frames(kinmen, "teacher-screen");
            teacher.click("#screen-button");
            kinmen.waitFor("window.archipelago.session.screen === true", TIMEOUT);
            awaitFrames(kinmen, "teacher-screen", beforeRestart + 10);

            // Lanyu on stage reaches Kinmen; off stage, Kinmen is told.
            // The tile is marked first: the same element must survive the stage changes (a tile is
            // only rebuilt when its classroom leaves).
            String lanyuId = (String) lanyu.script("return window.archipelago.session.id;");
            String lanyuTile = "li.tile[data-participant='" + lanyuId + "']";
            teacher.script("document.querySelector(arguments[0]).dataset.marked = 'yes';", lanyuTile);
            teacher.click(lanyuTile + " .stage-button");
            kinmen.waitFor("window.archipelago.session.stage === '" + lanyuId + "'", TIMEOUT);
            sender = lanyu;
            awaitFrames(kinmen, "stage-video", 10);
            teacher.click(lanyuTile + "[data-marked='yes'] .stage-button");
            kinmen.waitFor("window.archipelago.session.stage === null", TIMEOUT);

            // A classroom that leaves disappears from the teacher's grid within 2 s.
            kinmen.close();
            teacher.waitFor("document.querySelectorAll('#classroom-grid li.tile').length === 1", Duration.ofSeconds(2));
            assertTrue(lanyu.waitFor("window.archipelago.session.participants.size === 1", Duration.ofSeconds(2)) != null);
            teacher.screenshot(Path.of("target", "lesson-screenshots", "teacher.png"));
            lanyu.screenshot(Path.of("target", "lesson-screenshots", "classroom.png"));
        }
    }
}
