package org.archipelago.media.rtp;

/**
 * The abs-send-time header extension value: a 24-bit, 6.18 fixed-point count of seconds that wraps
 * every 64 s. The forwarder stamps it on each egress packet so the receiver's delay-based estimator
 * sees our send times, not the publisher's.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ID   | len=2 |              absolute send time               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @see <a href="https://webrtc.googlesource.com/src/+/refs/heads/main/docs/native-code/rtp-hdrext/abs-send-time/">abs-send-time</a>
 */
public final class AbsoluteSendTime {
    /** Length of the extension's data. */
    public static final int VALUE_LENGTH = 3;
    /** RTP header extension URI negotiated in SDP. */
    public static final String URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    private static final int FRACTION_BITS = 18;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The 24-bit field wraps after 2^6 s; reducing first keeps the shift below from overflowing. */
    private static final long WRAP_NANOS = 64 * NANOS_PER_SECOND;
    private static final int VALUE_MASK = 0xFF_FFFF;

    private AbsoluteSendTime() {
    }

    /** The 24-bit abs-send-time for a monotonic time in nanoseconds (any epoch). */
    public static int fromNanos(long nanos) {
        long withinWrap = Math.floorMod(nanos, WRAP_NANOS);
        return (int) ((withinWrap << FRACTION_BITS) / NANOS_PER_SECOND) & VALUE_MASK;
    }
}
