package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * A reusable view over an RTCP goodbye (BYE, PT 203).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|    SC   |   PT=BYE=203  |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           SSRC/CSRC                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :                              ...                              :
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |     length    |               reason for leaving            ...  (optional)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-6.6">RFC 3550 §6.6</a>
 */
public final class RtcpGoodbye {
    public static final int MAX_REASON_LENGTH = 255;

    static final int SSRC_LIST_OFFSET = 4;
    static final int SSRC_LENGTH = 4;

    private ByteBuf buffer;
    private int offset;
    private boolean valid;
    private int reasonOffset;
    private int reasonLength;

    /** Points this view at the packet at {@code offset} and checks the SSRC list and reason fit. */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.valid = false;
        this.reasonOffset = -1;
        this.reasonLength = 0;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.GOODBYE, -1);
        if (content < 0) {
            return false;
        }
        int afterList = SSRC_LIST_OFFSET + SSRC_LENGTH * RtcpHeader.count(buffer, offset);
        if (afterList > content) {
            return false;
        }
        if (afterList < content) {
            // Bytes after the list are a reason; a zero length byte is just alignment.
            int length8 = buffer.getUnsignedByte(offset + afterList);
            if (afterList + 1 + length8 > content) {
                return false;
            }
            if (length8 > 0) {
                reasonOffset = offset + afterList + 1;
                reasonLength = length8;
            }
        }
        valid = true;
        return true;
    }

    public boolean isValid() {
        return valid;
    }

    public int ssrcCount() {
        return RtcpHeader.count(buffer, offset);
    }

    public long ssrc(int index) {
        return buffer.getUnsignedInt(offset + SSRC_LIST_OFFSET + SSRC_LENGTH * index);
    }

    public boolean hasReason() {
        return reasonOffset >= 0;
    }

    /** Absolute index of the reason text, -1 without one. */
    public int reasonOffset() {
        return reasonOffset;
    }

    public int reasonLength() {
        return reasonLength;
    }

    /**
     * Appends a BYE for the first {@code ssrcCount} entries of {@code ssrcs} with an optional reason.
     *
     * @throws IllegalArgumentException for more than 31 SSRCs or a reason over 255 UTF-8 bytes
     */
    public static void write(ByteBuf out, long[] ssrcs, int ssrcCount, CharSequence reasonOrNull) {
        if (ssrcCount < 0 || ssrcCount > RtcpHeader.MAX_COUNT || ssrcCount > ssrcs.length) {
            throw new IllegalArgumentException("BYE carries 0 to 31 SSRCs, got " + ssrcCount);
        }
        int reasonLength = reasonOrNull == null ? 0 : ByteBufUtil.utf8Bytes(reasonOrNull);
        if (reasonLength > MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("BYE reason longer than 255 bytes: " + reasonLength);
        }
        int start = RtcpHeader.start(out, ssrcCount, RtcpHeader.GOODBYE);
        for (int i = 0; i < ssrcCount; i++) {
            out.writeInt((int) ssrcs[i]);
        }
        if (reasonLength > 0) {
            out.writeByte(reasonLength);
            ByteBufUtil.writeUtf8(out, reasonOrNull);
            // The reason is null-padded to a 32-bit boundary, without the P bit (RFC 3550 §6.6).
            int unaligned = (out.writerIndex() - start) % RtcpHeader.WORD;
            if (unaligned != 0) {
                out.writeZero(RtcpHeader.WORD - unaligned);
            }
        }
        RtcpHeader.finish(out, start);
    }
}
