package org.archipelago.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.archipelago.server.auth.JoinTokens;
import org.archipelago.server.lesson.Layout;
import org.archipelago.server.lesson.LessonError;
import org.archipelago.server.lesson.LessonException;
import org.archipelago.server.lesson.Lessons;
import org.archipelago.server.lesson.ParticipantChannel;
import org.archipelago.server.lesson.Purpose;
import org.archipelago.server.lesson.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One participant's signaling WebSocket at {@code /ws}: the JSON protocol of docs/signaling.md.
 *
 * <p>Runs on the HTTP loop of its connection. Every bad message gets an {@code error} with a stable
 * code and the socket stays open; a frame over 64 KiB closes it (1009, by Netty). Closing the
 * socket ends the participant's session. Pings every 20 s keep it alive through idle proxies; a
 * client silent for 60 s is closed.
 */
public final class SignalingSocket extends SimpleChannelInboundHandler<TextWebSocketFrame> implements ParticipantChannel {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingSocket.class);
    public static final String PATH = "/ws";
    static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lessons lessons;
    private final JoinTokens tokens;
    private Channel channel;
    /** Set once joined: the room and our session id. Written on this connection's loop only. */
    private volatile String room;
    private volatile String sessionId;
    private boolean joining;

    private SignalingSocket(Lessons lessons, JoinTokens tokens) {
        this.lessons = lessons;
        this.tokens = tokens;
    }

    /** Adds the WebSocket upgrade at {@link #PATH} and this handler to a connection's pipeline. */
    public static void install(ChannelPipeline pipeline, Lessons lessons, JoinTokens tokens) {
        pipeline.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(PATH)
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .checkStartsWith(false)
                .build()));
        // A message may come in fragments: put them together, within the same bound.
        pipeline.addLast(new WebSocketFrameAggregator(MAX_FRAME_BYTES));
        pipeline.addLast(new SignalingSocket(lessons, tokens));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            // A signaling socket is idle between lesson events: ping it instead of timing it out.
            ctx.pipeline().replace(HttpServer.READ_TIMEOUT, "idle", new IdleStateHandler(60, 20, 0, TimeUnit.SECONDS));
        } else if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            } else if (idle.state() == IdleState.READER_IDLE) {
                ctx.close();
            }
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        JsonNode message;
        try {
            message = JSON.readTree(frame.text());
        } catch (JsonProcessingException e) {
            sendError(LessonError.BAD_MESSAGE, "not JSON: " + e.getOriginalMessage());
            return;
        }
        try {
            if (message == null || !message.isObject()) {
                throw bad("a message is a JSON object with a \"type\"");
            }
            String type = text(message, "type", true);
            switch (type) {
                case "join" -> join(message);
                case "stage" -> lessons.setStage(joinedRoom(), sessionId, optionalText(message, "participant"));
                case "floor" -> lessons.setFloor(joinedRoom(), sessionId, optionalText(message, "participant"));
                case "screen" -> {
                    JsonNode on = message.get("on");
                    if (on == null || !on.isBoolean()) {
                        throw bad("\"screen\" needs \"on\": true or false");
                    }
                    lessons.setScreen(joinedRoom(), sessionId, on.booleanValue());
                }
                case "leave" -> {
                    endSession("left");
                    ctx.close();
                }
                default -> throw bad("unknown message type '" + type + "'");
            }
        } catch (LessonException e) {
            sendError(e.error(), e.getMessage());
        }
    }

    private void join(JsonNode message) throws LessonException {
        if (joining || room != null) {
            throw new LessonException(LessonError.NOT_JOINED, "already joined; one join per connection");
        }
        String roomName = text(message, "room", true);
        Role role = Role.fromWireName(text(message, "role", true));
        if (role == null) {
            throw bad("\"role\" must be teacher, classroom or observer");
        }
        String name = text(message, "name", true);
        if (name.isBlank() || name.length() > 64) {
            throw bad("\"name\" must be 1 to 64 characters");
        }
        String sdp = text(message, "sdp", true);
        Layout layout = layout(message.get("layout"));
        JsonNode takeoverField = message.get("takeover");
        if (takeoverField != null && !takeoverField.isBoolean()) {
            throw bad("\"takeover\" must be true or false");
        }
        boolean takeover = takeoverField != null && takeoverField.booleanValue();
        // The token names the role: a teacher token for the room is the room's teacher credential,
        // which is what a takeover needs when tokens are required.
        tokens.check(optionalText(message, "token"), roomName, EnumSet.of(role), role);
        var admission = lessons.join(roomName, role, name, sdp, layout, this, takeover);
        joining = true;
        admission.whenComplete((session, failure) -> channel.eventLoop().execute(() -> {
            joining = false;
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof LessonException lesson) {
                    sendError(lesson.error(), lesson.getMessage());
                } else {
                    LOG.warn("Join failed", cause);
                    sendError(LessonError.OFFER_REJECTED, "the server could not admit you");
                }
                return;
            }
            room = roomName;
            sessionId = session.id();
            if (!channel.isActive()) {
                // Gone while we were admitting it.
                endSession("signaling closed");
                return;
            }
            ObjectNode joined = session.room().deepCopy();
            joined.put("type", "joined").put("id", session.id()).put("sdp", session.answerSdp());
            send(joined);
        }));
    }

    private static Layout layout(JsonNode node) throws LessonException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.size() > Layout.MAX_SECTIONS) {
            throw bad("\"layout\" must be a list of at most " + Layout.MAX_SECTIONS + " {mid, purpose}");
        }
        List<Layout.Section> sections = new ArrayList<>();
        Set<String> mids = new HashSet<>();
        for (JsonNode entry : node) {
            if (!entry.isObject()) {
                throw bad("each \"layout\" entry is an object {mid, purpose}");
            }
            String mid = text(entry, "mid", true);
            if (!mids.add(mid)) {
                throw bad("mid '" + mid + "' appears twice in \"layout\"");
            }
            Purpose purpose = purpose(text(entry, "purpose", true));
            String receiveName = optionalText(entry, "receive");
            Purpose receive = receiveName == null ? null : purpose(receiveName);
            if (receive != null && receive.isSent()) {
                throw bad("\"receive\" of mid '" + mid + "' must be something received, not '" + receiveName + "'");
            }
            if (purpose.isSent()) {
                // A microphone section also carries the teacher's voice back, unless told otherwise.
                Purpose back = receive != null ? receive : purpose == Purpose.MICROPHONE ? Purpose.TEACHER_AUDIO : null;
                sections.add(new Layout.Section(mid, purpose, back));
            } else {
                sections.add(new Layout.Section(mid, null, purpose));
            }
        }
        return Layout.of(sections);
    }

    private static Purpose purpose(String name) throws LessonException {
        Purpose purpose = Purpose.fromWireName(name);
        if (purpose == null) {
            throw bad("unknown purpose '" + name + "'");
        }
        return purpose;
    }

    private String joinedRoom() throws LessonException {
        if (room == null) {
            throw new LessonException(LessonError.NOT_JOINED, "join first");
        }
        return room;
    }

    private static String text(JsonNode message, String field, boolean required) throws LessonException {
        JsonNode value = message.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw bad("\"" + field + "\" is missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw bad("\"" + field + "\" must be a string");
        }
        return value.textValue();
    }

    private static String optionalText(JsonNode message, String field) throws LessonException {
        return text(message, field, false);
    }

    private static LessonException bad(String message) {
        return new LessonException(LessonError.BAD_MESSAGE, message);
    }

    private void sendError(LessonError error, String message) {
        send(JSON.createObjectNode().put("type", "error").put("code", error.code()).put("message", message));
    }

    @Override
    public void send(ObjectNode message) {
        if (!channel.isActive()) {
            return;
        }
        if (!channel.isWritable()) {
            // A client that does not read its events must not grow our memory: drop it.
            LOG.info("Closing signaling {}: the client does not keep up", channel.remoteAddress());
            channel.close();
            return;
        }
        channel.writeAndFlush(new TextWebSocketFrame(message.toString()));
    }

    @Override
    public void close(ObjectNode lastMessage) {
        if (channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(lastMessage.toString())).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        endSession("signaling closed");
        super.channelInactive(ctx);
    }

    private void endSession(String reason) {
        String currentRoom = room;
        String currentSession = sessionId;
        room = null;
        sessionId = null;
        if (currentRoom != null) {
            lessons.end(currentRoom, currentSession, reason);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Signaling connection {} failed", ctx.channel().remoteAddress(), cause);
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedWebSocketFrameException) {
            // RFC 6455 §7.4.1: 1009, the message is too big to process.
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
