package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpProfile;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.io.IOException;
import java.util.List;
import java.util.Vector;

/** What the DTLS-SRTP client and server peers share: suites, credentials, use_srtp rules. */
final class DtlsPeerSupport {
    /**
     * ECDHE for forward secrecy, ECDSA because our certificate is P-256, AES-GCM because it is the
     * cheapest AEAD on hardware with AES instructions; the same suites browsers put first.
     */
    static final int[] CIPHER_SUITES = {
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    };

    /** RFC 5764 §4.2: the exporter label for DTLS-SRTP keys. */
    static final String EXPORTER_LABEL = "EXTRACTOR-dtls_srtp";

    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private DtlsPeerSupport() {
    }

    /**
     * Our certificate and key as BC credentials, signing with ECDSA-SHA256 when the peer accepts it
     * (every WebRTC stack does) or else with another ECDSA hash it lists (RFC 5246 §7.4.1.4.1).
     */
    static TlsCredentialedSigner signer(TlsContext context, BcTlsCrypto crypto, DtlsCertificate certificate,
                                        Vector<?> peerSignatureAlgorithms) throws IOException {
        SignatureAndHashAlgorithm algorithm = chooseEcdsa(peerSignatureAlgorithms);
        TlsCertificate tlsCertificate = crypto.createCertificate(certificate.derCertificateShared());
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), new Certificate(new TlsCertificate[] {tlsCertificate}), algorithm);
    }

    private static SignatureAndHashAlgorithm chooseEcdsa(Vector<?> peerAlgorithms) throws IOException {
        if (peerAlgorithms == null || peerAlgorithms.contains(ECDSA_SHA256)) {
            return ECDSA_SHA256;
        }
        for (Object candidate : peerAlgorithms) {
            SignatureAndHashAlgorithm algorithm = (SignatureAndHashAlgorithm) candidate;
            if (algorithm.getSignature() == SignatureAlgorithm.ecdsa
                    && (algorithm.getHash() == HashAlgorithm.sha384 || algorithm.getHash() == HashAlgorithm.sha512)) {
                return algorithm;
            }
        }
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "peer accepts no ECDSA signature we can make");
    }

    /** RFC 5764 §4.1.1: the client lists profiles by preference and sends no MKI (we use none). */
    static UseSRTPData offer(List<SrtpProfile> profiles) {
        int[] ids = new int[profiles.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = profiles.get(i).protectionProfileId();
        }
        return new UseSRTPData(ids, new byte[0]);
    }

    /**
     * RFC 5764 §4.1.1: the server picks one profile the client offered. We pick by our order of
     * preference (GCM first), not the client's: we pay the per-packet cost of every stream.
     *
     * @return null when nothing in common
     */
    static SrtpProfile select(UseSRTPData clientOffer, List<SrtpProfile> ourPreference) {
        if (clientOffer == null) {
            return null;
        }
        for (SrtpProfile profile : ourPreference) {
            for (int offered : clientOffer.getProtectionProfiles()) {
                if (offered == profile.protectionProfileId()) {
                    return profile;
                }
            }
        }
        return null;
    }

    /**
     * RFC 5764 §4.1.1: the server's use_srtp carries exactly one profile the client offered, and
     * an MKI that is empty or the client's (ours is empty).
     *
     * @return null when the server's answer is not acceptable
     */
    static SrtpProfile checkServerChoice(UseSRTPData serverChoice, List<SrtpProfile> offered) {
        if (serverChoice == null || serverChoice.getProtectionProfiles().length != 1
                || serverChoice.getMki().length != 0) {
            return null;
        }
        SrtpProfile chosen = SrtpProfile.fromProtectionProfileId(serverChoice.getProtectionProfiles()[0]);
        return chosen != null && offered.contains(chosen) ? chosen : null;
    }
}
