package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * The 4-byte header every RTCP packet starts with, and the checks and writes shared by the views.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P| count/FMT |     PT      |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The length is the packet's size in 32-bit words minus one, header and padding included. With
 * P = 1 the packet's last octet counts the padding octets, itself included. The 5-bit field is a
 * report/source count for SR, RR, SDES and BYE, the feedback message type (FMT) for RTPFB and
 * PSFB (RFC 4585 §6.1), and reserved (0) for XR (RFC 3611 §2).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1">RFC 3550 §6.4.1</a>
 */
public final class RtcpHeader {
    public static final int VERSION = 2;
    public static final int HEADER_LENGTH = 4;

    public static final int SENDER_REPORT = 200;
    public static final int RECEIVER_REPORT = 201;
    public static final int SOURCE_DESCRIPTION = 202;
    public static final int GOODBYE = 203;
    public static final int APPLICATION_DEFINED = 204;
    /** Transport-layer feedback, RFC 4585 §6.2. */
    public static final int TRANSPORT_FEEDBACK = 205;
    /** Payload-specific feedback, RFC 4585 §6.3. */
    public static final int PAYLOAD_FEEDBACK = 206;
    /** Extended report (XR), RFC 3611 §2. */
    public static final int EXTENDED_REPORT = 207;

    /** Largest value of the 5-bit count/FMT field. */
    public static final int MAX_COUNT = 31;

    static final int FLAGS_OFFSET = 0;
    static final int PACKET_TYPE_OFFSET = 1;
    static final int LENGTH_OFFSET = 2;
    static final int VERSION_SHIFT = 6;
    static final int PADDING_BIT = 0x20;
    static final int COUNT_MASK = 0x1F;
    static final int WORD = 4;

    private RtcpHeader() {
    }

    /** The 5-bit count/FMT field of the packet at {@code offset}. */
    public static int count(ByteBuf buffer, int offset) {
        return buffer.getUnsignedByte(offset + FLAGS_OFFSET) & COUNT_MASK;
    }

    public static int packetType(ByteBuf buffer, int offset) {
        return buffer.getUnsignedByte(offset + PACKET_TYPE_OFFSET);
    }

    /**
     * Validates the header of the packet at {@code offset} with at most {@code available} bytes:
     * version 2, length words within {@code available}, and a sane padding count.
     *
     * @return the packet's length in bytes without padding, or -1 when invalid
     */
    static int contentLength(ByteBuf buffer, int offset, int available) {
        if (buffer == null || offset < 0 || available < HEADER_LENGTH
                || available > buffer.capacity() - offset) {
            return -1;
        }
        int flags = buffer.getUnsignedByte(offset + FLAGS_OFFSET);
        if (flags >>> VERSION_SHIFT != VERSION) {
            return -1;
        }
        int packetLength = (buffer.getUnsignedShort(offset + LENGTH_OFFSET) + 1) * WORD;
        if (packetLength > available) {
            return -1;
        }
        if ((flags & PADDING_BIT) == 0) {
            return packetLength;
        }
        int padding = buffer.getUnsignedByte(offset + packetLength - 1);
        if (padding == 0 || padding > packetLength - HEADER_LENGTH) {
            return -1;
        }
        return packetLength - padding;
    }

    /**
     * Validates the header like {@link #contentLength} and also its packet type and, when
     * {@code expectedCount >= 0}, its count/FMT field.
     *
     * @return the packet's length in bytes without padding, or -1 when invalid
     */
    static int contentLength(ByteBuf buffer, int offset, int available, int expectedType, int expectedCount) {
        int content = contentLength(buffer, offset, available);
        if (content < 0 || packetType(buffer, offset) != expectedType
                || (expectedCount >= 0 && count(buffer, offset) != expectedCount)) {
            return -1;
        }
        return content;
    }

    /**
     * Writes a header with a zero length field at the writer index and returns its index, to be
     * passed to {@link #finish} once the body is written.
     */
    static int start(ByteBuf out, int count, int packetType) {
        int start = out.writerIndex();
        out.writeByte(VERSION << VERSION_SHIFT | (count & COUNT_MASK));
        out.writeByte(packetType);
        out.writeShort(0);
        return start;
    }

    /**
     * Pads the packet begun at {@code start} to a 32-bit boundary and fills in its length field.
     * Zero bytes are appended with the P bit set and the count in the last byte (RFC 3550 §6.4.1),
     * as libwebrtc does for transport-wide feedback.
     */
    static void finish(ByteBuf out, int start) {
        int unaligned = (out.writerIndex() - start) % WORD;
        if (unaligned != 0) {
            int padding = WORD - unaligned;
            out.writeZero(padding - 1);
            out.writeByte(padding);
            out.setByte(start + FLAGS_OFFSET, out.getUnsignedByte(start + FLAGS_OFFSET) | PADDING_BIT);
        }
        out.setShort(start + LENGTH_OFFSET, (out.writerIndex() - start) / WORD - 1);
    }

    /** Rewrites the count/FMT field of the packet begun at {@code start}, keeping V and P. */
    static void setCount(ByteBuf out, int start, int count) {
        int flags = out.getUnsignedByte(start + FLAGS_OFFSET);
        out.setByte(start + FLAGS_OFFSET, (flags & ~COUNT_MASK) | (count & COUNT_MASK));
    }
}
