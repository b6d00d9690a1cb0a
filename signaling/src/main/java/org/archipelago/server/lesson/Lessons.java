package org.archipelago.server.lesson;

import io.netty.channel.EventLoop;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.peer.OfferRejectedException;
import org.archipelago.media.router.KeyframeThrottle;
import org.archipelago.media.sdp.SdpParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Every lesson (room) of the server, created when its first participant arrives and forgotten
 * when its last one leaves. Thread-safe: called from the signaling loops; each room's media work
 * happens on the room's own media loop.
 */
public final class Lessons {
    private static final Logger LOG = LoggerFactory.getLogger(Lessons.class);
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * A started media session: its id (the last segment of its WHIP/WHEP resource), our answer, and
     * the room as the newcomer found it (participants, stage, floor, screen).
     */
    public record MediaSession(String id, String answerSdp, com.fasterxml.jackson.databind.node.ObjectNode room) {
    }

    private final MediaEngine media;
    private final int maxRooms;
    private final KeyframeThrottle keyframeThrottle;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger nextLoop = new AtomicInteger();

    /** @param keyframeThrottle how often each room asks a publisher for a key frame, by layer */
    public Lessons(MediaEngine media, int maxRooms, KeyframeThrottle keyframeThrottle) {
        this.media = media;
        this.maxRooms = maxRooms;
        this.keyframeThrottle = keyframeThrottle;
    }

    /** A publisher (WHIP): the room's teacher (or a classroom, by token), sending camera and microphone. */
    public CompletableFuture<MediaSession> publish(String roomName, String offerSdp, Role role) throws LessonException {
        return join(roomName, new Room.JoinRequest(role, role.wireName(), offerSdp, null, null, false));
    }

    /** A player (WHEP): receives what a classroom receives. */
    public CompletableFuture<MediaSession> play(String roomName, String offerSdp, Role role) throws LessonException {
        Role player = role == Role.TEACHER ? Role.OBSERVER : role;
        return join(roomName, new Room.JoinRequest(player, "player", offerSdp, null, null, false));
    }

    /** A participant of the classroom pages (WebSocket), with its media layout and channel. */
    CompletableFuture<MediaSession> join(String roomName, Room.JoinRequest request) throws LessonException {
        while (true) {
            CompletableFuture<MediaSession> joined = roomFor(roomName).join(request);
            if (joined != null) {
                return joined;
            }
            // The room emptied and closed between lookup and join: a fresh one opens.
        }
    }

    /**
     * A page participant joins (WebSocket): see {@link Room.JoinRequest}. {@code takeover}: a teacher
     * replaces the room's current one (the caller checked the teacher credential).
     */
    public CompletableFuture<MediaSession> join(String roomName, Role role, String name, String offerSdp, Layout layout,
                                                ParticipantChannel channel, boolean takeover) throws LessonException {
        return join(roomName, new Room.JoinRequest(role, name, offerSdp, layout, channel, takeover && role == Role.TEACHER));
    }

    /** The teacher {@code callerId} puts {@code targetId} on stage (null: nobody). */
    public void setStage(String roomName, String callerId, String targetId) throws LessonException {
        Room room = existingRoom(roomName);
        room.setStage(caller(room, callerId), targetId);
    }

    /** The teacher {@code callerId} gives {@code targetId} the floor (null: nobody). */
    public void setFloor(String roomName, String callerId, String targetId) throws LessonException {
        Room room = existingRoom(roomName);
        room.setFloor(caller(room, callerId), targetId);
    }

    /** The teacher {@code callerId} started or stopped sharing the screen. */
    public void setScreen(String roomName, String callerId, boolean on) throws LessonException {
        Room room = existingRoom(roomName);
        room.setScreen(caller(room, callerId), on);
    }

    private Room existingRoom(String roomName) throws LessonException {
        Room room = rooms.get(roomName);
        if (room == null) {
            throw new LessonException(LessonError.NOT_JOINED, "not in room " + roomName);
        }
        return room;
    }

    private static Participant caller(Room room, String callerId) throws LessonException {
        for (Participant participant : room.participants()) {
            if (participant.id().equals(callerId)) {
                return participant;
            }
        }
        throw new LessonException(LessonError.NOT_JOINED, "not in room " + room.name());
    }

    /** Ends a session; false when there is no such session in that room. */
    public boolean end(String roomName, String sessionId) {
        return end(roomName, sessionId, "ended by the client");
    }

    /** Ends a session, saying why; false when there is no such session in that room. */
    public boolean end(String roomName, String sessionId, String reason) {
        Room room = rooms.get(roomName);
        return room != null && room.leave(sessionId, reason);
    }

    private Room roomFor(String name) throws LessonException {
        if (name == null || !ROOM_NAME.matcher(name).matches()) {
            throw new LessonException(LessonError.BAD_ROOM_NAME, "room names are 1 to 64 letters, digits, '-' or '_'");
        }
        Room existing = rooms.get(name);
        if (existing != null) {
            return existing;
        }
        synchronized (rooms) {
            existing = rooms.get(name);
            if (existing != null) {
                return existing;
            }
            if (rooms.size() >= maxRooms) {
                throw new LessonException(LessonError.SERVER_FULL, "the server holds " + maxRooms + " rooms already");
            }
            List<EventLoop> loops = media.transport().eventLoops();
            EventLoop loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
            Room room = new Room(name, media, loop, keyframeThrottle, this::roomEmptied);
            rooms.put(name, room);
            LOG.info("Room {} opened", name);
            return room;
        }
    }

    private void roomEmptied(Room room) {
        if (rooms.remove(room.name(), room)) {
            LOG.info("Room {} closed", room.name());
        }
    }

    public Room room(String name) {
        return rooms.get(name);
    }

    public int roomCount() {
        return rooms.size();
    }

    static LessonException asLessonError(Exception e) {
        if (e instanceof SdpParseException) {
            return new LessonException(LessonError.BAD_SDP, e.getMessage());
        }
        if (e instanceof OfferRejectedException rejected && rejected.reason() == OfferRejectedException.Reason.SERVER_FULL) {
            return new LessonException(LessonError.SERVER_FULL, e.getMessage());
        }
        return new LessonException(LessonError.OFFER_REJECTED, e.getMessage());
    }
}
