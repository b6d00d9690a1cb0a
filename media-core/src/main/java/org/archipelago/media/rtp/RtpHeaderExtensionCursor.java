package org.archipelago.media.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Walks the elements of an RTP header extension block in the RFC 8285 one-byte or two-byte form,
 * without allocating. Reusable: {@link #reset(RtpPacket)} it for each packet.
 *
 * <pre>
 * One-byte form (RFC 8285 §4.2), profile 0xBEDE:      Two-byte form (RFC 8285 §4.3), profile 0x100X:
 *  0 1 2 3 4 5 6 7                                      0                   1
 * +-+-+-+-+-+-+-+-+--------------+                     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+--------------+
 * |  ID   |  len  | len+1 bytes  |                     |       ID      |     length    | length bytes |
 * +-+-+-+-+-+-+-+-+--------------+                     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+--------------+
 * </pre>
 *
 * A zero byte where an element would start is padding (ID 0) and is skipped. In the one-byte form
 * ID 15 is reserved: when met, parsing of the whole block stops there (RFC 8285 §4.2). An element
 * whose data would overrun the block ends the walk too: the elements before it stay usable.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8285#section-4">RFC 8285 §4</a>
 */
public final class RtpHeaderExtensionCursor {
    /** One-byte form: the ID that stops parsing of the block. */
    static final int ONE_BYTE_RESERVED_ID = 15;
    private static final int ONE_BYTE_ID_SHIFT = 4;
    private static final int ONE_BYTE_LENGTH_MASK = 0x0F;
    private static final int PADDING_ID = 0;

    private ByteBuf buffer;
    private boolean twoByteForm;
    private int position;
    private int end;
    private int id;
    private int valueOffset;
    private int valueLength;

    /**
     * Positions the cursor before the first element of {@code packet}'s extension block. A packet
     * that is invalid, has no extension, or uses another profile yields no elements.
     */
    public RtpHeaderExtensionCursor reset(RtpPacket packet) {
        buffer = packet.buffer();
        id = 0;
        valueOffset = -1;
        valueLength = 0;
        if (packet.isValid() && (packet.hasOneByteExtensions() || packet.hasTwoByteExtensions())) {
            twoByteForm = packet.hasTwoByteExtensions();
            position = packet.extensionElementsOffset();
            end = position + packet.extensionElementsLength();
        } else {
            position = 0;
            end = 0;
        }
        return this;
    }

    /** Advances to the next element; false when the block is exhausted, stopped or malformed. */
    public boolean next() {
        while (position < end) {
            int first = buffer.getUnsignedByte(position);
            if (first == PADDING_ID) {
                position++;
                continue;
            }
            int elementId;
            int dataOffset;
            int dataLength;
            if (twoByteForm) {
                if (position + 2 > end) {
                    return stop();
                }
                elementId = first;
                dataLength = buffer.getUnsignedByte(position + 1);
                dataOffset = position + 2;
            } else {
                elementId = first >>> ONE_BYTE_ID_SHIFT;
                if (elementId == PADDING_ID) {
                    // Not a zero byte but ID 0 with a length: libwebrtc also skips just this byte.
                    position++;
                    continue;
                }
                if (elementId == ONE_BYTE_RESERVED_ID) {
                    return stop();
                }
                dataLength = (first & ONE_BYTE_LENGTH_MASK) + 1;
                dataOffset = position + 1;
            }
            if (dataOffset + dataLength > end) {
                return stop();
            }
            id = elementId;
            valueOffset = dataOffset;
            valueLength = dataLength;
            position = dataOffset + dataLength;
            return true;
        }
        return stop();
    }

    private boolean stop() {
        position = end;
        id = 0;
        valueOffset = -1;
        valueLength = 0;
        return false;
    }

    /** The current element's local identifier (1-14 one-byte, 1-255 two-byte). */
    public int id() {
        return id;
    }

    /** Absolute index in the packet's buffer of the current element's first data byte. */
    public int valueOffset() {
        return valueOffset;
    }

    /** Number of data bytes of the current element (1-16 one-byte, 0-255 two-byte). */
    public int valueLength() {
        return valueLength;
    }
}
