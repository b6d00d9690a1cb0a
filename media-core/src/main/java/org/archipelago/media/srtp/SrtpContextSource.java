package org.archipelago.media.srtp;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpPolicy;

import java.security.GeneralSecurityException;

/**
 * Where {@link SrtpSession} gets a crypto context for an SSRC it has not seen yet.
 *
 * <p>Production code uses {@link MasterKeyContextSource}, which runs the RFC 3711 §4.3 key
 * derivation from the DTLS-exported master keys. The seam exists so that tests can feed vectors
 * stated in session keys (RFC 7714 §16, §17) through the very same session code.
 */
interface SrtpContextSource extends AutoCloseable {

    /** A context for one RTP stream; {@code sender} selects the local (protect) or remote (unprotect) keys. */
    SrtpCryptoContext rtp(boolean sender, int ssrc) throws GeneralSecurityException;

    /** A context for the RTCP of one sender SSRC. */
    SrtcpCryptoContext rtcp(boolean sender, int ssrc) throws GeneralSecurityException;

    @Override
    void close();

    /**
     * The jitsi-srtp policy of a profile. One policy serves SRTP and SRTCP: both profiles use the
     * same transform and tag length for both (RFC 5764 §4.1.2, RFC 7714 §14.2).
     */
    static SrtpPolicy policyFor(SrtpProfile profile) {
        SrtpPolicy policy;
        switch (profile) {
            case AEAD_AES_128_GCM:
                // AEAD: no separate authentication transform, the 16-byte GCM tag is the tag (RFC 7714 §12).
                policy = new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, profile.keyLength(),
                        SrtpPolicy.NULL_AUTHENTICATION, 0, profile.authTagLength(), profile.saltLength());
                break;
            case AES128_CM_HMAC_SHA1_80:
                // HMAC-SHA1 with a 160-bit session authentication key, tag truncated to 80 bits (RFC 3711 §4.2.1, §5.2).
                policy = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, profile.keyLength(),
                        SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, profile.authTagLength(), profile.saltLength());
                break;
            default:
                throw new IllegalArgumentException("unsupported profile " + profile);
        }
        // Replay protection on receive is required by RFC 3711 §3.3.2. On send it catches a bug of
        // ours before it becomes a reused (key, IV) pair: fatal for GCM (RFC 7714 §8.1, the
        // "forbidden attack"), a two-time pad for AES-CM (RFC 3711 §9.1).
        policy.setReceiveReplayEnabled(true);
        policy.setSendReplayEnabled(true);
        return policy;
    }
}
