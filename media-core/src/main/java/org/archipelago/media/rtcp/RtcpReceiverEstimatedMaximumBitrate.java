package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over a receiver estimated maximum bitrate message (REMB: PSFB, PT 206, FMT 15,
 * application layer feedback identified by the ASCII "REMB"). The bitrate is
 * mantissa &times; 2<sup>exponent</sup> bits per second, for the media of the listed SSRCs.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P| FMT=15  |   PT=206      |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source (0)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Unique identifier 'R' 'E' 'M' 'B'                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   SSRC feedback (Num SSRC entries)  ...                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @see <a href="https://datatracker.ietf.org/doc/html/draft-alvestrand-rmcat-remb-03#section-2.2">draft-alvestrand-rmcat-remb §2.2</a>
 */
public final class RtcpReceiverEstimatedMaximumBitrate {
    public static final int FORMAT = 15;
    /** "REMB" in ASCII, the application-layer feedback identifier. */
    public static final int IDENTIFIER = 0x52454D42;
    public static final int MAX_SSRC_COUNT = 255;

    static final int IDENTIFIER_OFFSET = 12;
    static final int SSRC_COUNT_OFFSET = 16;
    static final int BITRATE_OFFSET = 17;
    static final int SSRC_LIST_OFFSET = 20;
    static final int SSRC_LENGTH = 4;
    static final int EXPONENT_SHIFT = 18;
    static final int MANTISSA_MASK = (1 << EXPONENT_SHIFT) - 1;
    static final int EXPONENT_MASK = 0x3F;

    private ByteBuf buffer;
    private int offset;
    private boolean valid;

    /** Points this view at the packet at {@code offset}; checks the identifier and that the SSRC list fits. */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.PAYLOAD_FEEDBACK, FORMAT);
        valid = content >= SSRC_LIST_OFFSET
                && buffer.getInt(offset + IDENTIFIER_OFFSET) == IDENTIFIER
                && content >= SSRC_LIST_OFFSET + SSRC_LENGTH * buffer.getUnsignedByte(offset + SSRC_COUNT_OFFSET);
        return valid;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return RtcpFeedback.senderSsrc(buffer, offset);
    }

    public int exponent() {
        return (buffer.getUnsignedMedium(offset + BITRATE_OFFSET) >>> EXPONENT_SHIFT) & EXPONENT_MASK;
    }

    public int mantissa() {
        return buffer.getUnsignedMedium(offset + BITRATE_OFFSET) & MANTISSA_MASK;
    }

    /** Estimated maximum bitrate in bits per second; saturates at {@link Long#MAX_VALUE}. */
    public long bitrate() {
        long mantissa = mantissa();
        int exponent = exponent();
        if (mantissa != 0 && exponent >= Long.numberOfLeadingZeros(mantissa)) {
            return Long.MAX_VALUE;
        }
        return mantissa << exponent;
    }

    public int ssrcCount() {
        return buffer.getUnsignedByte(offset + SSRC_COUNT_OFFSET);
    }

    public long ssrc(int index) {
        return buffer.getUnsignedInt(offset + SSRC_LIST_OFFSET + SSRC_LENGTH * index);
    }

    /**
     * Appends a REMB for {@code bitrate} bits per second covering the first {@code ssrcCount}
     * entries of {@code ssrcs}. The bitrate is rounded down to an 18-bit mantissa, as libwebrtc does.
     *
     * @throws IllegalArgumentException for a negative bitrate or more than 255 SSRCs
     */
    public static void write(ByteBuf out, long senderSsrc, long bitrate, long[] ssrcs, int ssrcCount) {
        if (bitrate < 0 || ssrcCount < 0 || ssrcCount > MAX_SSRC_COUNT || ssrcCount > ssrcs.length) {
            throw new IllegalArgumentException("REMB needs a bitrate >= 0 and 0 to 255 SSRCs");
        }
        int exponent = 0;
        while ((bitrate >>> exponent) > MANTISSA_MASK) {
            exponent++;
        }
        int start = RtcpFeedback.start(out, FORMAT, RtcpHeader.PAYLOAD_FEEDBACK, senderSsrc, 0);
        out.writeInt(IDENTIFIER);
        out.writeByte(ssrcCount);
        out.writeMedium(exponent << EXPONENT_SHIFT | (int) (bitrate >>> exponent));
        for (int i = 0; i < ssrcCount; i++) {
            out.writeInt((int) ssrcs[i]);
        }
        RtcpHeader.finish(out, start);
    }
}
