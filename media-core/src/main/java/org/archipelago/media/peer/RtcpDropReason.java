package org.archipelago.media.peer;

/**
 * Why a {@link PeerConnection} ignored one packet of a decrypted RTCP compound; the other packets
 * of the compound are still used. Each is counted ({@link PeerConnection#rtcpDropCount}). A compound
 * whose structure breaks (a header's length beyond the datagram) is {@link PeerDropReason#RTCP_MALFORMED}
 * instead, and a NACKed sequence number that is not retransmitted is counted by
 * {@link org.archipelago.media.rtx.RetransmissionDropReason}.
 */
public enum RtcpDropReason {
    /** An SR or RR whose report blocks overrun the packet (RFC 3550 §6.4). */
    REPORT_MALFORMED,
    /** An XR with a block that overruns it, or an RRTR or DLRR block of the wrong length (RFC 3611 §4.4, §4.5). */
    EXTENDED_REPORT_MALFORMED,
    /** A NACK without a (PID, BLP) pair, a PLI shorter than 12 bytes, a FIR without an entry (RFC 4585 §6, RFC 5104 §4.3.1). */
    FEEDBACK_MALFORMED,
    /** A PLI, or a FIR entry, about an SSRC we do not send on this leg. */
    KEYFRAME_REQUEST_UNKNOWN_SSRC;

    public static final int COUNT = values().length;
}
