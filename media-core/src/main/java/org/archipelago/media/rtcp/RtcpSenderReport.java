package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over an RTCP sender report (PT 200).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|    RC   |   PT=SR=200   |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         SSRC of sender                        |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |              NTP timestamp, most significant word             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             NTP timestamp, least significant word             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         RTP timestamp                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     sender's packet count                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      sender's octet count                     |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 report blocks (RC x 24 bytes)                 |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                  profile-specific extensions                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Write one with {@link #begin}, then {@link RtcpReportBlock#write} per block, then {@link #end}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1">RFC 3550 §6.4.1</a>
 */
public final class RtcpSenderReport {
    static final int SENDER_SSRC_OFFSET = 4;
    static final int NTP_TIMESTAMP_OFFSET = 8;
    static final int RTP_TIMESTAMP_OFFSET = 16;
    static final int PACKET_COUNT_OFFSET = 20;
    static final int OCTET_COUNT_OFFSET = 24;
    static final int REPORT_BLOCKS_OFFSET = 28;

    private final RtcpReportBlock reportBlock = new RtcpReportBlock();
    private ByteBuf buffer;
    private int offset;
    private boolean valid;

    /**
     * Points this view at the packet at {@code offset} (at most {@code length} bytes) and checks
     * its header and that the sender info and every report block lie within it.
     */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.SENDER_REPORT, -1);
        valid = RtcpReceiverReport.reportBlocksFit(buffer, offset, content, REPORT_BLOCKS_OFFSET);
        return valid;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return buffer.getUnsignedInt(offset + SENDER_SSRC_OFFSET);
    }

    /** The 64-bit NTP timestamp (32.32 fixed point seconds since 1900). */
    public long ntpTimestamp() {
        return buffer.getLong(offset + NTP_TIMESTAMP_OFFSET);
    }

    public long rtpTimestamp() {
        return buffer.getUnsignedInt(offset + RTP_TIMESTAMP_OFFSET);
    }

    public long packetCount() {
        return buffer.getUnsignedInt(offset + PACKET_COUNT_OFFSET);
    }

    public long octetCount() {
        return buffer.getUnsignedInt(offset + OCTET_COUNT_OFFSET);
    }

    public int reportBlockCount() {
        return RtcpHeader.count(buffer, offset);
    }

    /**
     * Positions this view's shared report-block view at block {@code index} (below
     * {@link #reportBlockCount()}) and returns it; valid until the next call.
     */
    public RtcpReportBlock reportBlock(int index) {
        return reportBlock.wrap(buffer, offset + REPORT_BLOCKS_OFFSET + RtcpReportBlock.LENGTH * index);
    }

    /**
     * Appends the header and sender info of an SR with no report blocks yet.
     *
     * @return the packet's start index, to pass to {@link #end}
     */
    public static int begin(ByteBuf out, long senderSsrc, long ntpTimestamp, long rtpTimestamp,
                            long packetCount, long octetCount) {
        int start = RtcpHeader.start(out, 0, RtcpHeader.SENDER_REPORT);
        out.writeInt((int) senderSsrc);
        out.writeLong(ntpTimestamp);
        out.writeInt((int) rtpTimestamp);
        out.writeInt((int) packetCount);
        out.writeInt((int) octetCount);
        return start;
    }

    /** Sets the report count from the blocks appended since {@link #begin} and the length field. */
    public static void end(ByteBuf out, int start) {
        RtcpReceiverReport.endReport(out, start, REPORT_BLOCKS_OFFSET);
    }
}
