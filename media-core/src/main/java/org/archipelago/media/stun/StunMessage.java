package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable, allocation-free view of one STUN message held in a {@link ByteBuf}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8489#section-5">RFC 8489 §5</a>).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |                     Transaction ID (96 bits)                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Message type (RFC 8489 §5, Figure 3): method bits M0..M11 interleaved with class bits C0, C1
 *   0                 1
 *   2  3  4 5 6 7 8 9 0 1 2 3 4 5
 *  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
 *  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
 *  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #wrap} validates the header and walks the attributes once, remembering where the
 * attributes ICE needs start; the accessors then read straight from the buffer. The view neither
 * retains nor releases the buffer: the caller keeps ownership and must not release it while the
 * view is in use. A view is owned by one thread and may be re-wrapped for every datagram.
 *
 * <p>Following §14.5, attributes after MESSAGE-INTEGRITY other than FINGERPRINT and
 * MESSAGE-INTEGRITY-SHA256 are ignored; following §14, only the first occurrence of an attribute
 * is used. Unknown attributes are skipped: ICE-lite never answers with errors (that would let an
 * unauthenticated sender make us send), so there is no 420 Unknown Attribute response.
 */
public final class StunMessage {
    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int TRANSACTION_ID_LENGTH = 12;

    static final int TYPE_OFFSET = 0;
    static final int LENGTH_OFFSET = 2;
    static final int MAGIC_COOKIE_OFFSET = 4;
    static final int TRANSACTION_ID_OFFSET = 8;

    /** Message classes, RFC 8489 §5. */
    public static final int CLASS_REQUEST = 0b00;
    public static final int CLASS_INDICATION = 0b01;
    public static final int CLASS_SUCCESS_RESPONSE = 0b10;
    public static final int CLASS_ERROR_RESPONSE = 0b11;

    /** The only method ICE uses, RFC 8489 §18.2. */
    public static final int METHOD_BINDING = 0x001;

    /** Full message types of the Binding method. */
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_INDICATION = 0x0011;
    public static final int BINDING_SUCCESS_RESPONSE = 0x0101;
    public static final int BINDING_ERROR_RESPONSE = 0x0111;

    private static final int FIRST_BYTE_NOT_STUN_MASK = 0xC0;
    private static final int XOR_ADDRESS_FAMILY_OFFSET = 1;
    private static final int XOR_ADDRESS_PORT_OFFSET = 2;
    private static final int XOR_ADDRESS_ADDRESS_OFFSET = 4;
    private static final int ABSENT = -1;

    private ByteBuf buf;
    private int start;
    private int length;
    private StunParseResult result = StunParseResult.TOO_SHORT;

    // Absolute buffer indices of attribute values (or of the whole TLV where noted), or ABSENT.
    private int usernameIndex;
    private int usernameLength;
    private int priorityIndex;
    private boolean useCandidate;
    private int iceControllingIndex;
    private int iceControlledIndex;
    private int xorMappedAddressIndex;
    /** Index of the MESSAGE-INTEGRITY attribute header. */
    private int messageIntegrityIndex;
    /** Index of the FINGERPRINT attribute header. */
    private int fingerprintIndex;

    /**
     * Points this view at the readable bytes of {@code datagram} (one whole STUN message, as UDP
     * carries it) and validates them. Does not change the buffer's indices.
     *
     * @return {@link StunParseResult#VALID}, or why the bytes are not a usable STUN message; the
     *     accessors must only be used after {@code VALID}
     */
    public StunParseResult wrap(ByteBuf datagram) {
        return wrap(datagram, datagram.readerIndex(), datagram.readableBytes());
    }

    /** As {@link #wrap(ByteBuf)}, for the {@code length} bytes at absolute {@code index}. */
    public StunParseResult wrap(ByteBuf buffer, int index, int length) {
        this.buf = buffer;
        this.start = index;
        this.length = length;
        usernameIndex = ABSENT;
        usernameLength = 0;
        priorityIndex = ABSENT;
        useCandidate = false;
        iceControllingIndex = ABSENT;
        iceControlledIndex = ABSENT;
        xorMappedAddressIndex = ABSENT;
        messageIntegrityIndex = ABSENT;
        fingerprintIndex = ABSENT;
        result = validate();
        return result;
    }

