package org.archipelago.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import org.archipelago.server.lesson.LessonError;
import org.archipelago.server.lesson.LessonException;
import org.archipelago.server.lesson.Lessons;
import org.archipelago.server.lesson.Role;
import org.archipelago.server.auth.JoinTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Set;

/**
 * Routes HTTP requests: WHIP (RFC 9725) at {@code /whip/{room}} and WHEP at {@code /whep/{room}}.
 *
 * <p>WHIP/WHEP, as the RFC has it: {@code POST} an SDP offer ({@code Content-Type:
 * application/sdp}) to the endpoint; {@code 201 Created} with the answer and a {@code Location} of
 * the session resource; {@code DELETE} on that resource ends the session. Trickle ICE and ICE
 * restarts ({@code PATCH}) are not offered: the server is ICE-lite with all its candidates in the
 * answer, so {@code PATCH} gets {@code 405}. Every response allows any origin (CORS), and
 * {@code OPTIONS} answers preflights, so browser-based WHIP/WHEP tools served elsewhere work.
 *
 * <p>Errors are {@code text/plain}: the stable code from {@link LessonError}, a colon, and a
 * message for a person.
 */
public final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);
    static final String APPLICATION_SDP = "application/sdp";

    /** WHIP publishes: the teacher, or a classroom by token. */
    private static final Set<Role> PUBLISHERS = EnumSet.of(Role.TEACHER, Role.CLASSROOM);
    /** WHEP plays what a classroom receives: anyone with a token for the room. */
    private static final Set<Role> PLAYERS = EnumSet.allOf(Role.class);

    private final Lessons lessons;
    private final JoinTokens tokens;
    private final StaticPages pages;

    public HttpRequestHandler(Lessons lessons, JoinTokens tokens, StaticPages pages) {
        this.lessons = lessons;
        this.tokens = tokens;
        this.pages = pages;
    }

    /**
     * Everything the response needs is read from the request before this returns (Netty releases
     * the request then); the response may be completed later, on a room's loop, and is written
     * from there.
     */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        CompletableFuture<FullHttpResponse> pending = request.decoderResult().isSuccess()
                ? route(request)
                : CompletableFuture.completedFuture(text(HttpResponseStatus.BAD_REQUEST, "bad-request: the request is not valid HTTP/1.1"));
        pending.whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof LessonException lesson) {
                    response = error(lesson.error(), lesson.getMessage());
                } else {
                    LOG.warn("Request {} {} failed", request.method(), request.uri(), cause);
                    response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal-error: the server failed on this request");
                }
            }
            HttpUtil.setKeepAlive(response, keepAlive);
            allowAnyOrigin(response);
            if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                HttpUtil.setContentLength(response, response.content().readableBytes());
            }
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    private CompletableFuture<FullHttpResponse> route(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        List<String> segments = segments(path);
        if (segments.size() < 2 || segments.size() > 3 || !(segments.get(0).equals("whip") || segments.get(0).equals("whep"))) {
            return done(page(request, path));
        }
        boolean publish = segments.get(0).equals("whip");
        String room = segments.get(1);
        HttpMethod method = request.method();
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (segments.size() == 2) {
            if (HttpMethod.OPTIONS.equals(method)) {
                return done(preflight("POST, OPTIONS"));
            }
            if (!HttpMethod.POST.equals(method)) {
                return done(notAllowed("POST, OPTIONS"));
            }
            String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (contentType == null || !HttpUtil.getMimeType(contentType).toString().equalsIgnoreCase(APPLICATION_SDP)) {
                return done(text(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                        "unsupported-media-type: the offer must be sent as " + APPLICATION_SDP + ", not " + contentType));
            }
            return offer(publish, room, authorization, request.content().toString(StandardCharsets.UTF_8));
        }
        String session = segments.get(2);
        if (HttpMethod.OPTIONS.equals(method)) {
            return done(preflight("DELETE, OPTIONS"));
        }
        if (!HttpMethod.DELETE.equals(method)) {
            // PATCH (trickle ICE, ICE restart) included: not supported by this ICE-lite server.
            return done(notAllowed("DELETE, OPTIONS"));
        }
        try {
            tokens.check(authorization, room, PLAYERS, Role.OBSERVER);
        } catch (LessonException e) {
            return done(error(e.error(), e.getMessage()));
        }
        return done(lessons.end(room, session)
                ? text(HttpResponseStatus.OK, "ended")
                : error(LessonError.NO_SUCH_SESSION, "no session " + session + " in room " + room));
    }

    /** The classroom pages: GET (and HEAD) of a page the server ships; anything else is not found. */
    private FullHttpResponse page(FullHttpRequest request, String path) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!head && !HttpMethod.GET.equals(request.method())) {
            return pages.has(request.uri()) ? notAllowed("GET, HEAD") : text(HttpResponseStatus.NOT_FOUND, "not-found: no resource at " + path);
        }
        FullHttpResponse page = pages.serve(request.uri());
        if (page == null) {
            return text(HttpResponseStatus.NOT_FOUND, "not-found: no resource at " + path);
        }
        if (head) {
            FullHttpResponse headers = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, page.status());
            headers.headers().set(page.headers());
            page.release();
            return headers;
        }
        return page;
    }

    private CompletableFuture<FullHttpResponse> offer(boolean publish, String room, String authorization, String offer) {
        CompletableFuture<Lessons.MediaSession> session;
        try {
            Role role = publish
                    ? tokens.check(authorization, room, PUBLISHERS, Role.TEACHER)
                    : tokens.check(authorization, room, PLAYERS, Role.OBSERVER);
            session = publish ? lessons.publish(room, offer, role) : lessons.play(room, offer, role);
        } catch (LessonException e) {
            return done(error(e.error(), e.getMessage()));
        }
        return session.thenApply(started -> {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED,
                    Unpooled.copiedBuffer(started.answerSdp(), StandardCharsets.UTF_8));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_SDP)
                    .set(HttpHeaderNames.LOCATION, "/" + (publish ? "whip" : "whep") + "/" + room + "/" + started.id())
                    .set(HttpHeaderNames.ETAG, "\"" + started.id() + "\"");
            return response;
        });
    }

    private static CompletableFuture<FullHttpResponse> done(FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private static List<String> segments(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static FullHttpResponse preflight(String methods) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods)
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Authorization, If-Match")
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400")
                .set(HttpHeaderNames.ALLOW, methods)
                .set("Accept-Post", APPLICATION_SDP);
        return response;
    }

    private static FullHttpResponse notAllowed(String methods) {
        FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed: use " + methods);
        response.headers().set(HttpHeaderNames.ALLOW, methods);
        return response;
    }

    private static FullHttpResponse error(LessonError error, String message) {
        FullHttpResponse response = text(HttpResponseStatus.valueOf(error.httpStatus()), error.code() + ": " + message);
        if (error == LessonError.UNAUTHORIZED) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"archipelago\"");
        }
        return response;
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        return response;
    }

    private static void allowAnyOrigin(FullHttpResponse response) {
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Location, ETag, Accept-Post");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            LOG.debug("HTTP connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
