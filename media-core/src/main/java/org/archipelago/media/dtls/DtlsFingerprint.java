package org.archipelago.media.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A certificate fingerprint as carried in SDP: {@code a=fingerprint:sha-256 AB:CD:...}.
 *
 * <p>RFC 8122 §5: the value is a hash function's textual name (from the IANA "Hash Function
 * Textual Names" registry, lower case) followed by the hash of the DER-encoded certificate as
 * upper-case hex bytes separated by colons. Parsing is case-insensitive (the grammar allows both
 * cases for the hex digits, and some stacks send lower case). DTLS-SRTP authenticates a
 * self-signed certificate only by comparing it against this value (RFC 5763 §5).
 *
 * <p>Immutable; the hash bytes are copied in and out.
 */
public final class DtlsFingerprint {
    /** The algorithm every browser uses and the one Archipelago advertises. */
    public static final String SHA_256 = "sha-256";

    private final String algorithm;
    private final byte[] hash;

    private DtlsFingerprint(String algorithm, byte[] hash) {
        this.algorithm = algorithm;
        this.hash = hash;
    }

    /**
     * Parses an algorithm name and colon-separated hex bytes, as found in a remote SDP.
     *
     * @throws IllegalArgumentException if the algorithm is not sha-1/224/256/384/512 or the hex is
     *         malformed or of the wrong length for the algorithm
     */
    public static DtlsFingerprint of(String algorithm, String hex) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        String name = algorithm.trim().toLowerCase(Locale.ROOT);
        int digestLength = newDigest(name).getDigestLength();
        byte[] hash = parseHex(hex.trim(), digestLength);
        return new DtlsFingerprint(name, hash);
    }

    /** Parses the value of an SDP {@code a=fingerprint} attribute, e.g. {@code "sha-256 AB:CD:..."}. */
    public static DtlsFingerprint parse(String sdpValue) {
        Objects.requireNonNull(sdpValue, "sdpValue");
        String trimmed = sdpValue.trim();
        int space = trimmed.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("fingerprint must be '<hash-func> <hex>': " + sdpValue);
        }
        return of(trimmed.substring(0, space), trimmed.substring(space + 1));
    }

    /** Computes the fingerprint of a DER-encoded certificate (e.g. the one a peer presented). */
    public static DtlsFingerprint compute(String algorithm, byte[] derCertificate) {
        Objects.requireNonNull(derCertificate, "derCertificate");
        String name = Objects.requireNonNull(algorithm, "algorithm").trim().toLowerCase(Locale.ROOT);
        return new DtlsFingerprint(name, newDigest(name).digest(derCertificate));
    }

    /** Whether the DER-encoded certificate hashes, with this fingerprint's algorithm, to this value. */
    public boolean matches(byte[] derCertificate) {
        byte[] actual = newDigest(algorithm).digest(derCertificate);
        // Fingerprints and certificates are public: a constant-time compare buys nothing here.
        return Arrays.equals(actual, hash);
    }

    /** The lower-case hash function textual name, e.g. {@code sha-256}. */
    public String algorithm() {
        return algorithm;
    }

    /** The hash as upper-case hex bytes separated by colons, e.g. {@code AB:CD:...}. */
    public String hex() {
        StringBuilder out = new StringBuilder(hash.length * 3);
        for (int i = 0; i < hash.length; i++) {
            if (i > 0) {
                out.append(':');
            }
            out.append(Character.toUpperCase(Character.forDigit((hash[i] >> 4) & 0xF, 16)));
            out.append(Character.toUpperCase(Character.forDigit(hash[i] & 0xF, 16)));
        }
        return out.toString();
    }

    /** The raw hash bytes (a copy). */
    public byte[] hash() {
        return hash.clone();
    }

    /** The SDP attribute value: {@code "sha-256 AB:CD:..."}. */
    public String toSdpValue() {
        return algorithm + ' ' + hex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DtlsFingerprint other
                && algorithm.equals(other.algorithm)
                && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return toSdpValue();
    }

    /** Maps an RFC 8122 / IANA hash name to a JCA digest. md2/md5 are refused: not collision resistant. */
    static MessageDigest newDigest(String name) {
        String jcaName = switch (name) {
            case "sha-1" -> "SHA-1";
            case "sha-224" -> "SHA-224";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported fingerprint hash function: " + name);
        };
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JRE lacks " + jcaName, e);
        }
    }

    private static byte[] parseHex(String hex, int expectedBytes) {
        // RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX), so exactly 3n-1 characters.
        if (hex.length() != expectedBytes * 3 - 1) {
            throw new IllegalArgumentException("expected " + expectedBytes + " colon-separated hex bytes, got '"
                    + hex + "'");
        }
        byte[] out = new byte[expectedBytes];
        for (int i = 0; i < expectedBytes; i++) {
            int at = i * 3;
            if (i > 0 && hex.charAt(at - 1) != ':') {
                throw new IllegalArgumentException("expected ':' at index " + (at - 1) + " in '" + hex + "'");
            }
            int high = Character.digit(hex.charAt(at), 16);
            int low = Character.digit(hex.charAt(at + 1), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("bad hex digit at index " + at + " in '" + hex + "'");
            }
            out[i] = (byte) ((high << 4) | low);
        }
        return out;
    }
}
