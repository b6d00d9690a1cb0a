package org.archipelago.media.ice;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * An ICE username fragment and password (RFC 8445 §5.3), as carried in SDP's {@code a=ice-ufrag}
 * and {@code a=ice-pwd} (<a href="https://www.rfc-editor.org/rfc/rfc8839#section-5.4">RFC 8839
 * §5.4</a>): ice-chars ({@code ALPHA / DIGIT / "+" / "/"}), the ufrag 4 to 256 of them, the
 * password 22 to 256.
 *
 * <p>Generated local credentials use 8 ufrag characters (48 bits, so ufrags of peers sharing a
 * port rarely collide — the caller still checks) and 24 password characters (144 bits; the RFC
 * asks for at least 128).
 */
public final class IceCredentials {
    public static final int MIN_UFRAG_LENGTH = 4;
    public static final int MIN_PASSWORD_LENGTH = 22;
    public static final int MAX_LENGTH = 256;
    static final int GENERATED_UFRAG_LENGTH = 8;
    static final int GENERATED_PASSWORD_LENGTH = 24;

    private static final char[] ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private final String ufrag;
    private final String password;
    private final byte[] ufragBytes;
    private final byte[] passwordBytes;

    /**
     * @throws IllegalArgumentException when either value is not ice-chars of an allowed length
     */
    public IceCredentials(String ufrag, String password) {
        requireIceChars("ufrag", ufrag, MIN_UFRAG_LENGTH);
        requireIceChars("password", password, MIN_PASSWORD_LENGTH);
        this.ufrag = ufrag;
        this.password = password;
        this.ufragBytes = ufrag.getBytes(StandardCharsets.US_ASCII);
        this.passwordBytes = password.getBytes(StandardCharsets.US_ASCII);
    }

    /** Fresh local credentials drawn from {@code random}. */
    public static IceCredentials generate(SecureRandom random) {
        return new IceCredentials(randomIceChars(random, GENERATED_UFRAG_LENGTH),
                randomIceChars(random, GENERATED_PASSWORD_LENGTH));
    }

    private static String randomIceChars(SecureRandom random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            // 64 ice-chars: each character carries exactly 6 unbiased random bits.
            chars[i] = ICE_CHARS[random.nextInt(ICE_CHARS.length)];
        }
        return new String(chars);
    }

    private static void requireIceChars(String what, String value, int minLength) {
        if (value == null || value.length() < minLength || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("ICE " + what + " must be " + minLength + " to " + MAX_LENGTH
                    + " ice-chars, got " + (value == null ? "null" : value.length() + " characters"));
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isIceChar(value.charAt(i))) {
                throw new IllegalArgumentException("ICE " + what + " has a character outside ice-chars at "
                        + i + " (RFC 8839 §5.4)");
            }
        }
    }

    static boolean isIceChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    }

    public String ufrag() {
        return ufrag;
    }

    public String password() {
        return password;
    }

    /** The ufrag's bytes; callers must not modify the array. */
    byte[] ufragBytes() {
        return ufragBytes;
    }

    /** The password's bytes (the short-term MESSAGE-INTEGRITY key); callers must not modify it. */
    byte[] passwordBytes() {
        return passwordBytes;
    }

    @Override
    public String toString() {
        // Never print the password: logs are not a place for secrets.
        return "IceCredentials[ufrag=" + ufrag + "]";
    }
}
