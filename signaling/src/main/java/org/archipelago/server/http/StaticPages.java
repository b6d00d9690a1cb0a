package org.archipelago.server.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classroom pages: the landing page at {@code /}, {@code /teacher.html}, {@code /classroom.html}
 * and their scripts, style sheet and icon, embedded in the jar under {@code pages/}.
 *
 * <p>Only the files named in {@link #FILES} are served, looked up by the exact request path (the
 * query string dropped). Nothing is decoded, normalized or resolved against a directory, so
 * {@code ..}, percent-encoded dots and absolute paths simply name no page: there is no path
 * traversal to defend against. The files are read once, when this is built.
 *
 * <p>Responses carry {@code Cache-Control: no-cache}, so a browser revalidates after an upgrade
 * instead of mixing old scripts with new ones.
 */
public final class StaticPages {
    private static final String CLASSPATH_PREFIX = "pages/";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    private static final String SVG = "image/svg+xml";

    /** Every servable file: its name under {@code pages/} and its content type. */
    private static final Map<String, String> FILES = files();

    private static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", HTML);
        files.put("teacher.html", HTML);
        files.put("classroom.html", HTML);
        files.put("app.css", CSS);
        files.put("favicon.svg", SVG);
        for (String module : new String[] {"i18n", "ui", "signaling", "session", "quality", "landing", "teacher", "classroom"}) {
            files.put("js/" + module + ".js", JAVASCRIPT);
        }
        return Map.copyOf(files);
    }

    private final Map<String, Page> pages;

    private record Page(byte[] body, String contentType) {
    }

    /**
     * Reads every page from the class path.
     *
     * @throws IllegalStateException when a page is missing from the jar (a packaging mistake)
     */
    public StaticPages() {
        Map<String, Page> loaded = new LinkedHashMap<>();
        ClassLoader loader = StaticPages.class.getClassLoader();
        FILES.forEach((name, contentType) -> {
            try (InputStream in = loader.getResourceAsStream(CLASSPATH_PREFIX + name)) {
                if (in == null) {
                    throw new IllegalStateException("page " + CLASSPATH_PREFIX + name + " is missing from the class path");
                }
                loaded.put("/" + name, new Page(in.readAllBytes(), contentType));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read page " + name, e);
            }
        });
        loaded.put("/", loaded.get("/index.html"));
        this.pages = Map.copyOf(loaded);
    }

    /**
     * The page at a request URI, for {@code GET} (and {@code HEAD}, once the caller drops the body).
     *
     * @param uri the request URI as received: a path, optionally with a query string or fragment
     * @return a {@code 200 OK} response the caller owns (write it or release it), or {@code null}
     *         when there is no such page
     */
    public FullHttpResponse serve(String uri) {
        Page page = uri == null ? null : pages.get(pathOf(uri));
        if (page == null) {
            return null;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(page.body()).asReadOnly());
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, page.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, page.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer");
        return response;
    }

    /** Whether {@link #serve} has a page for this request URI. */
    public boolean has(String uri) {
        return uri != null && pages.containsKey(pathOf(uri));
    }

    private static String pathOf(String uri) {
        int end = uri.length();
        int query = uri.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        int fragment = uri.indexOf('#');
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return uri.substring(0, end);
    }
}
