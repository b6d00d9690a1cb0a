package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * The common layout of RTCP feedback messages (RTPFB PT 205, PSFB PT 206), shared by the views of
 * the individual message types.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|   FMT   |       PT      |          length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :            Feedback Control Information (FCI)                 :
 * </pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc4585#section-6.1">RFC 4585 §6.1</a>
 */
public final class RtcpFeedback {
    static final int SENDER_SSRC_OFFSET = 4;
    static final int MEDIA_SSRC_OFFSET = 8;
    static final int FCI_OFFSET = 12;

    private RtcpFeedback() {
    }

    /** SSRC of the packet sender of the feedback message at {@code offset}. */
    public static long senderSsrc(ByteBuf buffer, int offset) {
        return buffer.getUnsignedInt(offset + SENDER_SSRC_OFFSET);
    }

    /** SSRC of the media source the feedback message at {@code offset} is about. */
    public static long mediaSsrc(ByteBuf buffer, int offset) {
        return buffer.getUnsignedInt(offset + MEDIA_SSRC_OFFSET);
    }

    /** Appends the common header with a zero length field; returns its start for {@link RtcpHeader#finish}. */
    static int start(ByteBuf out, int format, int packetType, long senderSsrc, long mediaSsrc) {
        int start = RtcpHeader.start(out, format, packetType);
        out.writeInt((int) senderSsrc);
        out.writeInt((int) mediaSsrc);
        return start;
    }
}
