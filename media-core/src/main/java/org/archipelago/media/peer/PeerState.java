package org.archipelago.media.peer;

/** The life of a {@link PeerConnection}. */
public enum PeerState {
    /** Answer given; waiting for ICE checks and the DTLS handshake. */
    CONNECTING,
    /** DTLS is done and SRTP keys are in place: media flows both ways. */
    CONNECTED,
    /** Closed for good; every resource is freed. */
    CLOSED
}
