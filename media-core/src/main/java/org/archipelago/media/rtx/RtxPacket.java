package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtp.RtpPacket;

/**
 * Builds an RTX packet (RFC 4588 §4) from the original RTP packet it retransmits.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         RTP Header                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            OSN                |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
 * |                  Original RTP Packet Payload                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The header is the original's (marker, timestamp, CSRCs and header extensions kept, §4) with the
 * RTX payload type (§8.6 apt pairing), the RTX stream's SSRC and its own sequence number. The
 * original's padding is not carried: the P bit is cleared (padding is not payload, and SRTP needs
 * none).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc4588#section-4">RFC 4588 §4</a>
 */
public final class RtxPacket {
    /** The original sequence number (OSN) that starts the RTX payload. */
    public static final int OSN_LENGTH = 2;

    private static final int FLAGS_OFFSET = 0;
    private static final int MARKER_PAYLOAD_TYPE_OFFSET = 1;
    private static final int SEQUENCE_NUMBER_OFFSET = 2;
    private static final int SSRC_OFFSET = 8;
    private static final int PADDING_BIT = 0x20;
    private static final int MARKER_BIT = 0x80;
    private static final int PAYLOAD_TYPE_MASK = 0x7F;

    private RtxPacket() {
    }

    /** The bytes {@link #write} appends for {@code original}. */
    public static int length(RtpPacket original) {
        return original.headerLength() + OSN_LENGTH + original.payloadLength();
    }

    /**
     * Appends the RTX packet for the valid {@code original} to {@code out}, which must have
     * {@link #length} writable bytes (plus whatever tailroom SRTP needs later).
     */
    public static void write(RtpPacket original, ByteBuf out, int rtxPayloadType, long rtxSsrc, int rtxSequenceNumber) {
        int start = out.writerIndex();
        ByteBuf source = original.buffer();
        out.writeBytes(source, original.offset(), original.headerLength());
        out.writeShort(original.sequenceNumber());
        out.writeBytes(source, original.payloadOffset(), original.payloadLength());
        out.setByte(start + FLAGS_OFFSET, out.getUnsignedByte(start + FLAGS_OFFSET) & ~PADDING_BIT);
        int markerAndType = out.getUnsignedByte(start + MARKER_PAYLOAD_TYPE_OFFSET);
        out.setByte(start + MARKER_PAYLOAD_TYPE_OFFSET, (markerAndType & MARKER_BIT) | (rtxPayloadType & PAYLOAD_TYPE_MASK));
        out.setShort(start + SEQUENCE_NUMBER_OFFSET, rtxSequenceNumber);
        out.setInt(start + SSRC_OFFSET, (int) rtxSsrc);
    }
}
