package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over an RTCP extended report (XR, PT 207), and its writer, for the two blocks
 * that give a receiver a round-trip time: the Receiver Reference Time Report (RRTR, BT 4) and the
 * DLRR (BT 5) that answers it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|reserved |   PT=XR=207   |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                              SSRC                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :                         report blocks                         :
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * each report block (RFC 3611 §3): block length is its size in 32-bit words minus one
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      BT       | type-specific |         block length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :             type-specific block contents                      :
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RRTR (RFC 3611 §4.4): a receiver's NTP time, for the sender to echo
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     BT=4      |   reserved    |       block length = 2        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              NTP timestamp, most significant word             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             NTP timestamp, least significant word             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * DLRR (RFC 3611 §4.5): one sub-block per RRTR sender answered; block length = 3 × sub-blocks
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     BT=5      |   reserved    |         block length          |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 SSRC_1 (SSRC of first receiver)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         last RR (LRR)                         |  middle 32 bits of its RRTR
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay since last RR (DLRR)                  |  in 1/65536 s
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * :                  further sub-blocks (SSRC_2, ...)             :
 * </pre>
 *
 * The RRTR's sender gets RTT = A − LRR − DLRR (A: when the DLRR arrived, compact NTP), as with an
 * SR's LSR/DLSR, but as a receiver: a leg on which the server only receives has no SR to echo.
 *
 * <p>{@link #wrap} checks every block: each must lie within the packet, an RRTR must be 12 bytes
 * and a DLRR a whole number of sub-blocks; otherwise the whole XR is refused. Blocks of other types
 * are skipped (RFC 3611 §3 lets a receiver ignore what it does not understand). Read the blocks with
 * {@link #nextBlock()}; nothing is allocated.
 *
 * <p>Write one with {@link #begin}, then {@link #writeReceiverReferenceTime} and/or
 * {@link #beginDlrr}, {@link #writeDlrrSubBlock}..., {@link #endDlrr}, then {@link #end}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3611#section-2">RFC 3611 §2</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3611#section-4.4">RFC 3611 §4.4 (RRTR)</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3611#section-4.5">RFC 3611 §4.5 (DLRR)</a>
 */
public final class RtcpExtendedReport {
    /** Block type of the Receiver Reference Time Report. */
    public static final int RECEIVER_REFERENCE_TIME = 4;
    /** Block type of the DLRR report block. */
    public static final int DLRR = 5;
    /** Bytes of a whole RRTR block, header included. */
    public static final int RECEIVER_REFERENCE_TIME_LENGTH = 12;
    /** Bytes of one DLRR sub-block. */
    public static final int DLRR_SUB_BLOCK_LENGTH = 12;
    /** Bytes of a report block's header (BT, type-specific, block length). */
    public static final int BLOCK_HEADER_LENGTH = 4;
    /** Bytes of the XR header and SSRC, before the first block. */
    public static final int HEADER_LENGTH = 8;

    static final int SENDER_SSRC_OFFSET = 4;
    static final int BLOCKS_OFFSET = 8;
    static final int BLOCK_TYPE_OFFSET = 0;
    static final int BLOCK_LENGTH_OFFSET = 2;
    static final int NTP_TIMESTAMP_OFFSET = 4;
    static final int SUB_BLOCK_SSRC_OFFSET = 0;
    static final int SUB_BLOCK_LAST_RR_OFFSET = 4;
    static final int SUB_BLOCK_DELAY_OFFSET = 8;

    private ByteBuf buffer;
    private int offset;
    private int end;
    private boolean valid;
    private int nextBlockOffset;
    private int blockOffset = -1;
    private int blockLength;

    /**
     * Points this view at the packet at {@code offset} (at most {@code length} bytes) and checks its
     * header and every block in it; positions the block cursor before the first block.
     */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.EXTENDED_REPORT, -1);
        valid = content >= HEADER_LENGTH && blocksFit(buffer, offset + BLOCKS_OFFSET, offset + content);
        end = valid ? offset + content : offset;
        rewind();
        return valid;
    }

    private static boolean blocksFit(ByteBuf buffer, int from, int end) {
        int position = from;
        while (position < end) {
            if (end - position < BLOCK_HEADER_LENGTH) {
                return false;
            }
            int length = blockBytes(buffer, position);
            if (length > end - position) {
                return false;
            }
            int type = buffer.getUnsignedByte(position + BLOCK_TYPE_OFFSET);
            if (type == RECEIVER_REFERENCE_TIME && length != RECEIVER_REFERENCE_TIME_LENGTH) {
                return false;
            }
            if (type == DLRR && (length - BLOCK_HEADER_LENGTH) % DLRR_SUB_BLOCK_LENGTH != 0) {
                return false;
            }
            position += length;
        }
        return true;
    }

    private static int blockBytes(ByteBuf buffer, int blockOffset) {
        return (buffer.getUnsignedShort(blockOffset + BLOCK_LENGTH_OFFSET) + 1) * RtcpHeader.WORD;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return buffer.getUnsignedInt(offset + SENDER_SSRC_OFFSET);
    }

    /** Moves the block cursor back before the first block. */
    public void rewind() {
        nextBlockOffset = offset + BLOCKS_OFFSET;
        blockOffset = -1;
        blockLength = 0;
    }

    /** Advances to the next report block of a valid XR; false after the last. */
    public boolean nextBlock() {
        if (!valid || nextBlockOffset >= end) {
            blockOffset = -1;
            return false;
        }
        blockOffset = nextBlockOffset;
        blockLength = blockBytes(buffer, blockOffset);
        nextBlockOffset += blockLength;
        return true;
    }

    /** The current block's type (BT). */
    public int blockType() {
        return buffer.getUnsignedByte(blockOffset + BLOCK_TYPE_OFFSET);
    }

    /** The current block's length in bytes, header included. */
    public int blockLength() {
        return blockLength;
    }

    /** The 64-bit NTP timestamp of the current block, an RRTR. */
    public long receiverReferenceTime() {
        return buffer.getLong(blockOffset + NTP_TIMESTAMP_OFFSET);
    }

    /** Sub-blocks in the current block, a DLRR. */
    public int dlrrSubBlockCount() {
        return (blockLength - BLOCK_HEADER_LENGTH) / DLRR_SUB_BLOCK_LENGTH;
    }

    /** SSRC of the receiver whose RRTR sub-block {@code index} of the current DLRR answers. */
    public long dlrrSsrc(int index) {
        return buffer.getUnsignedInt(subBlock(index) + SUB_BLOCK_SSRC_OFFSET);
    }

    /** LRR of sub-block {@code index}: the middle 32 bits of the NTP time of the RRTR it answers, 0 when none. */
    public long dlrrLastReceiverReport(int index) {
        return buffer.getUnsignedInt(subBlock(index) + SUB_BLOCK_LAST_RR_OFFSET);
    }

    /** DLRR of sub-block {@code index}: the delay from that RRTR's arrival to this report, in 1/65536 s. */
    public long dlrrDelaySinceLastReceiverReport(int index) {
        return buffer.getUnsignedInt(subBlock(index) + SUB_BLOCK_DELAY_OFFSET);
    }

    private int subBlock(int index) {
        return blockOffset + BLOCK_HEADER_LENGTH + DLRR_SUB_BLOCK_LENGTH * index;
    }

    // ---- writing --------------------------------------------------------------------------------

    /** Appends the header of an XR with no blocks yet; returns its start for {@link #end}. */
    public static int begin(ByteBuf out, long senderSsrc) {
        int start = RtcpHeader.start(out, 0, RtcpHeader.EXTENDED_REPORT);
        out.writeInt((int) senderSsrc);
        return start;
    }

    /** Appends an RRTR block carrying the 64-bit NTP timestamp {@code ntpTimestamp}. */
    public static void writeReceiverReferenceTime(ByteBuf out, long ntpTimestamp) {
        out.writeByte(RECEIVER_REFERENCE_TIME);
        out.writeByte(0);
        out.writeShort(RECEIVER_REFERENCE_TIME_LENGTH / RtcpHeader.WORD - 1);
        out.writeLong(ntpTimestamp);
    }

    /** Appends the header of a DLRR block with no sub-blocks yet; returns its start for {@link #endDlrr}. */
    public static int beginDlrr(ByteBuf out) {
        int start = out.writerIndex();
        out.writeByte(DLRR);
        out.writeByte(0);
        out.writeShort(0);
        return start;
    }

    /** Appends one DLRR sub-block: the RRTR of {@code ssrc} (compact {@code lastReceiverReport}) held {@code delay}. */
    public static void writeDlrrSubBlock(ByteBuf out, long ssrc, long lastReceiverReport, long delaySinceLastReceiverReport) {
        out.writeInt((int) ssrc);
        out.writeInt((int) lastReceiverReport);
        out.writeInt((int) delaySinceLastReceiverReport);
    }

    /** Sets the block length of the DLRR begun at {@code blockStart} from the sub-blocks appended. */
    public static void endDlrr(ByteBuf out, int blockStart) {
        out.setShort(blockStart + BLOCK_LENGTH_OFFSET, (out.writerIndex() - blockStart) / RtcpHeader.WORD - 1);
    }

    /** Sets the XR's length field. */
    public static void end(ByteBuf out, int start) {
        RtcpHeader.finish(out, start);
    }
}
