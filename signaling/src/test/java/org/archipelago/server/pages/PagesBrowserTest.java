package org.archipelago.server.pages;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages in a real headless Chromium, served by {@link StaticPagesServer} (pages only, no /ws).
 * Screenshots land in {@code target/pages-screenshots/}.
 */
class PagesBrowserTest {
    private static final Path SCREENSHOTS = Path.of("target", "pages-screenshots");
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
    void landingPageIsInEnglishByDefault() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.open(server.url("/"));
            browser.waitFor("document.querySelector('#join-button').textContent === 'Join'");
            assertEquals("en", browser.script("return document.documentElement.lang"));
            assertEquals("Join a lesson", text(browser, "h1"));
            assertEquals("Room", text(browser, "label[for=room]"));
            assertEquals("true", browser.driver().findElement(By.cssSelector("button[data-lang=en]")).getAttribute("aria-pressed"));
            // on loopback no token is needed: the field waits behind its toggle
            assertTrue((Boolean) browser.script("return document.getElementById('token-field').hidden"));
            browser.screenshot(SCREENSHOTS.resolve("landing-en.png"));
        }
    }

    @Test
    void landingPageIsInChineseForZhTw() {
        try (ChromiumBrowser browser = new ChromiumBrowser("zh-TW")) {
            browser.open(server.url("/?token=abc.def.ghi"));
            browser.waitFor("document.querySelector('#join-button').textContent === '加入'");
            assertEquals("zh-TW", browser.script("return document.documentElement.lang"));
            assertEquals("加入課堂", text(browser, "h1"));
            assertEquals("教室代號", text(browser, "label[for=room]"));
            // ?token= shows the field, filled in
            assertEquals(Boolean.FALSE, browser.script("return document.getElementById('token-field').hidden"));
            assertEquals("abc.def.ghi", browser.script("return document.getElementById('token').value"));
            browser.screenshot(SCREENSHOTS.resolve("landing-zh-TW.png"));
        }
    }

    @Test
    void languageSwitchTranslatesThePageAndIsRemembered() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.open(server.url("/"));
            browser.waitFor("document.querySelector('#join-button').textContent === 'Join'");
            browser.driver().findElement(By.cssSelector("button[data-lang='zh-TW']")).click();
            browser.waitFor("document.querySelector('h1').textContent === '加入課堂'");
            assertEquals("zh-TW", browser.script("return document.documentElement.lang"));
            assertEquals("true", browser.driver().findElement(By.cssSelector("button[data-lang='zh-TW']")).getAttribute("aria-pressed"));

            browser.open(server.url("/teacher.html"));
            browser.waitFor("document.querySelector('#screen-button').textContent === '分享螢幕'");

            browser.driver().findElement(By.cssSelector("button[data-lang=en]")).click();
            browser.waitFor("document.querySelector('#screen-button').textContent === 'Share screen'");
            browser.open(server.url("/"));
            browser.waitFor("document.querySelector('h1').textContent === 'Join a lesson'");
        }
    }

    @Test
    void joinFormValidatesThenNavigatesWithTheQuery() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.open(server.url("/"));
            browser.waitFor("document.querySelector('#join-button').textContent === 'Join'");
            type(browser, "room", "Lanyu island");  // a space is not allowed in a room name
            type(browser, "name", "林老師 Ms. Lin");
            browser.driver().findElement(By.cssSelector("input[name=role][value=teacher]")).click();
            browser.driver().findElement(By.id("join-button")).click();
            browser.waitFor("document.getElementById('room-error').textContent.length > 0");
            assertEquals("true", browser.driver().findElement(By.id("room")).getAttribute("aria-invalid"));
            assertTrue(browser.currentUrl().endsWith("/"), browser.currentUrl());
            browser.screenshot(SCREENSHOTS.resolve("landing-invalid.png"));

            type(browser, "room", "lanyu-4");
            browser.driver().findElement(By.id("join-button")).click();
            browser.waitFor("location.pathname === '/teacher.html'");
            URI teacher = URI.create(browser.currentUrl());
            assertEquals(Map.of("room", "lanyu-4", "name", "林老師 Ms. Lin"), query(browser));
            assertEquals("/teacher.html", teacher.getPath());

            browser.open(server.url("/?room=lanyu-4&role=observer&token=t0k"));
            browser.waitFor("document.querySelector('#join-button').textContent === 'Join'");
            browser.driver().findElement(By.id("join-button")).click(); // the name was remembered
            browser.waitFor("location.pathname === '/classroom.html'");
            // the token reached the page, which then took it out of the address bar
            browser.waitFor("window.archipelago.session && window.archipelago.session.join.token === 't0k'");
            assertEquals(Map.of("room", "lanyu-4", "name", "林老師 Ms. Lin", "role", "observer"), query(browser));
        }
    }

    @Test
    void teacherPageShowsTheCameraAndAnErrorWhenTheServerIsUnreachable() {
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.open(server.url("/teacher.html?room=lanyu-4&name=Ms%20Lin"));
            browser.waitFor("document.getElementById('preview').videoWidth > 0");
            browser.waitFor("document.getElementById('connection').dataset.state === 'error'");
            assertEquals("Error", text(browser, "#connection .state-label"));
            assertEquals("Cannot reach the server.", text(browser, "#connection .state-detail"));
            assertTrue(browser.driver().findElement(By.id("rejoin")).isDisplayed());
            assertEquals("Room lanyu-4", text(browser, "#room-label"));
            // the one offer was prepared with every m-section, in the documented order
            @SuppressWarnings("unchecked")
            List<String> kinds = (List<String>) browser.script(
                    "return window.archipelago.session.entries.map(e => e.purpose + ':' + e.transceiver.receiver.track.kind)");
            assertEquals(List.of("microphone:audio", "camera:video", "screen:video",
                    "classroom-video:video", "classroom-audio:audio", "classroom-video:video", "classroom-audio:audio",
                    "classroom-video:video", "classroom-audio:audio", "classroom-video:video", "classroom-audio:audio"), kinds);
            browser.screenshot(SCREENSHOTS.resolve("teacher-unreachable.png"));
        }
    }

    @Test
    void classroomPageShowsTheCameraAndAnErrorWhenTheServerIsUnreachable() {
        try (ChromiumBrowser browser = new ChromiumBrowser("zh-TW")) {
            browser.open(server.url("/classroom.html?room=lanyu-4&name=Lanyu&role=classroom"));
            browser.waitFor("document.getElementById('preview').videoWidth > 0");
            browser.waitFor("document.getElementById('connection').dataset.state === 'error'");
            assertEquals("無法連線到伺服器。", text(browser, "#connection .state-detail"));
            browser.screenshot(SCREENSHOTS.resolve("classroom-unreachable-zh-TW.png"));
        }
    }

    /** Selenium Manager caches what it resolves or downloads under ~/.cache/selenium: it must not run. */
    @Test
    void startingTheBrowserFetchesNothing() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "selenium");
        List<String> before = listing(cache);
        try (ChromiumBrowser browser = new ChromiumBrowser()) {
            browser.open(server.url("/app.css"));
            assertTrue(String.valueOf(browser.script("return document.body.textContent")).contains("--sea"));
        }
        assertEquals(before, listing(cache));
    }

    private static List<String> listing(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.map(p -> p + " " + p.toFile().length() + " " + p.toFile().lastModified()).sorted().toList();
        }
    }

    private static String text(ChromiumBrowser browser, String css) {
        return browser.driver().findElement(By.cssSelector(css)).getText();
    }

    private static void type(ChromiumBrowser browser, String id, String value) {
        WebElement input = browser.driver().findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> query(ChromiumBrowser browser) {
        return (Map<String, String>) browser.script("return Object.fromEntries(new URLSearchParams(location.search))");
    }
}
