package org.archipelago.media.srtp;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.logging.Level;

/**
 * Contexts keyed directly with <em>session</em> keys, for vectors that the RFCs state below the
 * key derivation (RFC 3711 §B.2, RFC 7714 §16 and §17). jitsi-srtp always derives from a master
 * key, so each context is built from a throwaway all-zero master key and then re-keyed through
 * the protected fields jitsi-srtp exposes to subclasses ({@code cipher}, {@code saltKey},
 * {@code mac}). Everything else (IV construction, tag handling, indices) is the library's own.
 */
final class SessionKeyContextSource implements SrtpContextSource {
    private static final Logger LOGGER = new LoggerImpl(SessionKeyContextSource.class.getName(), Level.OFF);

    private final SrtpProfile profile;
    private final byte[] sessionKey;
    private final byte[] sessionSalt;
    private final byte[] authKey;

    /** {@code authKey} is the 20-byte HMAC-SHA1 key for the AES-CM profile, ignored for GCM. */
    SessionKeyContextSource(SrtpProfile profile, byte[] sessionKey, byte[] sessionSalt, byte[] authKey) {
        this.profile = profile;
        this.sessionKey = sessionKey.clone();
        this.sessionSalt = sessionSalt.clone();
        this.authKey = authKey == null ? null : authKey.clone();
    }

    @Override
    public SrtpCryptoContext rtp(boolean sender, int ssrc) throws GeneralSecurityException {
        return new RekeyedRtpContext(sender, ssrc, this);
    }

    @Override
    public SrtcpCryptoContext rtcp(boolean sender, int ssrc) throws GeneralSecurityException {
        return new RekeyedRtcpContext(ssrc, this);
    }

    @Override
    public void close() {
    }

    private SrtpPolicy policy() {
        return SrtpContextSource.policyFor(profile);
    }

    private byte[] zeroKey() {
        return new byte[profile.keyLength()];
    }

    private byte[] zeroSalt() {
        return new byte[profile.saltLength()];
    }

    private static final class RekeyedRtpContext extends SrtpCryptoContext {
        RekeyedRtpContext(boolean sender, int ssrc, SessionKeyContextSource keys) throws GeneralSecurityException {
            super(sender, ssrc, 0, keys.zeroKey(), keys.zeroSalt(), keys.policy(), LOGGER);
            System.arraycopy(keys.sessionSalt, 0, saltKey, 0, saltKey.length);
            cipher.init(keys.sessionKey, saltKey);
            if (cipherAuthOnly != cipher) {
                cipherAuthOnly.init(keys.sessionKey, saltKey);
            }
            if (mac != null) {
                mac.init(new SecretKeySpec(keys.authKey, mac.getAlgorithm()));
            }
        }
    }

    private static final class RekeyedRtcpContext extends SrtcpCryptoContext {
        RekeyedRtcpContext(int ssrc, SessionKeyContextSource keys) throws GeneralSecurityException {
            super(ssrc, keys.zeroKey(), keys.zeroSalt(), keys.policy(), LOGGER);
            System.arraycopy(keys.sessionSalt, 0, saltKey, 0, saltKey.length);
            cipher.init(keys.sessionKey, saltKey);
            if (mac != null) {
                mac.init(new SecretKeySpec(keys.authKey, mac.getAlgorithm()));
            }
        }
    }
}
