package org.archipelago.media.rtp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view (flyweight) over one RTP packet in a Netty {@link ByteBuf}: no copy, no
 * per-packet object. {@link #wrap} validates the header; getters read and chainable setters write
 * the buffer in place. The view never changes the buffer's indices and never owns it: whoever
 * passed the buffer keeps the duty to release it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |  present when X = 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  (RFC 3550 §5.3.1);
 * |                        header extension                       |  length counts its
 * |                             ....                              |  32-bit words
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       payload ...     | padding | pad count   |  present when P = 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Header extensions in the RFC 8285 one-byte (profile 0xBEDE) and two-byte (0x100X) forms are
 * looked up by their negotiated ID with {@link #extensionOffset(int)}, read and overwritten in
 * place with {@link #extensionValue(int)} and {@link #extensionValue(int, long)}, or walked with a
 * {@link RtpHeaderExtensionCursor}. The forwarder uses the setters to rewrite SSRC, sequence
 * number, timestamp, transport-wide sequence number and abs-send-time per egress packet.
 *
 * <p>Not thread-safe: one view per event loop.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-5.1">RFC 3550 §5.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8285#section-4">RFC 8285 §4</a>
 */
public final class RtpPacket {
    public static final int VERSION = 2;
    /** Length of the header up to and including the SSRC. */
    public static final int FIXED_HEADER_LENGTH = 12;
    /** Header-extension profile of the RFC 8285 one-byte form. */
    public static final int ONE_BYTE_EXTENSION_PROFILE = 0xBEDE;
    /** Header-extension profile of the RFC 8285 two-byte form; the low 4 bits are "appbits". */
    public static final int TWO_BYTE_EXTENSION_PROFILE = 0x1000;
    /** Returned by the extension lookups when the element is absent. */
    public static final int NOT_FOUND = -1;

    static final int FLAGS_OFFSET = 0;
    static final int MARKER_PAYLOAD_TYPE_OFFSET = 1;
    static final int SEQUENCE_NUMBER_OFFSET = 2;
    static final int TIMESTAMP_OFFSET = 4;
    static final int SSRC_OFFSET = 8;
    static final int CSRC_LIST_OFFSET = 12;
    static final int CSRC_LENGTH = 4;
    static final int EXTENSION_HEADER_LENGTH = 4;
    static final int EXTENSION_LENGTH_FIELD_OFFSET = 2;

    static final int VERSION_SHIFT = 6;
    static final int PADDING_BIT = 0x20;
    static final int EXTENSION_BIT = 0x10;
    static final int CSRC_COUNT_MASK = 0x0F;
    static final int MARKER_BIT = 0x80;
    static final int PAYLOAD_TYPE_MASK = 0x7F;
    static final int TWO_BYTE_PROFILE_MASK = 0xFFF0;
    /** An element value read into a long must not reach 8 bytes, so that -1 stays "not found". */
    static final int MAX_EXTENSION_VALUE_LENGTH = 7;

    private final RtpHeaderExtensionCursor lookupCursor = new RtpHeaderExtensionCursor();

    private ByteBuf buffer;
    private int offset;
    private int length;
    private boolean valid;
    private int headerLength;
    private int paddingLength;
    private int extensionProfile;
    private int extensionElementsOffset;
    private int extensionElementsLength;

    /** Wraps the readable bytes of {@code buffer}; see {@link #wrap(ByteBuf, int, int)}. */
    public boolean wrap(ByteBuf buffer) {
        return wrap(buffer, buffer.readerIndex(), buffer.readableBytes());
    }

    /**
     * Points this view at {@code length} bytes of {@code buffer} from absolute index {@code offset}
     * and validates them as an RTP packet: version 2, room for the fixed header, the CSRC list and
     * the extension block, and a padding count between 1 and what remains after the header.
     *
     * @return whether the packet is valid; when false, only {@link #isValid()} may be called
     */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.valid = false;
        this.headerLength = 0;
        this.paddingLength = 0;
        this.extensionProfile = 0;
        this.extensionElementsOffset = -1;
        this.extensionElementsLength = 0;
        if (buffer == null || offset < 0 || length < FIXED_HEADER_LENGTH
                || length > buffer.capacity() - offset) {
            return false;
        }
        int flags = buffer.getUnsignedByte(offset + FLAGS_OFFSET);
        if (flags >>> VERSION_SHIFT != VERSION) {
            return false;
        }
        int header = CSRC_LIST_OFFSET + CSRC_LENGTH * (flags & CSRC_COUNT_MASK);
        if ((flags & EXTENSION_BIT) != 0) {
            if (header + EXTENSION_HEADER_LENGTH > length) {
                return false;
            }
            int profile = buffer.getUnsignedShort(offset + header);
            int words = buffer.getUnsignedShort(offset + header + EXTENSION_LENGTH_FIELD_OFFSET);
            extensionProfile = profile;
            extensionElementsOffset = offset + header + EXTENSION_HEADER_LENGTH;
            extensionElementsLength = words * 4;
            header += EXTENSION_HEADER_LENGTH + extensionElementsLength;
        }
        if (header > length) {
            return false;
        }
        if ((flags & PADDING_BIT) != 0) {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
            int padding = buffer.getUnsignedByte(offset + length - 1);
            if (padding == 0 || header + padding > length) {
                return false;
            }
            paddingLength = padding;
        }
        headerLength = header;
        valid = true;
        return true;
    }

    public boolean isValid() {
        return valid;
    }

    public ByteBuf buffer() {
        return buffer;
    }

    /** Absolute index of the packet's first byte in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** Length of the whole packet, padding included. */
    public int length() {
        return length;
    }

    public int version() {
        return buffer.getUnsignedByte(offset + FLAGS_OFFSET) >>> VERSION_SHIFT;
    }

    public boolean hasPadding() {
        return (buffer.getUnsignedByte(offset + FLAGS_OFFSET) & PADDING_BIT) != 0;
    }

    public boolean hasExtension() {
        return (buffer.getUnsignedByte(offset + FLAGS_OFFSET) & EXTENSION_BIT) != 0;
    }

    public int csrcCount() {
        return buffer.getUnsignedByte(offset + FLAGS_OFFSET) & CSRC_COUNT_MASK;
    }

    public boolean marker() {
        return (buffer.getUnsignedByte(offset + MARKER_PAYLOAD_TYPE_OFFSET) & MARKER_BIT) != 0;
    }

    public RtpPacket marker(boolean marker) {
        int index = offset + MARKER_PAYLOAD_TYPE_OFFSET;
        int value = buffer.getUnsignedByte(index);
        buffer.setByte(index, marker ? value | MARKER_BIT : value & ~MARKER_BIT);
        return this;
    }

    public int payloadType() {
        return buffer.getUnsignedByte(offset + MARKER_PAYLOAD_TYPE_OFFSET) & PAYLOAD_TYPE_MASK;
    }

    /** Sets the 7-bit payload type, keeping the marker bit. */
    public RtpPacket payloadType(int payloadType) {
        int index = offset + MARKER_PAYLOAD_TYPE_OFFSET;
        int value = buffer.getUnsignedByte(index);
        buffer.setByte(index, (value & MARKER_BIT) | (payloadType & PAYLOAD_TYPE_MASK));
        return this;
    }

    public int sequenceNumber() {
        return buffer.getUnsignedShort(offset + SEQUENCE_NUMBER_OFFSET);
    }

    public RtpPacket sequenceNumber(int sequenceNumber) {
        buffer.setShort(offset + SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    public long timestamp() {
        return buffer.getUnsignedInt(offset + TIMESTAMP_OFFSET);
    }

    public RtpPacket timestamp(long timestamp) {
        buffer.setInt(offset + TIMESTAMP_OFFSET, (int) timestamp);
        return this;
    }

    public long ssrc() {
        return buffer.getUnsignedInt(offset + SSRC_OFFSET);
    }

    public RtpPacket ssrc(long ssrc) {
        buffer.setInt(offset + SSRC_OFFSET, (int) ssrc);
        return this;
    }

    /** The CSRC at {@code index}, which must be below {@link #csrcCount()}. */
    public long csrc(int index) {
        return buffer.getUnsignedInt(offset + CSRC_LIST_OFFSET + CSRC_LENGTH * index);
    }

    /** Overwrites the existing CSRC at {@code index}, which must be below {@link #csrcCount()}. */
    public RtpPacket csrc(int index, long csrc) {
        buffer.setInt(offset + CSRC_LIST_OFFSET + CSRC_LENGTH * index, (int) csrc);
        return this;
    }

    /** Fixed header, CSRC list and extension block: where the payload starts, relative to the packet. */
    public int headerLength() {
        return headerLength;
    }

    /** Absolute index in {@link #buffer()} of the first payload byte. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    /** Payload bytes, padding excluded. */
    public int payloadLength() {
        return length - headerLength - paddingLength;
    }

    /** Padding bytes at the end of the packet, the count byte included; 0 without the P bit. */
    public int paddingLength() {
        return paddingLength;
    }

    /** The 16-bit "defined by profile" field of the extension block, 0 without one. */
    public int extensionProfile() {
        return extensionProfile;
    }

    public boolean hasOneByteExtensions() {
        return extensionElementsOffset >= 0 && extensionProfile == ONE_BYTE_EXTENSION_PROFILE;
    }

    public boolean hasTwoByteExtensions() {
        return extensionElementsOffset >= 0
                && (extensionProfile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_EXTENSION_PROFILE;
    }

    /** Absolute index of the first byte after the extension header, -1 without an extension. */
    public int extensionElementsOffset() {
        return extensionElementsOffset;
    }

    /** Length in bytes of the extension block after its 4-byte header (a multiple of 4). */
    public int extensionElementsLength() {
        return extensionElementsLength;
    }

    /**
     * Absolute index in {@link #buffer()} of the data of the first extension element with
     * negotiated {@code id}, or {@link #NOT_FOUND}.
     */
    public int extensionOffset(int id) {
        return findExtension(id) ? lookupCursor.valueOffset() : NOT_FOUND;
    }

    /** Number of data bytes of the extension element with {@code id}, or {@link #NOT_FOUND}. */
    public int extensionLength(int id) {
        return findExtension(id) ? lookupCursor.valueLength() : NOT_FOUND;
    }

    /**
     * The data of the element with {@code id} read as a big-endian unsigned number (e.g. the
     * 16-bit transport-wide sequence number or the 24-bit abs-send-time), or {@link #NOT_FOUND}
     * when absent or longer than 7 bytes.
     */
    public long extensionValue(int id) {
        if (!findExtension(id) || lookupCursor.valueLength() > MAX_EXTENSION_VALUE_LENGTH) {
            return NOT_FOUND;
        }
        int index = lookupCursor.valueOffset();
        int end = index + lookupCursor.valueLength();
        long value = 0;
        for (; index < end; index++) {
            value = (value << 8) | buffer.getUnsignedByte(index);
        }
        return value;
    }

    /**
     * Overwrites in place the data of the existing element with {@code id} with the low bytes of
     * {@code value}, big-endian, keeping the element's length (so a 2-byte transport-wide sequence
     * number takes the low 16 bits). The packet's layout never changes.
     *
     * @return false, writing nothing, when the element is absent or longer than 7 bytes
     */
    public boolean extensionValue(int id, long value) {
        if (!findExtension(id) || lookupCursor.valueLength() > MAX_EXTENSION_VALUE_LENGTH) {
            return false;
        }
        int start = lookupCursor.valueOffset();
        long remaining = value;
        for (int index = start + lookupCursor.valueLength() - 1; index >= start; index--) {
            buffer.setByte(index, (int) remaining);
            remaining >>>= 8;
        }
        return true;
    }

    private boolean findExtension(int id) {
        if (!valid || id <= 0) {
            return false;
        }
        RtpHeaderExtensionCursor cursor = lookupCursor.reset(this);
        while (cursor.next()) {
            if (cursor.id() == id) {
                return true;
            }
        }
        return false;
    }
}
