package org.archipelago.server.lesson;

import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.NegotiatedMedia;

/** One participant of a room: a role and its WebRTC peer. Its events run on the room's loop. */
public final class Participant implements PeerConnection.Listener {
    private final Room room;
    private final Role role;
    private PeerConnection peer;

    Participant(Room room, Role role) {
        this.room = room;
        this.role = role;
    }

    void attach(PeerConnection peer) {
        this.peer = peer;
    }

    public Role role() {
        return role;
    }

    public PeerConnection peer() {
        return peer;
    }

    @Override
    public void onConnected(PeerConnection peer) {
        room.onConnected(this);
    }

    @Override
    public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean retransmission, long nowNanos) {
        room.onRtp(this, media, packet, retransmission, nowNanos);
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
