package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * A reusable view over an RTCP source description (SDES, PT 202), read with a chunk/item cursor
 * that allocates nothing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|    SC   |  PT=SDES=202  |             length            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                          SSRC/CSRC_1                          |  chunk 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    type (1-8)   |    length     |  text (length octets) ...   |  items ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ... | 0 (end of items) | zero octets up to a 32-bit boundary |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                          SSRC/CSRC_2  ...                     |  chunk 2
 * </pre>
 *
 * {@link #wrap} walks every chunk and item once, so the cursor below needs no further checks.
 *
 * <pre>{@code
 * while (sdes.nextChunk()) {
 *     while (sdes.nextItem()) {
 *         if (sdes.itemType() == RtcpSourceDescription.CNAME) ... sdes.itemOffset(), sdes.itemLength()
 *     }
 * }
 * }</pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.5">RFC 3550 §6.5</a>
 */
public final class RtcpSourceDescription {
    /** Item type of the canonical end-point identifier, RFC 3550 §6.5.1. */
    public static final int CNAME = 1;
    public static final int END_OF_ITEMS = 0;
    public static final int MAX_ITEM_LENGTH = 255;

    static final int CHUNKS_OFFSET = 4;
    static final int SSRC_LENGTH = 4;
    static final int ITEM_HEADER_LENGTH = 2;

    private ByteBuf buffer;
    private int offset;
    private int end;
    private boolean valid;
    private int chunkCount;
    // Cursor state.
    private int chunksRead;
    private int chunkOffset;
    private int nextChunkOffset;
    private int itemPosition;
    private int itemType;
    private int itemOffset;
    private int itemLength;

    /** Points this view at the packet at {@code offset} and checks every chunk and item. */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.valid = false;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.SOURCE_DESCRIPTION, -1);
        if (content < 0) {
            return false;
        }
        end = offset + content;
        chunkCount = RtcpHeader.count(buffer, offset);
        int position = offset + CHUNKS_OFFSET;
        for (int chunk = 0; chunk < chunkCount; chunk++) {
            position = skipChunk(position);
            if (position < 0) {
                return false;
            }
        }
        valid = true;
        rewind();
        return true;
    }

    /** Returns the start of the chunk after the one at {@code position}, or -1 if it overruns. */
    private int skipChunk(int position) {
        int item = position + SSRC_LENGTH;
        while (true) {
            if (item >= end) {
                return -1;
            }
            int type = buffer.getUnsignedByte(item);
            if (type == END_OF_ITEMS) {
                return alignedAfter(item);
            }
            if (item + ITEM_HEADER_LENGTH > end) {
                return -1;
            }
            item += ITEM_HEADER_LENGTH + buffer.getUnsignedByte(item + 1);
        }
    }

    /** The chunk's terminating null is followed by nulls up to the next 32-bit boundary. */
    private int alignedAfter(int terminator) {
        int relative = terminator + 1 - offset;
        int aligned = (relative + RtcpHeader.WORD - 1) & -RtcpHeader.WORD;
        int next = offset + aligned;
        return next <= end ? next : -1;
    }

    public boolean isValid() {
        return valid;
    }

    public int chunkCount() {
        return chunkCount;
    }

    /** Moves the cursor back before the first chunk. */
    public void rewind() {
        chunksRead = 0;
        chunkOffset = -1;
        nextChunkOffset = offset + CHUNKS_OFFSET;
        itemPosition = -1;
    }

    /** Advances to the next chunk, skipping unread items of the current one. */
    public boolean nextChunk() {
        if (!valid || chunksRead >= chunkCount) {
            return false;
        }
        chunkOffset = nextChunkOffset;
        nextChunkOffset = skipChunk(chunkOffset);
        itemPosition = chunkOffset + SSRC_LENGTH;
        chunksRead++;
        return true;
    }

    /** SSRC or CSRC the current chunk describes. */
    public long chunkSsrc() {
        return buffer.getUnsignedInt(chunkOffset);
    }

    /** Advances to the next item of the current chunk; false at its end-of-items octet. */
    public boolean nextItem() {
        if (itemPosition < 0) {
            return false;
        }
        int type = buffer.getUnsignedByte(itemPosition);
        if (type == END_OF_ITEMS) {
            itemPosition = -1;
            return false;
        }
        itemType = type;
        itemLength = buffer.getUnsignedByte(itemPosition + 1);
        itemOffset = itemPosition + ITEM_HEADER_LENGTH;
        itemPosition = itemOffset + itemLength;
        return true;
    }

    public int itemType() {
        return itemType;
    }

    /** Absolute index of the current item's text. */
    public int itemOffset() {
        return itemOffset;
    }

    public int itemLength() {
        return itemLength;
    }

    /**
     * Appends an SDES packet with one chunk holding a CNAME item for {@code ssrc}.
     *
     * @throws IllegalArgumentException when the CNAME's UTF-8 form exceeds 255 bytes
     */
    public static void writeCname(ByteBuf out, long ssrc, CharSequence cname) {
        int cnameLength = ByteBufUtil.utf8Bytes(cname);
        if (cnameLength > MAX_ITEM_LENGTH) {
            throw new IllegalArgumentException("CNAME longer than 255 bytes: " + cnameLength);
        }
        int start = RtcpHeader.start(out, 1, RtcpHeader.SOURCE_DESCRIPTION);
        out.writeInt((int) ssrc);
        out.writeByte(CNAME);
        out.writeByte(cnameLength);
        ByteBufUtil.writeUtf8(out, cname);
        // End of items, then nulls to the boundary: not RTCP padding, so no P bit (RFC 3550 §6.5).
        out.writeByte(END_OF_ITEMS);
        int unaligned = (out.writerIndex() - start) % RtcpHeader.WORD;
        if (unaligned != 0) {
            out.writeZero(RtcpHeader.WORD - unaligned);
        }
        RtcpHeader.finish(out, start);
    }
}
