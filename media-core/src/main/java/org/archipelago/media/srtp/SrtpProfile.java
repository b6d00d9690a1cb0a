package org.archipelago.media.srtp;

/**
 * The SRTP protection profiles Archipelago negotiates through DTLS use_srtp, in order of preference.
 *
 * <p>Identifiers and lengths from RFC 5764 §4.1.2 (AES-CM/HMAC-SHA1) and RFC 7714 §14.2 (AEAD
 * AES-GCM). GCM is preferred: it authenticates and encrypts in one pass and costs about half of
 * AES-CM plus HMAC-SHA1 per packet (see ARCHITECTURE.md's performance budget).
 */
public enum SrtpProfile {
    /** SRTP_AEAD_AES_128_GCM, RFC 7714: 128-bit key, 96-bit salt, 128-bit tag. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16),
    /** SRTP_AES128_CM_HMAC_SHA1_80, RFC 5764: 128-bit key, 112-bit salt, 80-bit tag. */
    AES128_CM_HMAC_SHA1_80(0x0001, 16, 14, 10);

    private final int protectionProfileId;
    private final int keyLength;
    private final int saltLength;
    private final int authTagLength;

    SrtpProfile(int protectionProfileId, int keyLength, int saltLength, int authTagLength) {
        this.protectionProfileId = protectionProfileId;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.authTagLength = authTagLength;
    }

    /** The two-byte SRTPProtectionProfile value carried in the use_srtp extension. */
    public int protectionProfileId() {
        return protectionProfileId;
    }

    public int keyLength() {
        return keyLength;
    }

    public int saltLength() {
        return saltLength;
    }

    /** Bytes the authentication tag adds to each SRTP packet (SRTCP adds this plus the 4-byte index). */
    public int authTagLength() {
        return authTagLength;
    }

    /** Length of the keying material to export from DTLS: two keys and two salts (RFC 5764 §4.2). */
    public int keyingMaterialLength() {
        return 2 * (keyLength + saltLength);
    }

    /** Returns the profile with the given use_srtp identifier, or null when Archipelago does not support it. */
    public static SrtpProfile fromProtectionProfileId(int id) {
        for (SrtpProfile profile : values()) {
            if (profile.protectionProfileId == id) {
                return profile;
            }
        }
        return null;
    }
}
