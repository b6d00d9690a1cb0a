package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A view over one 24-byte reception report block of an SR or RR. Positioned by
 * {@link RtcpSenderReport#reportBlock} or {@link RtcpReceiverReport#reportBlock}, which have
 * checked that the block lies within the packet.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 SSRC_n (SSRC of source n)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | fraction lost |       cumulative number of packets lost       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           extended highest sequence number received           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      interarrival jitter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         last SR (LSR)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay since last SR (DLSR)                  |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * </pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1">RFC 3550 §6.4.1</a>
 */
public final class RtcpReportBlock {
    public static final int LENGTH = 24;

    static final int SSRC_OFFSET = 0;
    static final int FRACTION_LOST_OFFSET = 4;
    static final int CUMULATIVE_LOST_OFFSET = 5;
    static final int HIGHEST_SEQUENCE_OFFSET = 8;
    static final int JITTER_OFFSET = 12;
    static final int LAST_SR_OFFSET = 16;
    static final int DELAY_SINCE_LAST_SR_OFFSET = 20;
    static final int CUMULATIVE_LOST_MASK = 0xFF_FFFF;

    private ByteBuf buffer;
    private int offset;

    RtcpReportBlock wrap(ByteBuf buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public long ssrc() {
        return buffer.getUnsignedInt(offset + SSRC_OFFSET);
    }

    /** Fraction of packets lost since the previous report, in 1/256 units. */
    public int fractionLost() {
        return buffer.getUnsignedByte(offset + FRACTION_LOST_OFFSET);
    }

    /** Cumulative packets lost: a signed 24-bit count, negative when duplicates outnumber losses. */
    public int cumulativeLost() {
        return buffer.getMedium(offset + CUMULATIVE_LOST_OFFSET);
    }

    public long extendedHighestSequenceNumber() {
        return buffer.getUnsignedInt(offset + HIGHEST_SEQUENCE_OFFSET);
    }

    /** Interarrival jitter in RTP timestamp units. */
    public long jitter() {
        return buffer.getUnsignedInt(offset + JITTER_OFFSET);
    }

    /** The middle 32 bits of the NTP timestamp of the last SR received from this source. */
    public long lastSenderReport() {
        return buffer.getUnsignedInt(offset + LAST_SR_OFFSET);
    }

    /** Delay since that SR was received, in 1/65536 s. */
    public long delaySinceLastSenderReport() {
        return buffer.getUnsignedInt(offset + DELAY_SINCE_LAST_SR_OFFSET);
    }

    /**
     * Appends one report block at the writer index of {@code out}; {@code cumulativeLost} is
     * clamped to the signed 24-bit range as RFC 3550 §6.4.1 asks.
     */
    public static void write(ByteBuf out, long ssrc, int fractionLost, int cumulativeLost,
                             long extendedHighestSequenceNumber, long jitter,
                             long lastSenderReport, long delaySinceLastSenderReport) {
        int clamped = Math.max(-(1 << 23), Math.min((1 << 23) - 1, cumulativeLost));
        out.writeInt((int) ssrc);
        out.writeByte(fractionLost);
        out.writeMedium(clamped & CUMULATIVE_LOST_MASK);
        out.writeInt((int) extendedHighestSequenceNumber);
        out.writeInt((int) jitter);
        out.writeInt((int) lastSenderReport);
        out.writeInt((int) delaySinceLastSenderReport);
    }
}
