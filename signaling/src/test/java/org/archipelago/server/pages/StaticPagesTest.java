package org.archipelago.server.pages;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.archipelago.server.http.StaticPages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaticPagesTest {
    private final StaticPages pages = new StaticPages();

    @ParameterizedTest
    @CsvSource({
            "/index.html,          text/html; charset=utf-8",
            "/teacher.html,        text/html; charset=utf-8",
            "/classroom.html,      text/html; charset=utf-8",
            "/app.css,             text/css; charset=utf-8",
            "/favicon.svg,         image/svg+xml",
            "/js/i18n.js,          text/javascript; charset=utf-8",
            "/js/session.js,       text/javascript; charset=utf-8",
            "/js/teacher.js,       text/javascript; charset=utf-8",
            "/teacher.html?room=a&name=b, text/html; charset=utf-8",
    })
    void servesEachPageWithItsContentTypeAndNoCache(String uri, String contentType) {
        FullHttpResponse response = pages.serve(uri);
        assertNotNull(response, uri);
        try {
            assertEquals(HttpResponseStatus.OK, response.status());
            assertEquals(contentType, response.headers().get(HttpHeaderNames.CONTENT_TYPE));
            assertEquals("no-cache", response.headers().get(HttpHeaderNames.CACHE_CONTROL));
            assertEquals("nosniff", response.headers().get("X-Content-Type-Options"));
            assertTrue(response.content().readableBytes() > 0);
            assertEquals(response.content().readableBytes(), response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH));
        } finally {
            response.release();
        }
    }

    @Test
    void rootIsTheLandingPage() {
        assertEquals(body("/index.html"), body("/"));
        assertEquals(body("/index.html"), body("/?token=abc"));
        assertTrue(body("/").contains("/js/landing.js"));
    }

    @Test
    void everyScriptAPageLoadsIsServed() {
        for (String page : new String[] {"/", "/teacher.html", "/classroom.html"}) {
            Matcher src = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(body(page));
            while (src.find()) {
                assertTrue(pages.has(src.group(1)), page + " refers to " + src.group(1));
            }
        }
        Pattern imports = Pattern.compile("from '\\./([a-z0-9]+\\.js)'");
        for (String module : new String[] {"i18n", "ui", "signaling", "session", "quality", "landing", "teacher", "classroom"}) {
            Matcher imported = imports.matcher(body("/js/" + module + ".js"));
            while (imported.find()) {
                assertTrue(pages.has("/js/" + imported.group(1)), module + ".js imports " + imported.group(1));
            }
        }
    }

    @Test
    void buffersAreIndependentAndReadOnly() {
        FullHttpResponse first = pages.serve("/app.css");
        FullHttpResponse second = pages.serve("/app.css");
        try {
            first.content().skipBytes(10);
            assertEquals(first.content().readableBytes() + 10, second.content().readableBytes());
            assertTrue(first.content().isReadOnly());
        } finally {
            first.release();
            second.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "/nope.html", "/js/", "/js", "/pages/index.html", "/index.htm", "/INDEX.HTML", "/index.html/",
            "/../pom.xml", "/..", "/%2e%2e/pom.xml", "/%2e%2e/", "/%2E%2E%2Fpom.xml", "/..%2fpom.xml",
            "/pages/../x", "/js/../index.html", "/./index.html", "//index.html", "/js/..%5c..%5cpom.xml",
            "/etc/passwd", "file:///etc/passwd", "C:\\Windows\\win.ini", "/C:/Windows/win.ini",
            "http://example.org/index.html", "/index.html%00.js", "/logback.xml", "/archipelago.yaml",
            "/org/archipelago/server/http/StaticPages.class", "/js/i18n.js.map", "index.html",
    })
    void anythingElseIsNoPage(String uri) {
        assertNull(pages.serve(uri), uri);
        assertFalse(pages.has(uri), uri);
    }

    @Test
    void nullIsNoPage() {
        assertNull(pages.serve(null));
    }

    private String body(String uri) {
        FullHttpResponse response = pages.serve(uri);
        assertNotNull(response, uri);
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }
}
