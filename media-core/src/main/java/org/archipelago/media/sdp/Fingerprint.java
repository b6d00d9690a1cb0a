package org.archipelago.media.sdp;

/**
 * A certificate fingerprint, a=fingerprint (RFC 8122 §5, used by RFC 8842 §5).
 *
 * @param algorithm the hash function name in lower case, e.g. {@code sha-256}
 * @param value     upper-case hex bytes separated by colons
 */
public record Fingerprint(String algorithm, String value) {
    @Override
    public String toString() {
        return algorithm + " " + value;
    }
}
