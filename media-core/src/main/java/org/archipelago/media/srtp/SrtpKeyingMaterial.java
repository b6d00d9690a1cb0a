package org.archipelago.media.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * The SRTP master keys and salts for one DTLS-SRTP association, already split by direction.
 *
 * <p>DTLS exports {@code client_write_key | server_write_key | client_write_salt | server_write_salt}
 * (RFC 5764 §4.2). Which half protects what we send depends on our DTLS role; {@link #fromExporter}
 * resolves that once so nobody downstream has to think about roles again.
 */
public final class SrtpKeyingMaterial {
    private final SrtpProfile profile;
    private final byte[] localKey;
    private final byte[] localSalt;
    private final byte[] remoteKey;
    private final byte[] remoteSalt;

    public SrtpKeyingMaterial(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {
        this.profile = Objects.requireNonNull(profile, "profile");
        this.localKey = check(localKey, profile.keyLength(), "localKey");
        this.localSalt = check(localSalt, profile.saltLength(), "localSalt");
        this.remoteKey = check(remoteKey, profile.keyLength(), "remoteKey");
        this.remoteSalt = check(remoteSalt, profile.saltLength(), "remoteSalt");
    }

    /**
     * Splits exported keying material.
     *
     * @param material {@link SrtpProfile#keyingMaterialLength()} bytes from the DTLS exporter with
     *                 label "EXTRACTOR-dtls_srtp"
     * @param isDtlsClient whether this side was the DTLS client (then the client_write half is ours)
     */
    public static SrtpKeyingMaterial fromExporter(SrtpProfile profile, byte[] material, boolean isDtlsClient) {
        int keyLen = profile.keyLength();
        int saltLen = profile.saltLength();
        if (material.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException("expected " + profile.keyingMaterialLength()
                    + " bytes of keying material for " + profile + ", got " + material.length);
        }
        byte[] clientKey = Arrays.copyOfRange(material, 0, keyLen);
        byte[] serverKey = Arrays.copyOfRange(material, keyLen, 2 * keyLen);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * keyLen, 2 * keyLen + saltLen);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * keyLen + saltLen, 2 * keyLen + 2 * saltLen);
        return isDtlsClient
                ? new SrtpKeyingMaterial(profile, clientKey, clientSalt, serverKey, serverSalt)
                : new SrtpKeyingMaterial(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    private static byte[] check(byte[] value, int length, String name) {
        Objects.requireNonNull(value, name);
        if (value.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got " + value.length);
        }
        return value.clone();
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Master key protecting what this side sends. */
    public byte[] localKey() {
        return localKey.clone();
    }

    /** Master salt protecting what this side sends. */
    public byte[] localSalt() {
        return localSalt.clone();
    }

    /** Master key of what the remote side sends. */
    public byte[] remoteKey() {
        return remoteKey.clone();
    }

    /** Master salt of what the remote side sends. */
    public byte[] remoteSalt() {
        return remoteSalt.clone();
    }

    /**
     * The same association as the remote peer sees it: its local keys are our remote keys and the
     * other way round. What one side protects with {@code this}, the other unprotects with
     * {@code peerView()}.
     */
    public SrtpKeyingMaterial peerView() {
        return new SrtpKeyingMaterial(profile, remoteKey, remoteSalt, localKey, localSalt);
    }

    @Override
    public String toString() {
        return "SrtpKeyingMaterial{" + profile + "}";
    }
}
