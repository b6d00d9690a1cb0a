package org.archipelago.server.lesson;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoop;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.peer.OfferRejectedException;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.router.KeyframeThrottle;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SdpParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One lesson: its participants, its stage, floor and screen share, and the forwarding between
 * them, all on one media event loop.
 *
 * <p>Signaling threads call {@link #join}, {@link #leave} and the teacher's controls; the room does
 * the work on its loop. Membership is kept in a concurrent map so {@link #leave} can answer at
 * once, but it is only written on the loop.
 */
public final class Room {
    private static final Logger LOG = LoggerFactory.getLogger(Room.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final MediaEngine media;
    private final EventLoop loop;
    private final Consumer<Room> onEmpty;
    private final Map<String, Participant> participants = new ConcurrentHashMap<>();
    private final LessonForwarding forwarding;

    /** Joins between {@link #join} and admission on the loop; guarded by {@code this}. */
    private int pendingJoins;
    /** Set once the room emptied and was forgotten; guarded by {@code this}. */
    private boolean closed;
    /** Read by signaling threads to refuse a second teacher early; written on the loop. */
    private volatile Participant teacher;

    // Lesson state, on the loop.
    private Participant stage;
    private Participant floor;
    private boolean screenOn;
    private final Map<Participant, Integer> slotOf = new LinkedHashMap<>();

    Room(String name, MediaEngine media, EventLoop loop, KeyframeThrottle keyframeThrottle, Consumer<Room> onEmpty) {
        this.name = name;
        this.media = media;
        this.loop = loop;
        this.onEmpty = onEmpty;
        this.forwarding = new LessonForwarding(loop, keyframeThrottle);
    }

    public String name() {
        return name;
    }

    public EventLoop eventLoop() {
        return loop;
    }

    /** Participants now (a snapshot; written on the loop). */
    public Collection<Participant> participants() {
        return participants.values();
    }

    /** What a join asks for. */
    record JoinRequest(Role role, String name, String offerSdp, Layout layout, ParticipantChannel channel, boolean takeover) {
    }

    /**
     * Answers the offer with a new participant. Thread-safe.
     *
     * @return completes with the session once the room has admitted the participant, or
     *         exceptionally with a {@link LessonException}; null when the room has closed meanwhile
     *         (the caller opens a new one)
     */
    CompletableFuture<Lessons.MediaSession> join(JoinRequest request) throws LessonException {
        synchronized (this) {
            if (closed) {
                return null;
            }
            pendingJoins++;
        }
        try {
            if (request.role() == Role.TEACHER && teacher != null && !request.takeover()) {
                throw new LessonException(LessonError.TEACHER_PRESENT, "room " + name + " already has a teacher");
            }
            Participant participant = new Participant(this, request.role(), request.name(), request.layout(), request.channel(), request.takeover());
            PeerConnection peer;
            try {
                peer = media.createPeer(request.offerSdp(), loop, participant);
            } catch (SdpParseException | OfferRejectedException e) {
                throw Lessons.asLessonError(e);
            }
            participant.attach(peer);
            CompletableFuture<Lessons.MediaSession> admitted = new CompletableFuture<>();
            loop.execute(() -> admit(participant, admitted));
            return admitted;
        } catch (LessonException | RuntimeException e) {
            joinSettled();
            throw e;
        }
    }

    private void admit(Participant participant, CompletableFuture<Lessons.MediaSession> admitted) {
        try {
            PeerConnection peer = participant.peer();
            if (participant.role() == Role.TEACHER) {
                if (teacher != null && !participant.takesOver()) {
                    peer.close("a teacher is already present");
                    admitted.completeExceptionally(new LessonException(LessonError.TEACHER_PRESENT, "room " + name + " already has a teacher"));
                    return;
                }
                if (teacher != null) {
                    drop(teacher, "replaced", "another teacher took over room " + name);
                }
                teacher = participant;
            }
            if (participant.role() == Role.CLASSROOM) {
                slotOf.put(participant, lowestFreeSlot());
            }
            ObjectNode roomAsFound = snapshot();
            broadcast(participantMessage("participant-joined", participant), participant);
            participants.put(peer.id(), participant);
            forwarding.added(participant);
            LOG.info("Room {}: {} {} ({}) joined", name, participant.role().wireName(), peer.id(), participant.name());
            admitted.complete(new Lessons.MediaSession(peer.id(), peer.answer().toSdp(), roomAsFound));
            sendSlots();
        } finally {
            // After the participant is in: a room is empty only with no one in it and no one arriving.
            joinSettled();
        }
    }

    /** Removes a participant, telling it why first. On the loop. */
    private void drop(Participant participant, String code, String message) {
        if (participant.channel() != null) {
            participant.channel().close(JSON.createObjectNode().put("type", "dropped").put("code", code).put("message", message));
        }
        participant.peer().close(message);
    }

    private int lowestFreeSlot() {
        int slot = 0;
        while (slotOf.containsValue(slot)) {
            slot++;
        }
        return slot;
    }

    private void joinSettled() {
        boolean empty;
        synchronized (this) {
            pendingJoins--;
            empty = pendingJoins == 0 && participants.isEmpty() && !closed;
            if (empty) {
                closed = true;
            }
        }
        if (empty) {
            closeRoom();
        }
    }

    private void closeRoom() {
        forwarding.close();
        onEmpty.accept(this);
    }

    /** Ends a participant's session; false when there is none with that id. Thread-safe. */
    boolean leave(String sessionId, String reason) {
        Participant participant = participants.get(sessionId);
        // The peer closes on its loop a moment later: until then the participant is still listed,
        // so a second request to end the same session must be told there is nothing to end.
        if (participant == null || !participant.markLeaving()) {
            return false;
        }
        participant.peer().close(reason);
        return true;
    }

    // ------------------------------------------------------------------ the teacher's controls

    /** Puts a classroom on stage (null: nobody). Thread-safe; checks the caller is the teacher. */
    void setStage(Participant caller, String participantId) throws LessonException {
        Participant target = controlTarget(caller, participantId);
        loop.execute(() -> {
            stage = target;
            refresh();
            broadcast(stateMessage("stage", "participant", target), null);
        });
    }

    /** Gives a classroom the floor (null: nobody). Thread-safe; checks the caller is the teacher. */
    void setFloor(Participant caller, String participantId) throws LessonException {
        Participant target = controlTarget(caller, participantId);
        loop.execute(() -> {
            floor = target;
            refresh();
            broadcast(stateMessage("floor", "participant", target), null);
        });
    }

    /** The teacher's screen share started or stopped. Thread-safe; checks the caller is the teacher. */
    void setScreen(Participant caller, boolean on) throws LessonException {
        requireTeacher(caller);
        loop.execute(() -> {
            screenOn = on;
            refresh();
            ObjectNode message = JSON.createObjectNode().put("type", "screen").put("on", on);
            broadcast(message, null);
        });
    }

    private Participant controlTarget(Participant caller, String participantId) throws LessonException {
        requireTeacher(caller);
        if (participantId == null) {
            return null;
        }
        Participant target = participants.get(participantId);
        if (target == null || target.role() != Role.CLASSROOM) {
            throw new LessonException(LessonError.NO_SUCH_PARTICIPANT, "no classroom " + participantId + " in room " + name);
        }
        return target;
    }

    private void requireTeacher(Participant caller) throws LessonException {
        if (caller.role() != Role.TEACHER || caller != teacher) {
            throw new LessonException(LessonError.NOT_TEACHER, "only the room's teacher may do this");
        }
    }

    // ------------------------------------------------------------------ events from peers (loop)

    void onConnected(Participant participant) {
        forwarding.connected(participant);
        refresh();
    }

    void onRtp(Participant participant, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
        forwarding.onRtp(participant, media, packet, recovered, nowNanos);
    }

    void onKeyframeRequest(Participant participant, long mediaSsrc, long nowNanos) {
        forwarding.onKeyframeRequest(participant, mediaSsrc, nowNanos);
    }

    void onClosed(Participant participant, String reason) {
        if (participants.remove(participant.peer().id(), participant)) {
            forwarding.removed(participant);
            slotOf.remove(participant);
            if (teacher == participant) {
                teacher = null;
                screenOn = false;
            }
            if (stage == participant) {
                stage = null;
                broadcast(stateMessage("stage", "participant", null), null);
            }
            if (floor == participant) {
                floor = null;
                broadcast(stateMessage("floor", "participant", null), null);
            }
            refresh();
            ObjectNode left = participantMessage("participant-left", participant).put("reason", reason);
            broadcast(left, null);
            sendSlots();
            LOG.info("Room {}: {} {} left ({})", name, participant.role().wireName(), participant.peer().id(), reason);
            if (participant.channel() != null) {
                participant.channel().close(JSON.createObjectNode().put("type", "left").put("reason", reason));
            }
        }
        boolean empty;
        synchronized (this) {
            empty = pendingJoins == 0 && participants.isEmpty() && !closed;
            if (empty) {
                closed = true;
            }
        }
        if (empty) {
            closeRoom();
        }
    }

    private void refresh() {
        forwarding.refresh(new LessonForwarding.RoomState(teacher, stage, floor, screenOn, slotOf));
    }

    // ------------------------------------------------------------------ messages

    /** The room as a newcomer sees it. On the loop. */
    private ObjectNode snapshot() {
        ObjectNode state = JSON.createObjectNode();
        ArrayNode list = state.putArray("participants");
        for (Participant participant : participants.values()) {
            list.add(describe(participant));
        }
        state.put("stage", stage == null ? null : stage.id());
        state.put("floor", floor == null ? null : floor.id());
        state.put("screen", screenOn);
        return state;
    }

    private static ObjectNode describe(Participant participant) {
        return JSON.createObjectNode().put("id", participant.id()).put("role", participant.role().wireName()).put("name", participant.name());
    }

    private static ObjectNode participantMessage(String type, Participant participant) {
        ObjectNode message = describe(participant);
        message.put("type", type);
        return message;
    }

    private static ObjectNode stateMessage(String type, String field, Participant participant) {
        return JSON.createObjectNode().put("type", type).put(field, participant == null ? null : participant.id());
    }

    /** Sends to every participant with a signaling channel, except {@code except}. */
    private void broadcast(ObjectNode message, Participant except) {
        for (Participant participant : participants.values()) {
            if (participant != except && participant.channel() != null) {
                participant.channel().send(message);
            }
        }
    }

    /** Tells the teacher which classroom each of its classroom slots carries. */
    private void sendSlots() {
        Participant current = teacher;
        if (current == null || current.channel() == null) {
            return;
        }
        ObjectNode message = JSON.createObjectNode().put("type", "slots");
        ObjectNode slots = message.putObject("slots");
        for (Purpose purpose : List.of(Purpose.CLASSROOM_VIDEO, Purpose.CLASSROOM_AUDIO)) {
            List<String> mids = forwarding.slotMids(current, purpose);
            for (int slot = 0; slot < mids.size(); slot++) {
                slots.put(mids.get(slot), (String) null);
            }
            slotOf.forEach((classroom, slot) -> {
                if (slot < mids.size()) {
                    slots.put(mids.get(slot), classroom.id());
                }
            });
        }
        current.channel().send(message);
    }
}
