package org.archipelago.server.pages;

import org.archipelago.server.testing.NamespaceLink;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A headless Debian Chromium driven by the Debian chromedriver, for tests of the pages: fake camera
 * and microphone, no permission prompts, loopback WebRTC, a fresh profile deleted on close.
 *
 * <p>Nothing is fetched: the driver and browser executables are given explicitly, so Selenium
 * Manager never runs, and Chromium's background networking, component updates and sync are off.
 * Host names other than loopback do not resolve.
 *
 * <p>A page served beyond loopback ({@link #reaching}) is treated as a secure context, so it may use
 * the camera over plain HTTP. {@link #inNamespace} runs the browser, and its chromedriver, inside a
 * {@link NamespaceLink}'s network namespace: its media crosses that shaped link.
 *
 * <p>Waits poll with a deadline ({@link #waitFor}); nothing sleeps.
 */
public final class ChromiumBrowser implements AutoCloseable {
    public static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    public static final String CHROMIUM = "/usr/lib/chromium/chromium";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private final Path profile;
    private final ChromeDriverService service;
    private final NamespaceLink.Chromedriver remoteDriver;
    private final RemoteWebDriver driver;

    /** A browser in the system's default language (English on the build machines). */
    public ChromiumBrowser() {
        this(null);
    }

    /**
     * @param language a BCP 47 tag such as {@code zh-TW} for {@code --lang} and Accept-Language, or
     *                 {@code null} for English
     */
    public ChromiumBrowser(String language) {
        this(language, null, null);
    }

    /**
     * A browser on this host for pages served at {@code origin} ({@code http://address:port}, an
     * address beyond loopback): the origin is reachable and counts as secure (camera over HTTP).
     */
    public static ChromiumBrowser reaching(String origin) {
        return new ChromiumBrowser(null, origin, null);
    }

    /**
     * A browser inside {@code link}'s namespace, driven through a chromedriver started there, for
     * pages served at {@code origin} (normally on the link's host address). It has no DevTools
     * commands ({@link #beforeEachPage}).
     */
    public static ChromiumBrowser inNamespace(NamespaceLink link, String origin) {
        return new ChromiumBrowser(null, origin, link);
    }

    private ChromiumBrowser(String language, String origin, NamespaceLink link) {
        try {
            profile = Files.createTempDirectory("archipelago-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String lang = language == null ? "en-US" : language;
        String resolverRules = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1";
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        if (origin != null) {
            // getUserMedia needs a secure context; the test server speaks plain HTTP.
            options.addArguments("--unsafely-treat-insecure-origin-as-secure=" + origin);
            resolverRules += ", EXCLUDE " + URI.create(origin).getHost();
        }
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--host-resolver-rules=" + resolverRules,
                "--window-size=1280,900",
                "--lang=" + lang,
                "--user-data-dir=" + profile);
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", lang));
        if (link != null) {
            service = null;
            remoteDriver = link.startChromedriver(Path.of("target", "netns", link.name() + "-chromedriver.log"));
            try {
                driver = new RemoteWebDriver(remoteDriver.url(), options);
            } catch (RuntimeException e) {
                remoteDriver.close();
                deleteProfile();
                throw e;
            }
            return;
        }
        remoteDriver = null;
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    /**
     * Runs a script in every page opened from now on, before the page's own scripts (DevTools
     * {@code Page.addScriptToEvaluateOnNewDocument}): for stand-ins such as a fake server.
     */
    public void beforeEachPage(String script) {
        if (!(driver instanceof ChromeDriver chrome)) {
            throw new IllegalStateException("no DevTools commands through a chromedriver in a namespace");
        }
        chrome.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
    }

    public void open(String url) {
        driver.get(url);
    }

    public String currentUrl() {
        return driver.getCurrentUrl();
    }

    /** Runs a script (a function body: use {@code return}) and gives back its value. */
    public Object script(String body, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(body, args);
    }

    /**
     * Runs an async function body ({@code await} allowed, {@code return} the result) and waits for it.
     * For example {@code return (await window.archipelago.pc.getStats()).size}.
     */
    public Object await(String asyncBody, Object... args) {
        String script = "const done = arguments[arguments.length - 1];"
                + "(async (...args) => {" + asyncBody + "})(...Array.prototype.slice.call(arguments, 0, -1))"
                + ".then(v => done({ok: v}), e => done({error: String(e && e.stack || e)}));";
        driver.manage().timeouts().scriptTimeout(DEFAULT_TIMEOUT);
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(script, args);
        if (result.containsKey("error")) {
            throw new IllegalStateException("script failed: " + result.get("error"));
        }
        return result.get("ok");
    }

    /**
     * Clicks the element a CSS selector names, looked up and clicked inside the page in one step, so
     * a re-render between a WebDriver lookup and its click cannot make the reference stale.
     *
     * @throws AssertionError naming the selector when nothing matches
     */
    public void click(String selector) {
        Object clicked = script("const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;",
                selector);
        if (!Boolean.TRUE.equals(clicked)) {
            throw new AssertionError("nothing to click: " + selector);
        }
    }

    /**
     * Polls a JavaScript expression until it is truthy, and returns its value.
     *
     * @throws TimeoutException naming the expression and its last value, at the deadline
     */
    public Object waitFor(String expression, Duration timeout) {
        Object[] last = new Object[1];
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).until(d -> {
                Object value = script("return (" + expression + ");");
                last[0] = value;
                boolean truthy = value != null && !Boolean.FALSE.equals(value) && !"".equals(value)
                        && !(value instanceof Number n && n.doubleValue() == 0);
                return truthy ? value : null;
            });
        } catch (TimeoutException e) {
            throw new TimeoutException("still falsy after " + timeout + ": " + expression + " (last value " + last[0] + ")", e);
        }
    }

    public Object waitFor(String expression) {
        return waitFor(expression, DEFAULT_TIMEOUT);
    }

    /** The page's inbound-rtp video framesDecoded, summed (needs {@code window.archipelago.pc}). */
    public long framesDecoded() {
        Object frames = await("let n = 0; (await window.archipelago.pc.getStats()).forEach(s => {"
                + " if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; }); return n;");
        return ((Number) frames).longValue();
    }

    /** Saves a PNG of the viewport. */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            if (service != null) {
                service.stop();
            } else {
                remoteDriver.close();
            }
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
