package org.archipelago.media.rtp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over an RTP payload in the redundant audio format (RED) of RFC 2198: no copy, no
 * per-packet object; bad input makes {@link #wrap} return false, never throw.
 *
 * <p>RFC 2198 §3: one header per block, then the blocks in the same order. Every header but the
 * last is four bytes and describes a redundant block (an earlier frame sent again); the last is one
 * byte and names the primary block (this packet's own frame, with the RTP header's timestamp),
 * whose length is whatever remains:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |1|   block PT  |  timestamp offset         |   block length    |  redundant block (F = 1)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0|   block PT  |  primary block (F = 0)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   redundant block data ...    |   primary block data ...      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The timestamp offset (14 bits, unsigned) is subtracted from the RTP timestamp to give the
 * redundant block's; the block length (10 bits) excludes the header. libwebrtc sends RED of Opus
 * with one redundant block, the previous 20 ms frame: offset 960 at 48 kHz.
 *
 * <p>At most {@link #MAX_BLOCKS} blocks, primary included, are accepted (libwebrtc's receiver
 * takes no more), so a packet costs a bounded walk. A view is not thread-safe: one per event loop.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc2198#section-3">RFC 2198 §3</a>
 */
public final class RedPayload {
    /** The most blocks one payload may carry, primary included. */
    public static final int MAX_BLOCKS = 32;
    /** A redundant block's header: F, block PT, timestamp offset, block length. */
    public static final int REDUNDANT_HEADER_LENGTH = 4;
    /** The primary block's header: F = 0 and block PT. */
    public static final int PRIMARY_HEADER_LENGTH = 1;

    static final int FOLLOWS_BIT = 0x80;
    static final int BLOCK_PAYLOAD_TYPE_MASK = 0x7F;
    static final int TIMESTAMP_OFFSET_SHIFT = 10;
    static final int TIMESTAMP_OFFSET_MASK = 0x3FFF;
    static final int BLOCK_LENGTH_MASK = 0x3FF;

    /** Absolute index of each redundant block's data. */
    private final int[] redundantOffsets = new int[MAX_BLOCKS - 1];
    private ByteBuf buffer;
    private int offset;
    private boolean valid;
    private int redundantBlocks;
    private int primaryPayloadType;
    private int primaryOffset;
    private int primaryLength;

    /**
     * Points this view at a RED payload of {@code length} bytes from absolute index {@code offset}
     * and parses its headers.
     *
     * @return whether the headers are complete, at most {@link #MAX_BLOCKS}, and the redundant
     *         blocks they announce fit in the payload (the primary block may be empty)
     */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        valid = false;
        redundantBlocks = 0;
        primaryPayloadType = 0;
        primaryOffset = 0;
        primaryLength = 0;
        if (buffer == null || offset < 0 || length < PRIMARY_HEADER_LENGTH || length > buffer.capacity() - offset) {
            return false;
        }
        int end = offset + length;
        int index = offset;
        int blocks = 0;
        int redundantBytes = 0;
        int first = buffer.getUnsignedByte(index);
        while ((first & FOLLOWS_BIT) != 0) {
            if (blocks == MAX_BLOCKS - 1 || index + REDUNDANT_HEADER_LENGTH >= end) {
                return false; // too many blocks, or no room for this header and the primary's
            }
            redundantBytes += buffer.getInt(index) & BLOCK_LENGTH_MASK;
            blocks++;
            index += REDUNDANT_HEADER_LENGTH;
            first = buffer.getUnsignedByte(index);
        }
        index += PRIMARY_HEADER_LENGTH;
        if (redundantBytes > end - index) {
            return false;
        }
        for (int i = 0; i < blocks; i++) {
            redundantOffsets[i] = index;
            index += redundantLength(i);
        }
        redundantBlocks = blocks;
        primaryPayloadType = first & BLOCK_PAYLOAD_TYPE_MASK;
        primaryOffset = index;
        primaryLength = end - index;
        valid = true;
        return true;
    }

    public boolean isValid() {
        return valid;
    }

    /** Redundant blocks, in the order they appear (RFC 2198 puts the oldest first). */
    public int redundantBlockCount() {
        return redundantBlocks;
    }

    /** The payload type of redundant block {@code index}, below {@link #redundantBlockCount()}. */
    public int redundantPayloadType(int index) {
        return buffer.getUnsignedByte(headerIndex(index)) & BLOCK_PAYLOAD_TYPE_MASK;
    }

    /** How far block {@code index}'s timestamp lies before the RTP header's, in clock ticks. */
    public int redundantTimestampOffset(int index) {
        return (buffer.getInt(headerIndex(index)) >>> TIMESTAMP_OFFSET_SHIFT) & TIMESTAMP_OFFSET_MASK;
    }

    /** Absolute index of block {@code index}'s data. */
    public int redundantOffset(int index) {
        return redundantOffsets[index];
    }

    public int redundantLength(int index) {
        return buffer.getInt(headerIndex(index)) & BLOCK_LENGTH_MASK;
    }

    /** Length of all the headers: where the first block's data starts, relative to the payload. */
    public int headerLength() {
        return redundantBlocks * REDUNDANT_HEADER_LENGTH + PRIMARY_HEADER_LENGTH;
    }

    public int primaryPayloadType() {
        return primaryPayloadType;
    }

    /** Absolute index of the primary block's data. */
    public int primaryOffset() {
        return primaryOffset;
    }

    public int primaryLength() {
        return primaryLength;
    }

    /**
     * Writes to {@code out} the packet a receiver without RED gets instead of {@code packet}, whose
     * payload this view wraps: {@code packet}'s header (fixed header, CSRCs, extensions) with the
     * primary block's payload type, then the primary block. Padding is left behind, so the P bit is
     * cleared. Writes {@code packet.headerLength() + primaryLength()} bytes at {@code out}'s writer
     * index.
     */
    public void writePrimaryPacket(RtpPacket packet, ByteBuf out) {
        int start = out.writerIndex();
        out.writeBytes(packet.buffer(), packet.offset(), packet.headerLength());
        out.writeBytes(buffer, primaryOffset, primaryLength);
        out.setByte(start + RtpPacket.FLAGS_OFFSET,
                out.getUnsignedByte(start + RtpPacket.FLAGS_OFFSET) & ~RtpPacket.PADDING_BIT);
        int markerAndType = start + RtpPacket.MARKER_PAYLOAD_TYPE_OFFSET;
        out.setByte(markerAndType, (out.getUnsignedByte(markerAndType) & RtpPacket.MARKER_BIT) | primaryPayloadType);
    }

    private int headerIndex(int index) {
        return offset + index * REDUNDANT_HEADER_LENGTH;
    }
}
