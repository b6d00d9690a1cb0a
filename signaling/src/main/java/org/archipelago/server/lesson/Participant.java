package org.archipelago.server.lesson;

import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.NegotiatedMedia;

import java.util.concurrent.atomic.AtomicBoolean;

/** One participant of a room: a role, a name, its WebRTC peer. Its events run on the room's loop. */
public final class Participant implements PeerConnection.Listener {
    private final Room room;
    private final Role role;
    private final String name;
    private final ParticipantChannel channel;
    private final Layout requestedLayout;
    private final boolean takeover;
    /** Set once its session is being ended, so a second request to end it is told there is none. */
    private final AtomicBoolean leaving = new AtomicBoolean();
    private PeerConnection peer;
    private Layout layout;

    Participant(Room room, Role role, String name, Layout layout, ParticipantChannel channel, boolean takeover) {
        this.room = room;
        this.role = role;
        this.name = name;
        this.requestedLayout = layout;
        this.channel = channel;
        this.takeover = takeover;
    }

    /** Marks the session as ending; true only for the first caller. Thread-safe. */
    boolean markLeaving() {
        return leaving.compareAndSet(false, true);
    }

    /** A teacher that presented the room's teacher credential to replace the current one. */
    boolean takesOver() {
        return takeover;
    }

    void attach(PeerConnection peer) {
        this.peer = peer;
        this.layout = requestedLayout != null ? requestedLayout : Layout.implicit(peer.answer());
    }

    public Role role() {
        return role;
    }

    public String name() {
        return name;
    }

    public String id() {
        return peer.id();
    }

    public PeerConnection peer() {
        return peer;
    }

    Layout layout() {
        return layout;
    }

    /** The participant's signaling connection, or null (WHIP, WHEP). */
    ParticipantChannel channel() {
        return channel;
    }

    @Override
    public void onConnected(PeerConnection peer) {
        room.onConnected(this);
    }

    @Override
    public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
        room.onRtp(this, media, packet, recovered, nowNanos);
    }

    @Override
    public void onKeyframeRequest(PeerConnection peer, long mediaSsrc, long nowNanos) {
        room.onKeyframeRequest(this, mediaSsrc, nowNanos);
    }

    @Override
    public void onClosed(PeerConnection peer, String reason) {
        room.onClosed(this, reason);
    }
}
