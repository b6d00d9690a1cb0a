package org.archipelago.server.pages;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages through a whole lesson against {@link FakeLessonServer}: what they send on /ws, how they
 * lay out their one offer, and what they show as the server's messages arrive, with real media
 * decoded in headless Chromium.
 */
class PagesBrowserLessonTest {
    private static final Path SCREENSHOTS = Path.of("target", "pages-screenshots");
    private static final String PARTICIPANTS = """
            [{"id": "t1", "role": "teacher", "name": "Ms Lin"},
             {"id": "c1", "role": "classroom", "name": "Lanyu Elementary"},
             {"id": "c2", "role": "classroom", "name": "Green Island Grade 4"},
             {"id": "o1", "role": "observer", "name": "Principal"}]""";
    private static StaticPagesServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = new StaticPagesServer();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void teacherJoinsWithTheDocumentedLayoutAndRunsTheClassrooms() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.beforeEachPage(FakeLessonServer.script(
                    "{\"id\": \"t1\", \"participants\": " + PARTICIPANTS + ", \"stage\": null, \"floor\": null, \"screen\": false}"));
            browser.open(server.url("/teacher.html?room=lanyu-4&name=Ms%20Lin"));

            Map<String, Object> join = sent(browser, 0);
            assertEquals("join", join.get("type"));
            assertEquals("lanyu-4", join.get("room"));
            assertEquals("teacher", join.get("role"));
            assertEquals("Ms Lin", join.get("name"));
            assertFalse(join.containsKey("token"));
            assertEquals(List.of("microphone", "camera", "screen",
                    "classroom-video", "classroom-audio", "classroom-video", "classroom-audio",
                    "classroom-video", "classroom-audio", "classroom-video", "classroom-audio"), purposes(join));
            assertEquals(List.of("sendrecv", "sendonly", "sendonly",
                    "recvonly", "recvonly", "recvonly", "recvonly", "recvonly", "recvonly", "recvonly", "recvonly"),
                    offeredDirections(browser, join));
            assertTrue(((String) join.get("sdp")).contains("a=candidate:"), "the offer carries its candidates");

            browser.waitFor("document.getElementById('connection').dataset.state === 'live'");
            browser.waitFor("document.querySelectorAll('#classroom-grid .tile').length === 2");
            assertEquals(List.of("Lanyu Elementary", "Green Island Grade 4"),
                    browser.script("return [...document.querySelectorAll('.tile-name')].map(e => e.textContent)"));
            assertEquals("2 classroom(s) · 1 observer(s)", browser.driver().findElement(By.id("classroom-count")).getText());
            // the slot's video reaches its tile, and frames are decoded
            browser.waitFor("document.querySelector('[data-participant=c2] video').videoWidth > 0");
            browser.waitFor("document.querySelector('[data-participant=c1] .quality').dataset.level !== 'unknown'");
            assertTrue(browser.framesDecoded() > 0);

            browser.driver().findElement(By.cssSelector("[data-participant=c1] .stage-button")).click();
            browser.waitFor("document.querySelector('[data-participant=c1]').classList.contains('on-stage')");
            assertEquals("Take off stage", browser.driver().findElement(By.cssSelector("[data-participant=c1] .stage-button")).getText());
            browser.driver().findElement(By.cssSelector("[data-participant=c2] .floor-button")).click();
            browser.waitFor("document.querySelector('[data-participant=c2]').classList.contains('has-floor')");
            browser.screenshot(SCREENSHOTS.resolve("teacher-live.png"));
            browser.driver().findElement(By.cssSelector("[data-participant=c1] .stage-button")).click();
            browser.waitFor("!document.querySelector('[data-participant=c1]').classList.contains('on-stage')");
            assertEquals(List.of(
                    Map.of("type", "stage", "participant", "c1"),
                    Map.of("type", "floor", "participant", "c2"),
                    nullParticipant("stage")), sentAfterJoin(browser));

            browser.script("window.fakeServer.deliver({type: 'participant-left', id: 'c2', reason: 'left'})");
            browser.waitFor("document.querySelectorAll('#classroom-grid .tile').length === 1");
            assertEquals("1 classroom(s) · 1 observer(s)", browser.driver().findElement(By.id("classroom-count")).getText());

