package org.archipelago.media.stun;

/**
 * Why {@link StunMessage#wrap} accepted or refused a datagram. Callers count refusals by
 * {@link #ordinal()} into a {@code long[]} of {@link #COUNT} slots.
 */
public enum StunParseResult {
    VALID,
    /** Fewer than the 20 bytes of a STUN header. */
    TOO_SHORT,
    /** The two most significant bits are not zero (RFC 8489 §5): not STUN, or RTP/DTLS misrouted. */
    NOT_STUN,
    /** The magic cookie is not 0x2112A442 (RFC 8489 §5): a classic RFC 3489 message or noise. */
    BAD_MAGIC_COOKIE,
    /** The message length is not a multiple of 4 (RFC 8489 §5). */
    LENGTH_NOT_MULTIPLE_OF_4,
    /** Header plus message length differs from the datagram size. */
    LENGTH_MISMATCH,
    /** An attribute header or value (with its padding) runs past the end of the message. */
    ATTRIBUTE_TRUNCATED,
    /** A known attribute has a value length its definition does not allow. */
    BAD_ATTRIBUTE_LENGTH,
    /** An XOR-MAPPED-ADDRESS with an address family other than IPv4 or IPv6. */
    BAD_ADDRESS_FAMILY,
    /** An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7). */
    ATTRIBUTE_AFTER_FINGERPRINT;

    /** Number of values, to size counter arrays. */
    public static final int COUNT = values().length;

    private static final StunParseResult[] VALUES = values();

    /** Returns the value with the given ordinal, without the copy {@code values()} makes. */
    public static StunParseResult ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
