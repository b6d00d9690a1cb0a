package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Steps through the packets of a compound RTCP packet (RFC 3550 §6.1), validating each header in
 * turn, without allocating. Reusable: {@link #wrap} it for each datagram.
 *
 * <pre>
 * +--------+---------+---------+-----+   each packet: a 4-byte header (see {@link RtcpHeader})
 * | SR/RR  |  SDES   |  RTPFB  | ... |   whose length field (words minus one) says where
 * +--------+---------+---------+-----+   the next packet starts
 * </pre>
 *
 * Iteration stops at the first header that is invalid (version other than 2, length beyond the
 * datagram, bad padding count) or at trailing bytes too short for a header; {@link #isMalformed()}
 * then tells the caller to count the datagram's remainder as dropped. Packets before it stay
 * usable. The first-packet-must-be-SR/RR rule of RFC 3550 appendix A.2 is not enforced, since
 * reduced-size RTCP (RFC 5506) lifts it.
 *
 * <pre>{@code
 * for (iterator.wrap(buf, off, len); iterator.next(); ) {
 *     switch (iterator.packetType()) { case RtcpHeader.SENDER_REPORT -> ... }
 * }
 * if (iterator.isMalformed()) malformedRtcp++;
 * }</pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.1">RFC 3550 §6.1</a>
 */
public final class RtcpCompoundIterator {
    private ByteBuf buffer;
    private int nextOffset;
    private int end;
    private boolean malformed;
    private int packetOffset;
    private int packetLength;
    private int contentLength;

    /** Positions the iterator before the first packet of {@code length} bytes at {@code offset}. */
    public RtcpCompoundIterator wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.packetOffset = -1;
        this.packetLength = 0;
        this.contentLength = 0;
        boolean inBounds = buffer != null && offset >= 0 && length >= 0 && length <= buffer.capacity() - offset;
        this.malformed = !inBounds || length == 0;
        this.nextOffset = inBounds ? offset : 0;
        this.end = inBounds ? offset + length : 0;
        return this;
    }

    /** Wraps the readable bytes of {@code buffer}. */
    public RtcpCompoundIterator wrap(ByteBuf buffer) {
        return wrap(buffer, buffer.readerIndex(), buffer.readableBytes());
    }

    /** Advances to the next packet; false at the end of the datagram or at a malformed header. */
    public boolean next() {
        if (malformed || nextOffset >= end) {
            packetOffset = -1;
            return false;
        }
        int content = RtcpHeader.contentLength(buffer, nextOffset, end - nextOffset);
        if (content < 0) {
            malformed = true;
            packetOffset = -1;
            return false;
        }
        packetOffset = nextOffset;
        packetLength = (buffer.getUnsignedShort(nextOffset + RtcpHeader.LENGTH_OFFSET) + 1) * RtcpHeader.WORD;
        contentLength = content;
        nextOffset += packetLength;
        return true;
    }

    /** True when iteration stopped at an invalid header rather than at the end of the datagram. */
    public boolean isMalformed() {
        return malformed;
    }

    public ByteBuf buffer() {
        return buffer;
    }

    /** Absolute index of the current packet's first byte; pass it to a view's {@code wrap}. */
    public int packetOffset() {
        return packetOffset;
    }

    /** The current packet's length in bytes, header and padding included. */
    public int packetLength() {
        return packetLength;
    }

    /** The current packet's length in bytes without its padding. */
    public int contentLength() {
        return contentLength;
    }

    public int packetType() {
        return RtcpHeader.packetType(buffer, packetOffset);
    }

    /** The 5-bit count (SR, RR, SDES, BYE) or feedback message type (RTPFB, PSFB). */
    public int count() {
        return RtcpHeader.count(buffer, packetOffset);
    }
}
