package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over the VP8 payload descriptor at the start of a VP8 RTP payload, and the check
 * whether a packet begins a VP8 key frame. No copy, no per-packet object; bad input makes
 * {@link #wrap} return false, never throw.
 *
 * <p>Payload descriptor (RFC 7741 §4.2):
 * <pre>
 *        0 1 2 3 4 5 6 7
 *       +-+-+-+-+-+-+-+-+
 *       |X|R|N|S|R| PID | (REQUIRED)
 *       +-+-+-+-+-+-+-+-+
 *  X:   |I|L|T|K| RSV   | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *  I:   |M| PictureID   | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *       |   PictureID   | (OPTIONAL, present when M = 1: a 15-bit picture ID)
 *       +-+-+-+-+-+-+-+-+
 *  L:   |   TL0PICIDX   | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 * </pre>
 * X: extended control bits present; N: non-reference frame; S: start of a VP8 partition; PID:
 * partition index; I/L/T/K: picture ID, TL0PICIDX, TID/Y and KEYIDX present.
 *
 * <p>When S = 1 and PID = 0 the packet carries the first bytes of a frame, which start with the
 * VP8 payload header (RFC 7741 §4.3, the frame tag of RFC 6386 §9.1):
 * <pre>
 *        0 1 2 3 4 5 6 7
 *       +-+-+-+-+-+-+-+-+
 *       |Size0|H| VER |P|
 *       +-+-+-+-+-+-+-+-+
 *       |     Size1     |
 *       +-+-+-+-+-+-+-+-+
 *       |     Size2     |
 *       +-+-+-+-+-+-+-+-+
 *       | Bytes 4..N of |
 *       | VP8 payload   |
 *       :               :
 * </pre>
 * P is the inverse key frame flag: 0 for a key frame. A key frame's header continues with the
 * start code {@code 9D 01 2A} and two 16-bit dimensions (RFC 6386 §9.1), which
 * {@link #isKeyframe()} also requires, so a stray P = 0 in a damaged packet is not taken for one.
 *
 * <p>Later work (simulcast) rewrites the picture ID and TL0PICIDX in place:
 * {@link #pictureIdOffset()} and {@link #tl0PicIdxOffset()} give their absolute indices.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7741#section-4.2">RFC 7741 §4.2</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7741#section-4.3">RFC 7741 §4.3</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6386#section-9.1">RFC 6386 §9.1</a>
 */
public final class Vp8PayloadDescriptor {
    /** Returned by the offset getters when the field is absent. */
    public static final int ABSENT = -1;

    static final int EXTENDED_BIT = 0x80;
    static final int NON_REFERENCE_BIT = 0x20;
    static final int START_OF_PARTITION_BIT = 0x10;
    static final int PARTITION_INDEX_MASK = 0x07;
    static final int PICTURE_ID_PRESENT_BIT = 0x80;
    static final int TL0PICIDX_PRESENT_BIT = 0x40;
    static final int TID_PRESENT_BIT = 0x20;
    static final int KEYIDX_PRESENT_BIT = 0x10;
    static final int LONG_PICTURE_ID_BIT = 0x80;
    static final int SHORT_PICTURE_ID_MASK = 0x7F;
    static final int LONG_PICTURE_ID_MASK = 0x7FFF;
    static final int TID_SHIFT = 6;
    static final int LAYER_SYNC_BIT = 0x20;
    static final int KEYIDX_MASK = 0x1F;
    /** The P bit of the payload header's first byte: set for an interframe. */
    static final int INTERFRAME_BIT = 0x01;
    /** Frame tag (3) + start code (3) + width (2) + height (2): the bytes a key frame starts with. */
    static final int KEYFRAME_HEADER_LENGTH = 10;
    static final int START_CODE_OFFSET = 3;
    static final int START_CODE_0 = 0x9D;
    static final int START_CODE_1 = 0x01;
    static final int START_CODE_2 = 0x2A;

    private ByteBuf buffer;
    private int offset;
    private int length;
    private boolean valid;
    private int descriptorLength;
    private int pictureIdOffset;
    private int tl0PicIdxOffset;
    private int tidKeyIdxOffset;
    private boolean tidPresent;
    private boolean keyIdxPresent;

    /**
     * Points this view at a VP8 RTP payload of {@code length} bytes from absolute index
     * {@code offset} and parses its descriptor.
     *
     * @return whether the descriptor is complete and at least one payload byte follows it
     */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        valid = false;
        descriptorLength = 0;
        pictureIdOffset = ABSENT;
        tl0PicIdxOffset = ABSENT;
        tidKeyIdxOffset = ABSENT;
        tidPresent = false;
        keyIdxPresent = false;
        if (buffer == null || offset < 0 || length < 2 || length > buffer.capacity() - offset) {
            return false;
        }
        int index = offset;
        int end = offset + length;
        int first = buffer.getUnsignedByte(index++);
        if ((first & EXTENDED_BIT) != 0) {
            int extension = buffer.getUnsignedByte(index++);
            if ((extension & PICTURE_ID_PRESENT_BIT) != 0) {
                if (index >= end) {
                    return false;
                }
                pictureIdOffset = index;
                index += (buffer.getUnsignedByte(index) & LONG_PICTURE_ID_BIT) != 0 ? 2 : 1;
            }
            if ((extension & TL0PICIDX_PRESENT_BIT) != 0) {
                tl0PicIdxOffset = index++;
            }
            tidPresent = (extension & TID_PRESENT_BIT) != 0;
            keyIdxPresent = (extension & KEYIDX_PRESENT_BIT) != 0;
            if (tidPresent || keyIdxPresent) {
                tidKeyIdxOffset = index++;
            }
        }
        // RFC 7741 §4.2: the descriptor is followed by at least one byte of VP8 payload.
        if (index >= end) {
            pictureIdOffset = ABSENT;
            tl0PicIdxOffset = ABSENT;
            tidKeyIdxOffset = ABSENT;
            tidPresent = false;
            keyIdxPresent = false;
            return false;
        }
        descriptorLength = index - offset;
        valid = true;
        return true;
    }

    /**
     * Whether the VP8 payload of {@code length} bytes at {@code offset} begins a key frame; false
     * for anything that is not a well-formed key frame start. Stateless, so any thread may call it.
     */
    public static boolean isKeyframe(ByteBuf buffer, int offset, int length) {
        if (buffer == null || offset < 0 || length < 2 || length > buffer.capacity() - offset) {
            return false;
        }
        int first = buffer.getUnsignedByte(offset);
        if ((first & START_OF_PARTITION_BIT) == 0 || (first & PARTITION_INDEX_MASK) != 0) {
            return false;
        }
        int index = offset + 1;
        if ((first & EXTENDED_BIT) != 0) {
            int extension = buffer.getUnsignedByte(index++);
            if ((extension & PICTURE_ID_PRESENT_BIT) != 0) {
                if (index >= offset + length) {
                    return false;
                }
                index += (buffer.getUnsignedByte(index) & LONG_PICTURE_ID_BIT) != 0 ? 2 : 1;
            }
            if ((extension & TL0PICIDX_PRESENT_BIT) != 0) {
                index++;
            }
            if ((extension & (TID_PRESENT_BIT | KEYIDX_PRESENT_BIT)) != 0) {
                index++;
            }
        }
        return isKeyframeHeader(buffer, index, offset + length - index);
    }

    /** Whether the VP8 frame bytes at {@code index} start with a key frame's header. */
    private static boolean isKeyframeHeader(ByteBuf buffer, int index, int remaining) {
        return remaining >= KEYFRAME_HEADER_LENGTH
                && (buffer.getUnsignedByte(index) & INTERFRAME_BIT) == 0
                && buffer.getUnsignedByte(index + START_CODE_OFFSET) == START_CODE_0
                && buffer.getUnsignedByte(index + START_CODE_OFFSET + 1) == START_CODE_1
                && buffer.getUnsignedByte(index + START_CODE_OFFSET + 2) == START_CODE_2;
    }

    public boolean isValid() {
        return valid;
    }

    /** Length of the descriptor: where the VP8 frame bytes start, relative to the payload. */
    public int descriptorLength() {
        return descriptorLength;
    }

    public boolean isExtended() {
        return (firstByte() & EXTENDED_BIT) != 0;
    }

    public boolean isNonReference() {
        return (firstByte() & NON_REFERENCE_BIT) != 0;
    }

    public boolean isStartOfPartition() {
        return (firstByte() & START_OF_PARTITION_BIT) != 0;
    }

    public int partitionIndex() {
        return firstByte() & PARTITION_INDEX_MASK;
    }

    /** True when this packet carries the first bytes of a frame (S = 1, PID = 0). */
    public boolean isStartOfFrame() {
        return isStartOfPartition() && partitionIndex() == 0;
    }

    /** True when this packet starts a well-formed key frame (see the class comment). */
    public boolean isKeyframe() {
        return valid && isStartOfFrame()
                && isKeyframeHeader(buffer, offset + descriptorLength, length - descriptorLength);
    }

    public boolean hasPictureId() {
        return pictureIdOffset != ABSENT;
    }

    /** True for a 15-bit picture ID (M = 1), false for a 7-bit one. */
    public boolean hasLongPictureId() {
        return hasPictureId() && (buffer.getUnsignedByte(pictureIdOffset) & LONG_PICTURE_ID_BIT) != 0;
    }

    /** The 7- or 15-bit picture ID, or {@link #ABSENT}. */
    public int pictureId() {
        if (!hasPictureId()) {
            return ABSENT;
        }
        return hasLongPictureId()
                ? buffer.getUnsignedShort(pictureIdOffset) & LONG_PICTURE_ID_MASK
                : buffer.getUnsignedByte(pictureIdOffset) & SHORT_PICTURE_ID_MASK;
    }

    /** Absolute index of the picture ID's first byte (the one with M), or {@link #ABSENT}. */
    public int pictureIdOffset() {
        return pictureIdOffset;
    }

    public boolean hasTl0PicIdx() {
        return tl0PicIdxOffset != ABSENT;
    }

    /** TL0PICIDX, or {@link #ABSENT}. */
    public int tl0PicIdx() {
        return hasTl0PicIdx() ? buffer.getUnsignedByte(tl0PicIdxOffset) : ABSENT;
    }

    /** Absolute index of TL0PICIDX, or {@link #ABSENT}. */
    public int tl0PicIdxOffset() {
        return tl0PicIdxOffset;
    }

    /** Temporal layer index, or {@link #ABSENT} when T = 0. */
    public int temporalLayerId() {
        return tidPresent ? buffer.getUnsignedByte(tidKeyIdxOffset) >>> TID_SHIFT : ABSENT;
    }

    /** The Y bit (layer sync); false when T = 0. */
    public boolean isLayerSync() {
        return tidPresent && (buffer.getUnsignedByte(tidKeyIdxOffset) & LAYER_SYNC_BIT) != 0;
    }

    /** KEYIDX, or {@link #ABSENT} when K = 0. */
    public int keyIndex() {
        return keyIdxPresent ? buffer.getUnsignedByte(tidKeyIdxOffset) & KEYIDX_MASK : ABSENT;
    }

    private int firstByte() {
        return valid ? buffer.getUnsignedByte(offset) : 0;
    }
}
