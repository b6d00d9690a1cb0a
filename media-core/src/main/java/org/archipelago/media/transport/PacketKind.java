package org.archipelago.media.transport;

/**
 * What a datagram on the shared media port carries, told apart by its first byte.
 *
 * <p>RFC 7983 §7 (updating RFC 5764 §5.1.2):
 * <pre>
 *                  +----------------+
 *                  |        [0..3] -+--&gt; forward to STUN
 *                  |                |
 *                  |      [16..19] -+--&gt; forward to ZRTP
 *                  |                |
 *      packet --&gt;  |      [20..63] -+--&gt; forward to DTLS
 *                  |                |
 *                  |      [64..79] -+--&gt; forward to TURN Channel
 *                  |                |
 *                  |    [128..191] -+--&gt; forward to RTP/RTCP
 *                  +----------------+
 * </pre>
 * RTP and RTCP then share the port (rtcp-mux); RFC 5761 §4 separates them by the second byte:
 * RTCP packet types 192..223 occupy the values that would be RTP payload types 64..95 with the
 * marker bit set, which is why WebRTC never uses those payload types.
 */
public enum PacketKind {
    STUN,
    DTLS,
    RTP,
    RTCP,
    /** ZRTP, TURN channel data, or nothing we know: counted and dropped. */
    UNKNOWN;

    /** RTCP packet types 192..223 (RFC 5761 §4), seen as the second byte with the marker bit. */
    private static final int RTCP_FIRST_TYPE = 192;
    private static final int RTCP_LAST_TYPE = 223;

    /**
     * Classifies a datagram.
     *
     * @param firstByte  the first byte, 0..255
     * @param secondByte the second byte, 0..255, or -1 when the datagram is one byte long
     */
    public static PacketKind classify(int firstByte, int secondByte) {
        if (firstByte <= 3) {
            return STUN;
        }
        if (firstByte >= 20 && firstByte <= 63) {
            return DTLS;
        }
        if (firstByte >= 128 && firstByte <= 191) {
            if (secondByte >= RTCP_FIRST_TYPE && secondByte <= RTCP_LAST_TYPE) {
                return RTCP;
            }
            return secondByte < 0 ? UNKNOWN : RTP;
        }
        return UNKNOWN;
    }
}