    private StunParseResult validate() {
        if (length < HEADER_LENGTH) {
            return StunParseResult.TOO_SHORT;
        }
        if ((buf.getByte(start) & FIRST_BYTE_NOT_STUN_MASK) != 0) {
            return StunParseResult.NOT_STUN;
        }
        if (buf.getInt(start + MAGIC_COOKIE_OFFSET) != MAGIC_COOKIE) {
            return StunParseResult.BAD_MAGIC_COOKIE;
        }
        int messageLength = buf.getUnsignedShort(start + LENGTH_OFFSET);
        if ((messageLength & 3) != 0) {
            return StunParseResult.LENGTH_NOT_MULTIPLE_OF_4;
        }
        if (HEADER_LENGTH + messageLength != length) {
            return StunParseResult.LENGTH_MISMATCH;
        }
        return walkAttributes(start + HEADER_LENGTH, start + length);
    }

    private StunParseResult walkAttributes(int index, int end) {
        while (index < end) {
            if (fingerprintIndex != ABSENT) {
                return StunParseResult.ATTRIBUTE_AFTER_FINGERPRINT;
            }
            if (end - index < StunAttribute.HEADER_LENGTH) {
                return StunParseResult.ATTRIBUTE_TRUNCATED;
            }
            int type = buf.getUnsignedShort(index);
            int valueLength = buf.getUnsignedShort(index + 2);
            int valueIndex = index + StunAttribute.HEADER_LENGTH;
            int next = valueIndex + StunAttribute.paddedLength(valueLength);
            if (next > end) {
                return StunParseResult.ATTRIBUTE_TRUNCATED;
            }
            StunParseResult attributeResult = messageIntegrityIndex == ABSENT
                    ? recordAttribute(type, index, valueIndex, valueLength)
                    : recordAttributeAfterIntegrity(type, index, valueLength);
            if (attributeResult != StunParseResult.VALID) {
                return attributeResult;
            }
            index = next;
        }
        return StunParseResult.VALID;
    }

    private StunParseResult recordAttribute(int type, int headerIndex, int valueIndex, int valueLength) {
        switch (type) {
            case StunAttribute.USERNAME:
                if (valueLength > StunAttribute.USERNAME_MAX_LENGTH) {
                    return StunParseResult.BAD_ATTRIBUTE_LENGTH;
                }
                if (usernameIndex == ABSENT) {
                    usernameIndex = valueIndex;
                    usernameLength = valueLength;
                }
                return StunParseResult.VALID;
            case StunAttribute.PRIORITY:
                if (valueLength != StunAttribute.PRIORITY_LENGTH) {
                    return StunParseResult.BAD_ATTRIBUTE_LENGTH;
                }
                if (priorityIndex == ABSENT) {
                    priorityIndex = valueIndex;
                }
                return StunParseResult.VALID;
            case StunAttribute.USE_CANDIDATE:
                if (valueLength != 0) {
                    return StunParseResult.BAD_ATTRIBUTE_LENGTH;
                }
                useCandidate = true;
                return StunParseResult.VALID;
            case StunAttribute.ICE_CONTROLLING:
                if (valueLength != StunAttribute.TIE_BREAKER_LENGTH) {
                    return StunParseResult.BAD_ATTRIBUTE_LENGTH;
                }
                if (iceControllingIndex == ABSENT) {
                    iceControllingIndex = valueIndex;
                }
                return StunParseResult.VALID;
            case StunAttribute.ICE_CONTROLLED:
                if (valueLength != StunAttribute.TIE_BREAKER_LENGTH) {
                    return StunParseResult.BAD_ATTRIBUTE_LENGTH;
                }
                if (iceControlledIndex == ABSENT) {
                    iceControlledIndex = valueIndex;
                }
                return StunParseResult.VALID;
            case StunAttribute.XOR_MAPPED_ADDRESS:
                return recordXorMappedAddress(valueIndex, valueLength);
            case StunAttribute.MESSAGE_INTEGRITY:
                if (valueLength != StunAttribute.MESSAGE_INTEGRITY_LENGTH) {
                    return StunParseResult.BAD_ATTRIBUTE_LENGTH;
                }
                messageIntegrityIndex = headerIndex;
                return StunParseResult.VALID;
            case StunAttribute.FINGERPRINT:
                return recordFingerprint(headerIndex, valueLength);
            default:
                return StunParseResult.VALID;
        }
    }

    private StunParseResult recordAttributeAfterIntegrity(int type, int headerIndex, int valueLength) {
        // RFC 8489 §14.5: everything after MESSAGE-INTEGRITY is ignored, except FINGERPRINT and
        // MESSAGE-INTEGRITY-SHA256 (which we do not verify, so it is skipped like the rest).
        if (type == StunAttribute.FINGERPRINT) {
            return recordFingerprint(headerIndex, valueLength);
        }
        return StunParseResult.VALID;
    }