            browser.script("window.fakeServer.deliver({type: 'error', code: 'not-teacher', message: 'only the teacher may do that'})");
            browser.waitFor("!document.getElementById('errors').hidden");
            assertEquals("Error not-teacher: only the teacher may do that", browser.driver().findElement(By.cssSelector("#errors .error-item")).getText());
            assertEquals("live", browser.script("return document.getElementById('connection').dataset.state"));

            browser.driver().manage().window().setSize(new Dimension(420, 900));
            browser.waitFor("innerWidth <= 420");
            browser.screenshot(SCREENSHOTS.resolve("teacher-narrow.png"));
        }
    }

    @Test
    void teacherSharesTheScreenOnThePreOfferedSectionWithoutANewOffer() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.beforeEachPage(FakeLessonServer.script(
                    "{\"id\": \"t1\", \"participants\": [{\"id\": \"t1\", \"role\": \"teacher\", \"name\": \"Ms Lin\"}]}"));
            browser.open(server.url("/teacher.html?room=lanyu-4&name=Ms%20Lin&token=a.b.c"));
            assertEquals("a.b.c", sent(browser, 0).get("token"));
            assertEquals("?room=lanyu-4&name=Ms+Lin", browser.script("return location.search"), "the token leaves the address bar");
            browser.waitFor("document.getElementById('connection').dataset.state === 'live'");
            browser.driver().findElement(By.id("screen-button")).click();
            browser.waitFor("window.fakeServer.sent.some(m => m.type === 'screen' && m.on === true)");
            assertEquals("Stop sharing", browser.driver().findElement(By.id("screen-button")).getText());
            // the SFU side decodes the screen on the mid the page named "screen"
            Object screenFrames = browser.await("""
                    const mid = window.fakeServer.layout.find(e => e.purpose === 'screen').mid;
                    const deadline = Date.now() + 15000;
                    while (Date.now() < deadline) {
                      const transceiver = window.fakeServer.pc.getTransceivers().find(t => t.mid === mid);
                      let frames = 0;
                      (await transceiver.receiver.getStats()).forEach(s => {
                        if (s.type === 'inbound-rtp') frames = s.framesDecoded || 0; });
                      if (frames > 0) return frames;
                      await new Promise(resolve => requestAnimationFrame(resolve));
                    }
                    return 0;""");
            assertTrue(((Number) screenFrames).longValue() > 0, "screen frames decoded by the far end");
            assertEquals(1L, browser.script("return window.fakeServer.sent.filter(m => m.type === 'join').length"));

            browser.driver().findElement(By.id("screen-button")).click();
            browser.waitFor("window.fakeServer.sent.some(m => m.type === 'screen' && m.on === false)");
            assertEquals(Boolean.TRUE, browser.script(
                    "return window.archipelago.session.transceiver('screen').sender.track === null"));
            assertEquals("Share screen", browser.driver().findElement(By.id("screen-button")).getText());
        }
    }

    @Test
    void classroomShowsTheTeachersScreenCameraAndStage() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.beforeEachPage(FakeLessonServer.script(
                    "{\"id\": \"c1\", \"participants\": " + PARTICIPANTS + ", \"stage\": \"c2\", \"floor\": \"c1\", \"screen\": true}"));
            browser.open(server.url("/classroom.html?room=lanyu-4&name=Lanyu%20Elementary&role=classroom"));

            Map<String, Object> join = sent(browser, 0);
            assertEquals("classroom", join.get("role"));
            assertEquals(List.of("microphone", "camera", "teacher-camera", "teacher-screen", "stage-video", "stage-audio"), purposes(join));
            assertEquals(List.of("sendrecv", "sendonly", "recvonly", "recvonly", "recvonly", "recvonly"), offeredDirections(browser, join));

            browser.waitFor("document.getElementById('connection').dataset.state === 'live'");
            for (String video : new String[] {"teacher-screen", "teacher-camera", "stage-video", "preview"}) {
                browser.waitFor("document.getElementById('" + video + "').videoWidth > 0");
            }
            assertEquals("on", browser.script("return document.getElementById('stage-layout').dataset.screen"));
            assertEquals("· Green Island Grade 4", browser.driver().findElement(By.id("stage-name")).getText());
            assertEquals("You have the floor — everyone hears you.", browser.driver().findElement(By.id("notice")).getText());
            browser.screenshot(SCREENSHOTS.resolve("classroom-live.png"));

            browser.script("window.fakeServer.deliver({type: 'screen', on: false})");
            browser.waitFor("document.getElementById('stage-layout').dataset.screen === 'off'");
            assertFalse(browser.driver().findElement(By.id("screen-panel")).isDisplayed());
            browser.script("window.fakeServer.deliver({type: 'stage', participant: null})");
            browser.waitFor("document.getElementById('stage-name').textContent === ''");
            assertEquals("hidden", browser.script("return getComputedStyle(document.getElementById('stage-video')).visibility"));
            assertEquals("No classroom on stage", browser.driver().findElement(By.id("stage-placeholder")).getText());
            browser.screenshot(SCREENSHOTS.resolve("classroom-no-screen.png"));
            assertEquals(1L, browser.script("return window.fakeServer.sent.length"), "a classroom sends nothing but join");
        }
    }

    @Test
    void observerSendsNothing() {
        try (ChromiumBrowser browser = new ChromiumBrowser("zh-TW")) {
            browser.beforeEachPage(FakeLessonServer.script(
                    "{\"id\": \"o1\", \"participants\": " + PARTICIPANTS + ", \"stage\": null, \"floor\": null, \"screen\": true}"));
            browser.open(server.url("/classroom.html?room=lanyu-4&name=Principal&role=observer"));

            Map<String, Object> join = sent(browser, 0);
            assertEquals("observer", join.get("role"));
            assertEquals(List.of("microphone", "teacher-camera", "teacher-screen", "stage-video", "stage-audio"), purposes(join));
            assertEquals(List.of("recvonly", "recvonly", "recvonly", "recvonly", "recvonly"), offeredDirections(browser, join));
            browser.waitFor("document.getElementById('connection').dataset.state === 'live'");
            browser.waitFor("document.getElementById('teacher-screen').videoWidth > 0");
            assertEquals("直播中", browser.driver().findElement(By.cssSelector("#connection .state-label")).getText());
            assertFalse(browser.driver().findElement(By.id("preview-panel")).isDisplayed());
            assertEquals(0L, browser.script("return window.archipelago.pc.getSenders().filter(s => s.track).length"));
            browser.screenshot(SCREENSHOTS.resolve("observer-live-zh-TW.png"));
        }
    }

    private static Map<String, Object> nullParticipant(String type) {
        Map<String, Object> message = new HashMap<>();
        message.put("type", type);
        message.put("participant", null);
        return message;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sent(ChromiumBrowser browser, int index) {
        browser.waitFor("window.fakeServer && window.fakeServer.sent.length > " + index);
        Map<String, Object> message = (Map<String, Object>) browser.script("return window.fakeServer.sent[" + index + "]");
        assertNotNull(message);
        return message;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> sentAfterJoin(ChromiumBrowser browser) {
        return (List<Object>) browser.script("return window.fakeServer.sent.slice(1)");
    }

    @SuppressWarnings("unchecked")
    private static List<String> purposes(Map<String, Object> join) {
        return ((List<Map<String, Object>>) join.get("layout")).stream().map(e -> (String) e.get("purpose")).toList();
    }

    /** The direction the offer gives each layout entry, found by the entry's mid in the SDP. */
    @SuppressWarnings("unchecked")
    private static List<String> offeredDirections(ChromiumBrowser browser, Map<String, Object> join) {
        return (List<String>) browser.script("""
                const join = arguments[0];
                const sections = join.sdp.split(/\\r\\n(?=m=)/).slice(1);
                return join.layout.map(entry => {
                  const section = sections.find(s => s.includes('\\r\\na=mid:' + entry.mid + '\\r\\n'));
                  return section ? (section.match(/a=(sendrecv|sendonly|recvonly|inactive)/) || [])[1] : 'missing';
                });""", join);
    }
}
