package org.archipelago.media.stun;

/**
 * STUN attribute types and fixed value lengths used by ICE.
 *
 * <p>Every attribute is a type-length-value triple padded to a multiple of four bytes
 * (<a href="https://www.rfc-editor.org/rfc/rfc8489#section-14">RFC 8489 §14</a>):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Value (variable)                ....
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The length excludes the padding; the padding bytes may hold any value and are ignored.
 */
public final class StunAttribute {
    /** Size of the type and length fields that precede every value. */
    public static final int HEADER_LENGTH = 4;

    /** RFC 8489 §14.3. */
    public static final int USERNAME = 0x0006;
    /** RFC 8489 §14.5. */
    public static final int MESSAGE_INTEGRITY = 0x0008;
    /** RFC 8489 §14.6; listed so that it is accepted after MESSAGE-INTEGRITY (§14.5). */
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    /** RFC 8489 §14.2. */
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** RFC 8445 §16.1. */
    public static final int PRIORITY = 0x0024;
    /** RFC 8445 §16.1. */
    public static final int USE_CANDIDATE = 0x0025;
    /** RFC 8489 §14.14. */
    public static final int SOFTWARE = 0x8022;
    /** RFC 8489 §14.7. */
    public static final int FINGERPRINT = 0x8028;
    /** RFC 8445 §16.1. */
    public static final int ICE_CONTROLLED = 0x8029;
    /** RFC 8445 §16.1. */
    public static final int ICE_CONTROLLING = 0x802A;

    /** HMAC-SHA1 output, RFC 8489 §14.5. */
    public static final int MESSAGE_INTEGRITY_LENGTH = 20;
    /** CRC-32, RFC 8489 §14.7. */
    public static final int FINGERPRINT_LENGTH = 4;
    /** A 32-bit priority, RFC 8445 §7.1.1. */
    public static final int PRIORITY_LENGTH = 4;
    /** A 64-bit tie-breaker, RFC 8445 §7.1.3. */
    public static final int TIE_BREAKER_LENGTH = 8;
    /** Reserved, family, port and a 4-byte address. */
    public static final int XOR_MAPPED_ADDRESS_IPV4_LENGTH = 8;
    /** Reserved, family, port and a 16-byte address. */
    public static final int XOR_MAPPED_ADDRESS_IPV6_LENGTH = 20;
    /** RFC 8489 §14.3: USERNAME is fewer than 509 bytes. */
    public static final int USERNAME_MAX_LENGTH = 508;

    /** Address family codes in (XOR-)MAPPED-ADDRESS, RFC 8489 §14.1. */
    public static final int FAMILY_IPV4 = 0x01;
    public static final int FAMILY_IPV6 = 0x02;

    private StunAttribute() {
    }

    /** The value length rounded up to the 4-byte boundary the next attribute starts on. */
    public static int paddedLength(int valueLength) {
        return (valueLength + 3) & ~3;
    }
}