    private StunParseResult recordFingerprint(int headerIndex, int valueLength) {
        if (valueLength != StunAttribute.FINGERPRINT_LENGTH) {
            return StunParseResult.BAD_ATTRIBUTE_LENGTH;
        }
        fingerprintIndex = headerIndex;
        return StunParseResult.VALID;
    }

    private StunParseResult recordXorMappedAddress(int valueIndex, int valueLength) {
        if (valueLength < StunAttribute.XOR_MAPPED_ADDRESS_IPV4_LENGTH) {
            return StunParseResult.BAD_ATTRIBUTE_LENGTH;
        }
        int family = buf.getUnsignedByte(valueIndex + XOR_ADDRESS_FAMILY_OFFSET);
        int expectedLength;
        if (family == StunAttribute.FAMILY_IPV4) {
            expectedLength = StunAttribute.XOR_MAPPED_ADDRESS_IPV4_LENGTH;
        } else if (family == StunAttribute.FAMILY_IPV6) {
            expectedLength = StunAttribute.XOR_MAPPED_ADDRESS_IPV6_LENGTH;
        } else {
            return StunParseResult.BAD_ADDRESS_FAMILY;
        }
        if (valueLength != expectedLength) {
            return StunParseResult.BAD_ATTRIBUTE_LENGTH;
        }
        if (xorMappedAddressIndex == ABSENT) {
            xorMappedAddressIndex = valueIndex;
        }
        return StunParseResult.VALID;
    }

    /** The result of the last {@link #wrap}. */
    public StunParseResult parseResult() {
        return result;
    }

    public boolean isValid() {
        return result == StunParseResult.VALID;
    }

    /** The buffer this view reads; the caller still owns it. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the first header byte in {@link #buffer()}. */
    public int startIndex() {
        return start;
    }

    /** Header plus attributes, in bytes. */
    public int length() {
        return length;
    }

    /** The 14-bit message type (method and class interleaved). */
    public int messageType() {
        return buf.getUnsignedShort(start + TYPE_OFFSET);
    }

    /** One of the {@code CLASS_*} constants: bits C1 (type bit 8) and C0 (type bit 4). */
    public int messageClass() {
        int type = messageType();
        return ((type >> 7) & 0b10) | ((type >> 4) & 0b01);
    }

    /** The 12-bit method with the class bits squeezed out. */
    public int method() {
        int type = messageType();
        return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    }

    /** Transaction id bytes 0..3, as a big-endian int. */
    public int transactionIdHigh() {
        return buf.getInt(start + TRANSACTION_ID_OFFSET);
    }

    /** Transaction id bytes 4..11, as a big-endian long. */
    public long transactionIdLow() {
        return buf.getLong(start + TRANSACTION_ID_OFFSET + 4);
    }

    /** Whether this message's transaction id is the one given as its two big-endian halves. */
    public boolean transactionIdEquals(int high, long low) {
        return transactionIdHigh() == high && transactionIdLow() == low;
    }

    /** Copies the 12-byte transaction id into {@code destination} at {@code offset}. */
    public void copyTransactionId(byte[] destination, int offset) {
        buf.getBytes(start + TRANSACTION_ID_OFFSET, destination, offset, TRANSACTION_ID_LENGTH);
    }

    /** Appends the 12-byte transaction id to {@code destination} at its writer index. */
    public void copyTransactionIdTo(ByteBuf destination) {
        destination.writeBytes(buf, start + TRANSACTION_ID_OFFSET, TRANSACTION_ID_LENGTH);
    }

    public boolean hasUsername() {
        return usernameIndex != ABSENT;
    }

    /** Whether USERNAME is present and exactly {@code expected}. */
    public boolean usernameEquals(byte[] expected) {
        return usernameIndex != ABSENT && usernameLength == expected.length
                && regionEquals(usernameIndex, expected, 0, expected.length);
    }

    /**
     * Whether USERNAME is present and is {@code localUfrag + ':'} followed by at least one byte.
     * Used while the remote ufrag is not known yet, when any remote part is accepted.
     */
    public boolean usernameHasLocalPart(byte[] localUfrag) {
        int n = localUfrag.length;
        return usernameIndex != ABSENT && usernameLength > n + 1
                && buf.getByte(usernameIndex + n) == ':'
                && regionEquals(usernameIndex, localUfrag, 0, n);
    }

