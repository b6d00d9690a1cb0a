package org.archipelago.media.peer;

/** Why a {@link PeerConnection} dropped a datagram; each is counted (see {@link PeerConnection#dropCount}). */
public enum PeerDropReason {
    /** A STUN message the ICE agent did not answer (its own counters say why). */
    STUN_NOT_ANSWERED,
    /** SRTP or SRTCP before DTLS produced keys. */
    MEDIA_BEFORE_KEYS,
    /** SRTP/SRTCP that did not unprotect (the SRTP session's counters say why). */
    SRTP_UNPROTECT_REFUSED,
    /** Decrypted RTP whose header is not valid. */
    RTP_MALFORMED,
    /** RTP that belongs to no negotiated m-section (SSRC, MID and payload type say nothing: RFC 8843 §9.2). */
    RTP_UNKNOWN_STREAM,
    /**
     * RTP of a known stream (its SSRC or MID places it) with a payload type its section did not
     * negotiate: on an RTX SSRC, an RTX payload type never offered, for one.
     */
    RTP_UNKNOWN_PAYLOAD_TYPE,
    /** Decrypted RTCP whose compound structure is not valid (the valid part before is used). */
    RTCP_MALFORMED,
    /** A datagram that arrived after the peer closed. */
    CLOSED,
    /** Something to send but no nominated/selected address or keys yet. */
    SEND_NOT_READY,
    /** Something to send that SRTP refused to protect (no tailroom, too many streams: see its counters). */
    SRTP_PROTECT_REFUSED;

    public static final int COUNT = values().length;
}
