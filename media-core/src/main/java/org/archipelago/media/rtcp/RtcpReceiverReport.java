package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over an RTCP receiver report (PT 201).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|    RC   |   PT=RR=201   |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     SSRC of packet sender                     |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 report blocks (RC x 24 bytes)                 |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                  profile-specific extensions                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Write one with {@link #begin}, then {@link RtcpReportBlock#write} per block, then {@link #end}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.4.2">RFC 3550 §6.4.2</a>
 */
public final class RtcpReceiverReport {
    static final int SENDER_SSRC_OFFSET = 4;
    static final int REPORT_BLOCKS_OFFSET = 8;

    private final RtcpReportBlock reportBlock = new RtcpReportBlock();
    private ByteBuf buffer;
    private int offset;
    private boolean valid;

    /** Points this view at the packet at {@code offset} and checks that every block lies within it. */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.RECEIVER_REPORT, -1);
        valid = reportBlocksFit(buffer, offset, content, REPORT_BLOCKS_OFFSET);
        return valid;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return buffer.getUnsignedInt(offset + SENDER_SSRC_OFFSET);
    }

    public int reportBlockCount() {
        return RtcpHeader.count(buffer, offset);
    }

    /** Positions the shared report-block view at block {@code index} and returns it. */
    public RtcpReportBlock reportBlock(int index) {
        return reportBlock.wrap(buffer, offset + REPORT_BLOCKS_OFFSET + RtcpReportBlock.LENGTH * index);
    }

    /** Appends the header of an RR with no report blocks yet; returns its start for {@link #end}. */
    public static int begin(ByteBuf out, long senderSsrc) {
        int start = RtcpHeader.start(out, 0, RtcpHeader.RECEIVER_REPORT);
        out.writeInt((int) senderSsrc);
        return start;
    }

    /** Sets the report count from the blocks appended since {@link #begin} and the length field. */
    public static void end(ByteBuf out, int start) {
        endReport(out, start, REPORT_BLOCKS_OFFSET);
    }

    // An RR is an SR without the sender info (RFC 3550 §6.4.2): in both, RC report blocks follow a
    // fixed part, so RtcpSenderReport checks and counts its blocks with these two as well.

    /** True when {@code content} (negative if the header was refused) holds the RC blocks that start at {@code blocksOffset}. */
    static boolean reportBlocksFit(ByteBuf buffer, int offset, int content, int blocksOffset) {
        return content >= 0 && content >= blocksOffset + RtcpReportBlock.LENGTH * RtcpHeader.count(buffer, offset);
    }

    /** Sets RC from the blocks appended after {@code blocksOffset}, and the length field. */
    static void endReport(ByteBuf out, int start, int blocksOffset) {
        int blocks = (out.writerIndex() - start - blocksOffset) / RtcpReportBlock.LENGTH;
        RtcpHeader.setCount(out, start, blocks);
        RtcpHeader.finish(out, start);
    }
}
