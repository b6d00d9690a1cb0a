package org.archipelago.media.srtp;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.Logger;

import java.security.GeneralSecurityException;

/**
 * Derives per-SSRC contexts from the DTLS-SRTP master keys with jitsi-srtp's
 * {@link SrtpContextFactory}: the local key and salt for what we send, the remote ones for what we
 * receive (RFC 5764 §4.2). Derivation runs the RFC 3711 §4.3 KDF with a key derivation rate of
 * zero, as DTLS-SRTP requires (RFC 5764 §4.1.2), so each new SSRC costs one derivation and no
 * further re-keying happens.
 */
final class MasterKeyContextSource implements SrtpContextSource {
    private final SrtpContextFactory sending;
    private final SrtpContextFactory receiving;

    MasterKeyContextSource(SrtpKeyingMaterial keys, Logger logger) {
        SrtpPolicy policy = SrtpContextSource.policyFor(keys.profile());
        this.sending = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(), policy, policy, logger);
        this.receiving = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(), policy, policy, logger);
    }

    @Override
    public SrtpCryptoContext rtp(boolean sender, int ssrc) throws GeneralSecurityException {
        // ROC 0: a new stream starts at rollover count zero (RFC 3711 §3.3.1).
        return (sender ? sending : receiving).deriveContext(ssrc, 0);
    }

    @Override
    public SrtcpCryptoContext rtcp(boolean sender, int ssrc) throws GeneralSecurityException {
        return (sender ? sending : receiving).deriveControlContext(ssrc);
    }

    @Override
    public void close() {
        sending.close();
        receiving.close();
    }
}