    /**
     * The part of USERNAME before the first ':' — from the receiver's point of view, its own
     * ufrag (RFC 8445 §7.2.2) — or null when there is no USERNAME or no ':'. Allocates; meant
     * for finding which peer a datagram from an unknown address belongs to.
     */
    public String usernameLocalPart() {
        if (usernameIndex == ABSENT) {
            return null;
        }
        int colon = buf.indexOf(usernameIndex, usernameIndex + usernameLength, (byte) ':');
        if (colon < 0) {
            return null;
        }
        return buf.toString(usernameIndex, colon - usernameIndex, StandardCharsets.UTF_8);
    }

    /**
     * The local ufrag (USERNAME before ':') of a datagram holding a valid STUN message, or null.
     * Allocates a view; meant for a peer's first contact only.
     */
    public static String localUfragOf(ByteBuf datagram) {
        StunMessage message = new StunMessage();
        return message.wrap(datagram) == StunParseResult.VALID ? message.usernameLocalPart() : null;
    }

    public boolean hasPriority() {
        return priorityIndex != ABSENT;
    }

    /** PRIORITY as an unsigned 32-bit value; only meaningful when {@link #hasPriority()}. */
    public long priority() {
        return buf.getUnsignedInt(priorityIndex);
    }

    public boolean hasUseCandidate() {
        return useCandidate;
    }

    public boolean hasIceControlling() {
        return iceControllingIndex != ABSENT;
    }

    public boolean hasIceControlled() {
        return iceControlledIndex != ABSENT;
    }

    /** The tie-breaker of ICE-CONTROLLING, else of ICE-CONTROLLED, else 0. */
    public long tieBreaker() {
        if (iceControllingIndex != ABSENT) {
            return buf.getLong(iceControllingIndex);
        }
        return iceControlledIndex != ABSENT ? buf.getLong(iceControlledIndex) : 0;
    }

    /** {@link StunAttribute#FAMILY_IPV4}, {@link StunAttribute#FAMILY_IPV6}, or 0 when absent. */
    public int xorMappedAddressFamily() {
        return xorMappedAddressIndex == ABSENT
                ? 0 : buf.getUnsignedByte(xorMappedAddressIndex + XOR_ADDRESS_FAMILY_OFFSET);
    }

    /** The mapped port, un-XORed with the cookie's top 16 bits (RFC 8489 §14.2). */
    public int xorMappedPort() {
        return buf.getUnsignedShort(xorMappedAddressIndex + XOR_ADDRESS_PORT_OFFSET) ^ (MAGIC_COOKIE >>> 16);
    }

    /**
     * Writes the mapped address, un-XORed, into {@code destination} (at least 4 bytes for IPv4,
     * 16 for IPv6) and returns how many bytes it wrote, or 0 when the attribute is absent.
     * IPv4 is XORed with the cookie; IPv6 with the cookie followed by the transaction id.
     */
    public int copyXorMappedAddress(byte[] destination) {
        int family = xorMappedAddressFamily();
        if (family == 0) {
            return 0;
        }
        int count = family == StunAttribute.FAMILY_IPV4 ? 4 : 16;
        int address = xorMappedAddressIndex + XOR_ADDRESS_ADDRESS_OFFSET;
        for (int i = 0; i < count; i++) {
            // Bytes 4..19 of the header are exactly the cookie followed by the transaction id.
            destination[i] = (byte) (buf.getByte(address + i) ^ buf.getByte(start + MAGIC_COOKIE_OFFSET + i));
        }
        return count;
    }

    /** The mapped address as a socket address, or null when absent. Allocates; for clients. */
    public InetSocketAddress xorMappedAddress() {
        byte[] address = new byte[16];
        int count = copyXorMappedAddress(address);
        if (count == 0) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(address, count)),
                    xorMappedPort());
        } catch (UnknownHostException impossible) {
            // getByAddress only fails for lengths other than 4 and 16.
            throw new AssertionError(impossible);
        }
    }

    public boolean hasMessageIntegrity() {
        return messageIntegrityIndex != ABSENT;
    }

    /** Absolute index of the MESSAGE-INTEGRITY attribute header, or -1. */
    public int messageIntegrityIndex() {
        return messageIntegrityIndex;
    }

    public boolean hasFingerprint() {
        return fingerprintIndex != ABSENT;
    }

    /** Absolute index of the FINGERPRINT attribute header, or -1. */
    public int fingerprintIndex() {
        return fingerprintIndex;
    }

    private boolean regionEquals(int index, byte[] expected, int offset, int count) {
        for (int i = 0; i < count; i++) {
            if (buf.getByte(index + i) != expected[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
