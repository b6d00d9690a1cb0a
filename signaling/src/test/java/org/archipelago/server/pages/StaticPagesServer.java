package org.archipelago.server.pages;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import org.archipelago.server.http.StaticPages;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * A static-only HTTP server on 127.0.0.1 and a free port, answering from {@link StaticPages} (the
 * JDK's server: the WebSocket at {@code /ws} is deliberately absent, so it answers 404 like any
 * unknown path).
 */
final class StaticPagesServer implements AutoCloseable {
    private final HttpServer server;

    StaticPagesServer() throws IOException {
        StaticPages pages = new StaticPages();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> respond(pages, exchange));
        server.start();
    }

    private static void respond(StaticPages pages, HttpExchange exchange) throws IOException {
        try (exchange) {
            FullHttpResponse response = "GET".equals(exchange.getRequestMethod())
                    ? pages.serve(exchange.getRequestURI().getRawPath()
                            + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()))
                    : null;
            if (response == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            try {
                for (Map.Entry<String, String> header : response.headers()) {
                    exchange.getResponseHeaders().add(header.getKey(), header.getValue());
                }
                exchange.getResponseHeaders().remove("content-length"); // the JDK server sets it
                byte[] body = ByteBufUtil.getBytes(response.content());
                exchange.sendResponseHeaders(response.status().code(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } finally {
                response.release();
            }
        }
    }

    /** {@code http://127.0.0.1:port} followed by path. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
