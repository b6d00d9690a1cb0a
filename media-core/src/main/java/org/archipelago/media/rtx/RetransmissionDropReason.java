package org.archipelago.media.rtx;

/** Why a sequence number a peer NACKed was not retransmitted; each is counted by {@link NackResponder}. */
public enum RetransmissionDropReason {
    /** The NACK names an SSRC we do not send, or one without NACK negotiated (so without history). */
    UNKNOWN_SSRC,
    /** Evicted from the history, or older than its maximum age: too late to help. */
    TOO_OLD,
    /** Never sent: ahead of the newest packet, or a sequence number the stream skipped. */
    NOT_SENT,
    /** Already retransmitted less than 3/4 of an RTT ago (the NACK crossed our retransmission). */
    WITHIN_RTT,
    /** Beyond the sequence numbers one NACK packet may ask for ({@link NackResponder.Limits#maxPerNack}). */
    OVER_NACK_LIMIT,
    /** Beyond the retransmissions per second ({@link NackResponder.Limits#maxPerSecond}). */
    OVER_RATE_LIMIT;

    public static final int COUNT = values().length;
}
