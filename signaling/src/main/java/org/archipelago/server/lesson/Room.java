package org.archipelago.server.lesson;

import io.netty.channel.EventLoop;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.peer.OfferRejectedException;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SdpParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One lesson: its participants and the forwarding between them, all on one media event loop.
 *
 * <p>Signaling threads call {@link #join} and {@link #leave}; the room does the work on its loop.
 * Membership is kept in a concurrent map so {@link #leave} can answer at once, but it is only
 * written on the loop.
 */
public final class Room {
    private static final Logger LOG = LoggerFactory.getLogger(Room.class);

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

    Room(String name, MediaEngine media, EventLoop loop, Consumer<Room> onEmpty) {
        this.name = name;
        this.media = media;
        this.loop = loop;
        this.onEmpty = onEmpty;
        this.forwarding = new LessonForwarding(loop);
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

    /**
     * Answers {@code offerSdp} with a new participant. Thread-safe.
     *
     * @return completes with the session once the room has admitted the participant, or
     *         exceptionally with a {@link LessonException}; null when the room has closed meanwhile
     *         (the caller opens a new one)
     */
    CompletableFuture<Lessons.MediaSession> join(Role role, String offerSdp) throws LessonException {
        synchronized (this) {
            if (closed) {
                return null;
            }
            pendingJoins++;
        }
        try {
            if (role == Role.TEACHER && teacher != null) {
                throw new LessonException(LessonError.TEACHER_PRESENT, "room " + name + " already has a teacher");
            }
            Participant participant = new Participant(this, role);
            PeerConnection peer;
            try {
                peer = media.createPeer(offerSdp, loop, participant);
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
                if (teacher != null) {
                    peer.close("a teacher is already present");
                    admitted.completeExceptionally(new LessonException(LessonError.TEACHER_PRESENT, "room " + name + " already has a teacher"));
                    return;
                }
                teacher = participant;
            }
            participants.put(peer.id(), participant);
            forwarding.added(participant);
            LOG.info("Room {}: {} {} joined", name, participant.role().wireName(), peer.id());
            admitted.complete(Lessons.answerOf(peer));
        } finally {
            // After the participant is in: a room is empty only with no one in it and no one arriving.
            joinSettled();
        }
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
        if (participant == null) {
            return false;
        }
        participant.peer().close(reason);
        return true;
    }

    /** On the loop, from the participant's peer. */
    void onConnected(Participant participant) {
        forwarding.connected(participant);
    }

    /** On the loop, from the participant's peer. */
    void onRtp(Participant participant, NegotiatedMedia media, RtpPacket packet, boolean retransmission, long nowNanos) {
        forwarding.onRtp(participant, media, packet, retransmission, nowNanos);
    }

    /** On the loop, from the participant's peer. */
    void onKeyframeRequest(Participant participant, long mediaSsrc, long nowNanos) {
        forwarding.onKeyframeRequest(participant, mediaSsrc, nowNanos);
    }

    /** On the loop: the participant's peer closed. */
    void onClosed(Participant participant, String reason) {
        if (participants.remove(participant.peer().id(), participant)) {
            forwarding.removed(participant);
            if (teacher == participant) {
                teacher = null;
            }
            LOG.info("Room {}: {} {} left ({})", name, participant.role().wireName(), participant.peer().id(), reason);
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
}
